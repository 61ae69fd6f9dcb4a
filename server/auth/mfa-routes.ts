import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { localPath } from '../lib/local-path.js';
import type { Clock } from '../lib/clock.js';
import { SESSION_COOKIE, STAFF } from '../platform/auth.js';
import { AppError, notFound } from '../platform/errors.js';
import { accountLimit } from '../platform/rate-limits.js';
import { signInRequired } from './errors.js';
import type { MfaService } from './mfa.js';
import type { AuthService, TokenClaims } from './service.js';
import { pageRoute, publicPageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

/** Holds the 5-minute `aud: mfa` token between the password and the code (§3). */
export const MFA_COOKIE = '__Host-opcc_mfa';

const CodeForm = Type.Object(
  { _csrf: Type.String({ maxLength: 200 }), code: Type.String({ maxLength: 40 }) },
  { additionalProperties: false },
);

/** Per account and address; 503 while the limit's store is down (docs/rules/security.md §6). */
const codeRateLimit = { rateLimit: accountLimit('mfa') };

/** Base32 in groups of four, easier to type into an app by hand. */
const grouped = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

export function setSessionCookie(reply: FastifyReply, token: string) {
  reply.server.setSessionCookie(reply, token);
}

export function setMfaCookie(reply: FastifyReply, token: string, maxAgeSeconds: number) {
  reply.setCookie(MFA_COOKIE, token, {
    path: '/',
    httpOnly: true,
    secure: true,
    sameSite: 'lax',
    maxAge: maxAgeSeconds,
  });
}

async function qrSvg(reply: FastifyReply, uri: string) {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return reply.type('image/svg+xml').header('cache-control', 'no-store').send(svg);
}

export async function mfaRoutes(
  app: App,
  opts: { auth: AuthService; mfa: MfaService; clock: Clock },
) {
  const { auth, mfa, clock } = opts;

  /** The user whose password was accepted in the last 5 minutes, from the pending cookie. */
  async function pending(request: FastifyRequest) {
    const token = request.cookies[MFA_COOKIE];
    if (!token) return undefined;
    let claims: TokenClaims & { exp?: number; ret?: string };
    try {
      claims = app.jwt.verify(token, { clockTimestamp: clock.now().getTime() } as never);
    } catch {
      return undefined;
    }
    if (claims.aud !== 'mfa' || typeof claims.exp !== 'number') return undefined;
    if (claims.exp * 1000 <= clock.now().getTime()) return undefined;
    const user = await auth.pendingUser(claims);
    return user ? { user, returnTo: localPath(claims.ret, '/staff') } : undefined;
  }

  const startAgain = (reply: FastifyReply) => {
    reply.clearCookie(MFA_COOKIE, { path: '/' });
    return reply.page(
      'auth/views/sign-in.njk',
      { pageTitle: 'Sign in', notice: 'Your sign-in timed out. Sign in again.' },
      401,
    );
  };

  const codeError = (error: unknown) =>
    error instanceof AppError && [400, 401, 409, 429].includes(error.statusCode)
      ? error
      : undefined;

  app.get('/sign-in/mfa', publicPageRoute(), async (request, reply) => {
    if (!(await pending(request))) return startAgain(reply);
    return reply.page('auth/views/mfa.njk', { pageTitle: 'Enter your security code' });
  });

  app.post(
    '/sign-in/mfa',
    publicPageRoute({ body: CodeForm }, codeRateLimit),
    async (request, reply) => {
      const found = await pending(request);
      if (!found) return startAgain(reply);
      try {
        const { token } = await auth.completeMfa(found.user, {
          code: request.body.code,
          ip: request.ip,
          requestId: request.id,
        });
        reply.clearCookie(MFA_COOKIE, { path: '/' });
        setSessionCookie(reply, token);
        return reply.redirect(found.returnTo, 303);
      } catch (error) {
        const known = codeError(error);
        if (!known) throw error;
        return reply.page(
          'auth/views/mfa.njk',
          { pageTitle: 'Enter your security code', errors: { code: known.message } },
          known.statusCode,
        );
      }
    },
  );

  const setupPage = (
    secret: string,
    action: string,
    qrUrl: string,
    errors?: Record<string, string>,
  ) => ({
    pageTitle: 'Set up your authenticator app',
    secretGroups: grouped(secret),
    action,
    qrUrl,
    errors,
  });

  app.get('/sign-in/mfa/setup', publicPageRoute(), async (request, reply) => {
    const found = await pending(request);
    if (!found || mfa.need(found.user) !== 'enrol') return startAgain(reply);
    const { secret } = await mfa.begin(found.user.id);
    return reply.page(
      'auth/views/mfa-setup.njk',
      setupPage(secret, '/sign-in/mfa/setup', '/sign-in/mfa/qr.svg'),
    );
  });

  app.get('/sign-in/mfa/qr.svg', publicPageRoute(), async (request, reply) => {
    const found = await pending(request);
    if (!found || mfa.need(found.user) !== 'enrol') throw signInRequired();
    return qrSvg(reply, (await mfa.begin(found.user.id)).uri);
  });

  app.post(
    '/sign-in/mfa/setup',
    publicPageRoute({ body: CodeForm }, codeRateLimit),
    async (request, reply) => {
      const found = await pending(request);
      if (!found || mfa.need(found.user) !== 'enrol') return startAgain(reply);
      try {
        const { token, recoveryCodes } = await auth.completeEnrolment(found.user, {
          code: request.body.code,
          ip: request.ip,
          requestId: request.id,
        });
        reply.clearCookie(MFA_COOKIE, { path: '/' });
        setSessionCookie(reply, token);
        reply.header('cache-control', 'no-store');
        return reply.page('auth/views/recovery-codes.njk', {
          pageTitle: 'Your recovery codes',
          codes: recoveryCodes,
          continueText: 'Continue',
          continueHref: found.returnTo,
        });
      } catch (error) {
        const known = codeError(error);
        if (!known) throw error;
        const { secret } = await mfa.begin(found.user.id);
        return reply.page(
          'auth/views/mfa-setup.njk',
          setupPage(secret, '/sign-in/mfa/setup', '/sign-in/mfa/qr.svg', { code: known.message }),
          known.statusCode,
        );
      }
    },
  );

  // Signed-in staff whose role does not yet require MFA can enrol themselves.
  app.get('/account/mfa', pageRoute(STAFF), async (request, reply) => {
    const state = await mfa.status(request.staff!.id);
    return reply.page('auth/views/mfa-account.njk', { pageTitle: 'Sign-in security', ...state });
  });

  // Setting up an app is an MFA change (§9 #12): the password again first (and a reason).
  app.get('/account/mfa/setup', pageRoute(STAFF, {}, { reauth: true }), async (request, reply) => {
    const state = await mfa.status(request.staff!.id);
    if (state.enrolled) return reply.redirect('/account/mfa', 303);
    const { secret } = await mfa.begin(request.staff!.id);
    return reply.page(
      'auth/views/mfa-setup.njk',
      setupPage(secret, '/account/mfa/setup', '/account/mfa/qr.svg'),
    );
  });

  // Only during enrolment: for an enrolled user `begin` would store a new pending seed, and a
  // GET never changes rows (§9 #21).
  app.get('/account/mfa/qr.svg', pageRoute(STAFF, {}, { reauth: true }), async (request, reply) => {
    if ((await mfa.status(request.staff!.id)).enrolled) throw notFound();
    return qrSvg(reply, (await mfa.begin(request.staff!.id)).uri);
  });

  app.post(
    '/account/mfa/setup',
    pageRoute(STAFF, { body: CodeForm }, { reauth: true, ...codeRateLimit }),
    async (request, reply) => {
      const state = await mfa.status(request.staff!.id);
      if (state.enrolled) return reply.redirect('/account/mfa', 303);
      try {
        const codes = await mfa.confirm(request.actor(), request.staff!.id, request.body.code);
        // Enrolling bumps the token version (§3): this session ends with it.
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.page('auth/views/recovery-codes.njk', {
          pageTitle: 'Your recovery codes',
          codes,
          continueText: 'Sign in again',
          continueHref: '/sign-in',
        });
      } catch (error) {
        const known = codeError(error);
        if (!known) throw error;
        const { secret } = await mfa.begin(request.staff!.id);
        return reply.page(
          'auth/views/mfa-setup.njk',
          setupPage(secret, '/account/mfa/setup', '/account/mfa/qr.svg', { code: known.message }),
          known.statusCode,
        );
      }
    },
  );
}
