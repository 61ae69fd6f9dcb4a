const BASE = 'http://local.invalid';
// eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
const REFUSED = /[\\\u0000-\u001f\u007f]/;

/**
 * `value` if it is a path on this site, else `fallback`. Browsers read `\` as `/`, so
 * `/\evil.example` is as off-site as `//evil.example`: the path is resolved the way a browser
 * would and kept only if it stays on this origin. Control characters are refused outright.
 */
export function localPath(value: string | undefined, fallback: string): string {
  if (!value || !value.startsWith('/') || REFUSED.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
