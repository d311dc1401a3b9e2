import hljs from 'highlight.js/lib/core';
import yaml from 'highlight.js/lib/languages/yaml';
import { useMemo } from 'react';

hljs.registerLanguage('yaml', yaml);

/** YAML with syntax colours and line numbers. highlight.js escapes the text, so the HTML it returns is safe. */
export function YamlView({ source }: { source: string }) {
  const lines = useMemo(() => hljs.highlight(source, { language: 'yaml', ignoreIllegals: true }).value.split('\n'), [source]);
  return (
    <pre className="code-block numbered yaml" data-testid="yaml" tabIndex={0}>
      {lines.map((html, i) => (
        <span className="code-line" key={i}>
          <span className="line-number" aria-hidden="true">
            {i + 1}
          </span>
          <span dangerouslySetInnerHTML={{ __html: html || ' ' }} />
        </span>
      ))}
    </pre>
  );
}
