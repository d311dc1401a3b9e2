import { createHash } from 'node:crypto';
import { contentSecurityPolicy, inlineScriptHashes } from './security-headers.middleware';

describe('security headers', () => {
  it('hashes inline scripts only, for script-src', () => {
    const body = "document.documentElement.dataset.theme = 'dark';";
    const html = `<head><script>${body}</script><script type="module" src="/assets/app.js"></script></head>`;
    const expected = `sha256-${createHash('sha256').update(body).digest('base64')}`;
    expect(inlineScriptHashes(html)).toEqual([expected]);
    expect(contentSecurityPolicy([expected])).toContain(`script-src 'self' '${expected}'`);
  });

  it('forbids framing, plugins and inline scripts without a hash', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("script-src 'self';");
  });
});
