import { createHash } from 'node:crypto';
import jwt from '@fastify/jwt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Clock } from '../lib/clock.js';
import type { AuthService } from '../auth/service.js';
import {
  REAUTH_WINDOW_MS,
  REISSUE_WITHIN_MS,
  TOKEN_TTL_S,
  type StaffIdentity,
  type TokenClaims,
} from '../auth/session-rules.js';
import type { Role } from '../users/types.js';
import type { Actor } from './audit.js';
import { AppError, isApiRequest } from './errors.js';

export const SESSION_COOKIE = '__Host-opcc_session';
export const TOKEN_ISSUER = 'opcc-crm';
/** The audiences a token may name (§3): pages, the API, the pending MFA step. */
export const TOKEN_AUDIENCES = ['web', 'api', 'mfa'];
/**
 * API responses carry a reissued token here once the one sent has under 5 minutes left
 * (§3); `POST /api/auth/refresh` reissues on demand. Pages get a fresh cookie instead.
 */
export const REISSUED_TOKEN_HEADER = 'x-session-token';
export const REISSUED_EXPIRES_HEADER = 'x-session-token-expires';
/** Verified tokens remembered (a few hundred bytes each): every signed-in person, many times over. */
const VERIFIED_TOKENS_KEPT = 2_000;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed; every route must declare `auth` or `public: true`, or boot fails. */
    auth?: readonly Role[];
    public?: boolean;
    /** `false`: no reissued token on this route's response (sign-out, refresh). */
    reissue?: boolean;
    /**
     * §1 "R": the session must have re-authenticated (password and code, with a reason)
     * within 5 minutes, else 401 `auth.reauth_required` (API) or a 303 to `/reauth`
     * returning to this URL (pages; give `returnTo` when a POST's form lives elsewhere). The
     * reason goes into every audit row the request writes (`request.actor().justification`).
     */
    reauth?: true | { returnTo: (request: FastifyRequest) => string };
  }
  interface FastifyInstance {
    /** Sets the page session cookie (§3 attributes), lasting as long as its token. */
    setSessionCookie: (reply: FastifyReply, token: string, maxAgeSeconds?: number) => void;
    /** Signs session and MFA-step tokens with the current key, its `kid` in the header. */
    signToken: (claims: TokenClaims, expiresInSeconds: number, nowMs: number) => string;
    /** Every route with its access rule, for the route-walk test and the docs. */
    routeCatalogue: Array<{ method: string; url: string; public: boolean; query: string[] }>;
  }
  interface FastifyRequest {
    staff?: StaffIdentity;
    /** The actor for services and the audit log. */
    actor: () => Actor;
  }
}

/** Headers that would let a token choose its own key. */
const KEY_HEADERS = ['jku', 'jwk', 'x5u', 'x5c'];

/** A key's id: a short digest, naming the key without revealing it. */
export const keyId = (secret: string) =>
  createHash('sha256').update(`opcc jwt kid:${secret}`).digest('base64url').slice(0, 12);

/** Routes that plugins register (static files, API docs) are public by nature. */
const PLUGIN_PUBLIC_PREFIXES = ['/static/', '/assets/', '/api/docs'];

type Claims = TokenClaims & { exp?: number; iat?: number };

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header?.startsWith('Bearer ')) return undefined;
  return header.slice(7).trim() || undefined;
}

export const authPlugin = fp(
  async (
    app: FastifyInstance,
    opts: {
      secret: string;
      /** The key being retired: its tokens still verify until it is removed (§3 rotation). */
      previousSecret?: string;
      clock: Clock;
      authService: () => AuthService;
    },
  ) => {
    const current = { kid: keyId(opts.secret), key: opts.secret };
    const keys = new Map([[current.kid, current.key]]);
    if (opts.previousSecret) keys.set(keyId(opts.previousSecret), opts.previousSecret);
    app.decorate('signToken', (claims: TokenClaims, expiresIn: number, nowMs: number) =>
      app.jwt.sign(claims, {
        expiresIn,
        clockTimestamp: nowMs,
        key: current.key,
        kid: current.kid,
      } as never),
    );
    await app.register(jwt, {
      secret: opts.secret,
      sign: { algorithm: 'HS256', iss: TOKEN_ISSUER },
      // Pinned: an unpinned verifier accepts whatever algorithm the token names. Times are
      // judged against the injected clock (`clockTimestamp` at each call).
      verify: {
        algorithms: ['HS256'],
        allowedIss: TOKEN_ISSUER,
        allowedAud: TOKEN_AUDIENCES,
        maxAge: TOKEN_TTL_S,
        // Without these an absent claim would pass the checks above unexamined.
        requiredClaims: ['iss', 'aud', 'iat', 'exp'],
      },
    });
    app.decorate('setSessionCookie', (reply: FastifyReply, token: string, maxAge = TOKEN_TTL_S) => {
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        secure: true,
        sameSite: 'lax',
        maxAge,
      });
    });

    const catalogue: FastifyInstance['routeCatalogue'] = [];
    app.decorate('routeCatalogue', catalogue);
    app.addHook('onRoute', (route) => {
      const config = (route.config ?? {}) as { auth?: readonly Role[]; public?: boolean };
      // The querystring's field names, for the test that no URL carries personal data (§9 #31).
      const query = Object.keys(
        (route.schema?.querystring as { properties?: object } | undefined)?.properties ?? {},
      );
      for (const method of ([] as string[]).concat(route.method)) {
        catalogue.push({
          method,
          url: route.url,
          public: Boolean(config.public) || !config.auth,
          query,
        });
      }
      if (config.auth || config.public) return;
      if (
        PLUGIN_PUBLIC_PREFIXES.some((prefix) => route.url.startsWith(prefix)) ||
        route.url === '/api/openapi.json'
      ) {
        route.config = { ...config, public: true };
        return;
      }
      if (route.method === 'HEAD') return;
      throw new Error(
        `Route ${String(route.method)} ${route.url} declares neither config.auth nor config.public`,
      );
    });

    app.decorateRequest('staff', undefined);
    app.decorateRequest('actor', function actor(this: FastifyRequest): Actor {
      const actor: Actor = {
        id: this.staff?.id ?? null,
        role: this.staff?.role ?? null,
        requestId: this.id,
        ip: this.ip,
      };
      if (this.routeOptions.config.reauth && this.staff?.reauth)
        actor.justification = this.staff.reauth.justification;
      return actor;
    });

    /*
     * A token's signature and issuer verdict depends on the token alone (the audience and
     * expiry are checked in `identify` against the injected clock, so tests can move time),
     * so a verified token's claims are remembered by the token itself: a signed-in person
     * sends the same one on every request, and its decode, JSON parse and HMAC were 12% of a
     * cached queue read. Bounded, oldest out first; refusals are not remembered. A revoked
     * session is still refused by the session check, which runs on every request.
     */
    const verified = new Map<string, Claims>();
    function verifiedClaims(token: string): Claims | undefined {
      let claims = verified.get(token);
      if (claims) return claims;
      try {
        // The key is chosen by `kid` among our own; a token naming where to fetch a key
        // (jku, x5u) or carrying one (jwk, x5c) is refused outright (§3).
        const { header } = app.jwt.decode<{ header: Record<string, unknown> }>(token, {
          complete: true,
        })!;
        if (KEY_HEADERS.some((name) => name in header)) return undefined;
        const key = typeof header.kid === 'string' ? keys.get(header.kid) : undefined;
        if (!key) return undefined;
        // Pinned algorithm, issuer, audiences and maxAge from registration; the key and the
        // clock are the call's own.
        claims = app.jwt.verify<Claims>(token, {
          key,
          clockTimestamp: opts.clock.now().getTime(),
        } as never);
      } catch {
        return undefined;
      }
      if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
      verified.set(token, claims);
      return claims;
    }

    /** Re-authenticated with a reason in the last 5 minutes (§1 "R"). */
    function reauthenticatedLately(staff: StaffIdentity): boolean {
      if (!staff.reauth?.justification.trim()) return false;
      const age = opts.clock.now().getTime() - staff.reauth.at.getTime();
      return age >= 0 && age < REAUTH_WINDOW_MS;
    }

    async function identify(
      request: FastifyRequest,
    ): Promise<{ staff: StaffIdentity; exp: number } | undefined> {
      const api = isApiRequest(request);
      const token = api ? bearerToken(request) : request.cookies[SESSION_COOKIE];
      if (!token) return undefined;
      const claims = verifiedClaims(token);
      if (!claims) return undefined;
      if (claims.aud !== (api ? 'api' : 'web')) return undefined;
      // Remembered claims are judged again against the clock: past `exp`, or older than
      // 15 minutes, is refused (§3, §9 #9).
      const now = opts.clock.now().getTime();
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return undefined;
      if (typeof claims.iat !== 'number' || claims.iat * 1000 + TOKEN_TTL_S * 1000 <= now)
        return undefined;
      const staff = await opts.authService().resolve(claims);
      return staff ? { staff, exp: claims.exp } : undefined;
    }

    /**
     * Tokens reissued lately, by session and version: every request made with a token in its
     * last 5 minutes gets the same new one instead of a signature each.
     */
    const reissued = new Map<string, { token: string; exp: number }>();
    function reissue(
      request: FastifyRequest,
      reply: FastifyReply,
      staff: StaffIdentity,
      exp: number,
    ) {
      const now = opts.clock.now().getTime();
      if (exp * 1000 - now >= REISSUE_WITHIN_MS) return;
      // Near the 10-hour end a new token could not outlive the one sent: nothing to give.
      if (staff.sessionEndsAt.getTime() <= exp * 1000) return;
      const key = `${staff.sid}:${staff.tokenVersion}`;
      let fresh = reissued.get(key);
      if (!fresh || fresh.exp <= exp) {
        const next = opts.authService().reissue(staff);
        fresh = { token: next.token, exp: Math.floor(next.expiresAt.getTime() / 1000) };
        if (reissued.size >= VERIFIED_TOKENS_KEPT) reissued.delete(reissued.keys().next().value!);
        reissued.set(key, fresh);
      }
      if (isApiRequest(request)) {
        reply.header(REISSUED_TOKEN_HEADER, fresh.token);
        reply.header(REISSUED_EXPIRES_HEADER, new Date(fresh.exp * 1000).toISOString());
      } else {
        app.setSessionCookie(reply, fresh.token, Math.max(1, fresh.exp - Math.floor(now / 1000)));
      }
    }

    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const config = request.routeOptions.config;
      if (config.public) {
        // Public pages still know a signed-in member of staff (for the header), without requiring one.
        if (!isApiRequest(request) && request.cookies[SESSION_COOKIE])
          request.staff = (await identify(request))?.staff;
        return;
      }
      const roles = config.auth;
      if (!roles) return; // 404 handler and HEAD twins
      const found = await identify(request);
      if (!found) {
        if (!isApiRequest(request) && request.method === 'GET') {
          reply.clearCookie(SESSION_COOKIE, { path: '/' });
          return reply.page(
            'auth/views/sign-in.njk',
            { pageTitle: 'Sign in', returnTo: request.url, notice: 'Sign in to continue' },
            401,
          );
        }
        throw new AppError(401, 'auth.required', 'Sign in to continue');
      }
      const { staff, exp } = found;
      request.staff = staff;
      if (!roles.includes(staff.role))
        throw new AppError(403, 'forbidden', 'You do not have permission to do this');
      if (config.reissue !== false) reissue(request, reply, staff, exp);
      if (config.reauth && !reauthenticatedLately(staff)) {
        if (isApiRequest(request)) throw REAUTH_REQUIRED;
        const back = config.reauth === true ? request.url : config.reauth.returnTo(request);
        return reply.redirect(`/reauth?returnTo=${encodeURIComponent(back)}`, 303);
      }
    });
  },
  { name: 'auth', dependencies: ['security', 'views'] },
);

export const REAUTH_REQUIRED = new AppError(
  401,
  'auth.reauth_required',
  'Confirm your password and code with a reason (POST /api/auth/reauth), then try again within 5 minutes',
);

export const STAFF: readonly Role[] = ['caseworker', 'manager', 'admin'];
export const CASEWORK: readonly Role[] = ['caseworker', 'manager'];
export const MANAGERS: readonly Role[] = ['manager'];
export const ADMINS: readonly Role[] = ['admin'];

/** A member of the public on a public form: no staff id, the request's IP for the audit trail. */
export const publicActor = (request: FastifyRequest): Actor => ({
  ...request.actor(),
  role: 'public',
});
