/**
 * Helpers for scenario setup over real HTTP: a staff web session (cookie) and a CSRF pair
 * for form posts, fetched once before the run and then sent as plain headers.
 */

/** Folds Set-Cookie headers into a name → value map (attributes dropped). */
function storeCookies(jar: Map<string, string>, response: Response) {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    if (eq <= 0) continue;
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    if (value === '') jar.delete(name);
    else jar.set(name, value);
  }
}

const cookieHeader = (jar: Map<string, string>) =>
  [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

export interface CsrfPair {
  /** The Cookie header carrying the signed CSRF secret (plus any session cookie). */
  cookie: string;
  /** The token for the form's `_csrf` field or the `x-csrf-token` header. */
  token: string;
}

/** GETs a page with a form and returns its CSRF cookie and hidden token. */
export async function csrfFrom(baseUrl: string, path: string, cookie = ''): Promise<CsrfPair> {
  const jar = new Map<string, string>();
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const response = await fetch(`${baseUrl}${path}`, {
    headers: cookie ? { cookie } : {},
    redirect: 'manual',
  });
  storeCookies(jar, response);
  const html = await response.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`GET ${path}: no CSRF token in the page (${response.status})`);
  return { cookie: cookieHeader(jar), token };
}

/** Signs in through the real form (argon2 and all) and returns the Cookie header to send. */
export async function signInCookie(
  baseUrl: string,
  user: { email: string; password: string },
): Promise<string> {
  const { cookie, token } = await csrfFrom(baseUrl, '/sign-in');
  const jar = new Map<string, string>();
  for (const part of cookie.split('; ')) {
    const eq = part.indexOf('=');
    if (eq > 0) jar.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const response = await fetch(`${baseUrl}/sign-in`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      email: user.email,
      password: user.password,
      _csrf: token,
    }).toString(),
    redirect: 'manual',
  });
  if (response.status !== 303) {
    throw new Error(`POST /sign-in: ${response.status} ${(await response.text()).slice(0, 200)}`);
  }
  storeCookies(jar, response);
  return cookieHeader(jar);
}
