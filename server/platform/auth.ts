import { createHash } from 'node:crypto';
import jwt from '@fastify/jwt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Clock } from '../lib/clock.js';
import type { AuthService, StaffIdentity, TokenClaims } from '../auth/service.js';
import type { Role } from '../users/repository.js';
import type { Actor } from './audit.js';
import { AppError, isApiRequest } from './errors.js';

export const SESSION_COOKIE = '__Host-opcc_session';
export const TOKEN_ISSUER = 'opcc-crm';
/** Verified tokens remembered (a few hundred bytes each): every signed-in person, many times over. */
const VERIFIED_TOKENS_KEPT = 2_000;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed; every route must declare `auth` or `public: true`, or boot fails. */
    auth?: readonly Role[];
    public?: boolean;
  }
  interface FastifyInstance {
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

type Claims = TokenClaims & { exp?: number };

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
      // Pinned: an unpinned verifier accepts whatever algorithm the token names.
      verify: { algorithms: ['HS256'], allowedIss: TOKEN_ISSUER, ignoreExpiration: true },
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
      return {
        id: this.staff?.id ?? null,
        role: this.staff?.role ?? null,
        requestId: this.id,
        ip: this.ip,
      };
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
        // Pinned algorithm and issuer from registration; only the key differs.
        claims = app.jwt.verify<Claims>(token, { key } as never);
      } catch {
        return undefined;
      }
      if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
      verified.set(token, claims);
      return claims;
    }

    async function identify(request: FastifyRequest): Promise<StaffIdentity | undefined> {
      const api = isApiRequest(request);
      const token = api ? bearerToken(request) : request.cookies[SESSION_COOKIE];
      if (!token) return undefined;
      const claims = verifiedClaims(token);
      if (!claims) return undefined;
      if (claims.aud !== (api ? 'api' : 'web')) return undefined;
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= opts.clock.now().getTime())
        return undefined;
      return opts.authService().resolve(claims);
    }

    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const config = request.routeOptions.config;
      if (config.public) {
        // Public pages still know a signed-in member of staff (for the header), without requiring one.
        if (!isApiRequest(request) && request.cookies[SESSION_COOKIE])
          request.staff = await identify(request);
        return;
      }
      const roles = config.auth;
      if (!roles) return; // 404 handler and HEAD twins
      const staff = await identify(request);
      if (!staff) {
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
      request.staff = staff;
      if (!roles.includes(staff.role))
        throw new AppError(403, 'forbidden', 'You do not have permission to do this');
    });
  },
  { name: 'auth', dependencies: ['security', 'views'] },
);

export const STAFF: readonly Role[] = ['caseworker', 'manager', 'admin'];
export const CASEWORK: readonly Role[] = ['caseworker', 'manager'];
export const MANAGERS: readonly Role[] = ['manager'];
export const ADMINS: readonly Role[] = ['admin'];
