import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Role } from '../../server/users/types.js';

export const TEST_PASSWORD = 'correct horse battery staple 42';

let counter = 0;
export interface TestUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  password: string;
}

/** Creates a member of staff through the real service (argon2id and all). */
export async function createUser(
  app: FastifyInstance,
  role: Role,
  overrides: Partial<{ name: string; email: string; password: string }> = {},
): Promise<TestUser> {
  counter += 1;
  const email = overrides.email ?? `${role}${counter}.${Date.now()}@opcc.test`;
  const name = overrides.name ?? `Test ${role} ${counter}`;
  const password = overrides.password ?? TEST_PASSWORD;
  const user = await app.services.users.create(
    { id: null, role: 'system', requestId: null },
    { email, name, role, password },
  );
  return { id: user.id, email, name, role, password };
}

/** Collects Set-Cookie values into a Cookie header, as a browser would. */
export class CookieJar {
  private cookies = new Map<string, string>();
  store(response: LightMyRequestResponse) {
    for (const cookie of response.cookies as Array<{
      name: string;
      value: string;
      maxAge?: number;
      expires?: Date;
    }>) {
      if (
        cookie.value === '' ||
        cookie.maxAge === 0 ||
        (cookie.expires && cookie.expires.getTime() < Date.now())
      )
        this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  get(name: string) {
    return this.cookies.get(name);
  }
}

/** Reads the hidden CSRF field from a rendered form. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token in page');
  return match[1]!;
}

/** A browser-like session: GET a page for its CSRF token, POST forms with it. */
export class PageSession {
  readonly jar = new CookieJar();
  constructor(private readonly app: FastifyInstance) {}

  async get(url: string) {
    const response = await this.app.inject({
      method: 'GET',
      url,
      headers: { cookie: this.jar.header() },
    });
    this.jar.store(response);
    return response;
  }

  /** Fetches a real CSRF token from `formUrl`, then posts the form to `url`. */
  async post(url: string, fields: Record<string, string | string[]>, formUrl = url) {
    const page = await this.get(formUrl);
    const token = csrfFrom(page.body);
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...fields, _csrf: token })) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
    }
    const response = await this.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    });
    this.jar.store(response);
    return response;
  }

  async signIn(user: { email: string; password: string }) {
    const response = await this.post(
      '/sign-in',
      { email: user.email, password: user.password },
      '/sign-in',
    );
    if (response.statusCode !== 303) throw new Error(`sign-in failed: ${response.statusCode}`);
    return this;
  }
}

export async function signInPage(
  app: FastifyInstance,
  user: { email: string; password: string },
): Promise<PageSession> {
  return new PageSession(app).signIn(user);
}

export async function apiToken(
  app: FastifyInstance,
  user: { email: string; password: string },
): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/token',
    payload: { email: user.email, password: user.password },
  });
  if (response.statusCode !== 200)
    throw new Error(`token request failed: ${response.statusCode} ${response.body}`);
  return response.json<{ token: string }>().token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A fresh 15-minute token for the same session (§3), as an API client would ask for one. */
export async function refreshToken(app: FastifyInstance, token: string): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/refresh',
    headers: bearer(token),
  });
  if (response.statusCode !== 200)
    throw new Error(`refresh failed: ${response.statusCode} ${response.body}`);
  return response.json<{ token: string }>().token;
}

/**
 * Moves the fixed clock on by `ms` while keeping an API session alive: the token is
 * refreshed every 14 minutes, as a client would (§3: 15-minute tokens, 30-minute idle).
 * Returns the token to use afterwards.
 */
export async function advanceKeepingToken(
  app: FastifyInstance,
  clock: { advance(ms: number): void },
  token: string,
  ms: number,
): Promise<string> {
  const STEP = 14 * 60_000;
  let left = ms;
  let current = token;
  while (left > 0) {
    const step = Math.min(STEP, left);
    clock.advance(step);
    left -= step;
    current = await refreshToken(app, current);
  }
  return current;
}

/**
 * Re-authenticates an API session (§1 "R"): password, code when enrolled, a reason.
 * Counts for 5 minutes on the fixed clock.
 */
export async function reauthenticate(
  app: FastifyInstance,
  token: string,
  user: { password: string },
  justification = 'Test: the request this is for',
  otp?: string,
) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/reauth',
    headers: bearer(token),
    payload: { password: user.password, justification, ...(otp ? { otp } : {}) },
  });
  if (response.statusCode !== 200)
    throw new Error(`re-authentication failed: ${response.statusCode} ${response.body}`);
  return response;
}
