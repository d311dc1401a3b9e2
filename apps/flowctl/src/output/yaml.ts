import { dump } from 'js-yaml';

export function formatYaml(value: unknown): string {
  // noRefs: API answers never share objects on purpose; anchors would only confuse a reader.
  return dump(value, { noRefs: true, skipInvalid: true, lineWidth: -1 });
}
