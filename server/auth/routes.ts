import { SESSION_COOKIE, STAFF } from '../platform/auth.js';
import { localPath } from '../lib/local-path.js';
import { AppError } from '../platform/errors.js';
import { accountLimit } from '../platform/rate-limits.js';
import { Credentials, RefreshResponse, SignInForm, TokenResponse } from './schemas.js';
import { setMfaCookie, setSessionCookie } from './mfa-routes.js';
import { MFA_REQUIRED } from './errors.js';
import { MFA_STEP_MS, type AuthService } from './service.js';
import { pageRoute, publicPageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

/** Only same-site paths: an open redirect after sign-in would help phishing. */
const safeReturn = (value: string | undefined) => localPath(value, '/staff');

/** Per account and address; 503 while the limit's store is down (docs/rules/security.md §6). */
const signInRateLimit = { rateLimit: accountLimit('sign-in') };

export async function authRoutes(app: App, opts: { auth: AuthService }) {
  const { auth } = opts;

  app.get('/sign-in', publicPageRoute(), async (request, reply) => {
    if (request.staff) return reply.redirect('/staff');
    return reply.page('auth/views/sign-in.njk', { pageTitle: 'Sign in' });
  });

  app.post(
    '/sign-in',
    publicPageRoute({ body: SignInForm }, signInRateLimit),
    async (request, reply) => {
      const { email, password, returnTo } = request.body;
      const errors: Record<string, string> = {};
      if (!email.trim()) errors.email = 'Enter your email address';
      if (!password) errors.password = 'Enter your password';
      if (Object.keys(errors).length > 0) {
        return reply.page(
          'auth/views/sign-in.njk',
          { pageTitle: 'Sign in', errors, values: { email }, returnTo },
          400,
        );
      }
      try {
        const result = await auth.signIn({
          email,
          password,
          ip: request.ip,
          audience: 'web',
          requestId: request.id,
          returnTo: safeReturn(returnTo),
        });
        if (result.kind === 'mfa') {
          setMfaCookie(reply, result.pendingToken, MFA_STEP_MS / 1000);
          return reply.redirect(
            result.need === 'enrol' ? '/sign-in/mfa/setup' : '/sign-in/mfa',
            303,
          );
        }
        setSessionCookie(reply, result.token);
        return reply.redirect(safeReturn(returnTo), 303);
      } catch (error) {
        if (error instanceof AppError && (error.statusCode === 401 || error.statusCode === 429)) {
          return reply.page(
            'auth/views/sign-in.njk',
            { pageTitle: 'Sign in', errors: { email: error.message }, values: { email }, returnTo },
            error.statusCode,
          );
        }
        throw error;
      }
    },
  );

  app.post('/sign-out', pageRoute(STAFF, {}, { reissue: false }), async (request, reply) => {
    await auth.signOut(request.staff!, request.id);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/sign-in', 303);
  });

  // A GET that only shows a confirm button: GET never changes state.
  app.get('/sign-out', pageRoute(STAFF), async (_request, reply) =>
    reply.page('auth/views/sign-out.njk', { pageTitle: 'Sign out' }),
  );

  app.post(
    '/api/auth/token',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Exchange an email, password and (once enrolled) authenticator code `otp` for a Bearer token',
        body: Credentials,
        response: { 200: TokenResponse },
      },
      config: { public: true, ...signInRateLimit },
    },
    async (request) => {
      const result = await auth.signIn({
        email: request.body.email,
        password: request.body.password,
        ...(request.body.otp ? { otp: request.body.otp } : {}),
        ip: request.ip,
        audience: 'api',
        requestId: request.id,
      });
      // The API never gets a pending step: signIn answers it with 401/403 instead.
      if (result.kind !== 'session') throw MFA_REQUIRED;
      return {
        token: result.token,
        expiresAt: result.expiresAt.toISOString(),
        sessionExpiresAt: result.sessionExpiresAt.toISOString(),
      };
    },
  );

  app.post(
    '/api/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange the Bearer token in use for a fresh 15-minute one, same session',
        description:
          'Tokens last 15 minutes. Once the token sent has under 5 minutes left, every API response also carries a new one in the `X-Session-Token` header (its end in `X-Session-Token-Expires`); this endpoint reissues on demand. Either way the session stays the same: 30 minutes without a request or 10 hours after sign-in (`sessionExpiresAt`) it ends and `/api/auth/token` is needed again.',
        security: [{ bearer: [] }],
        response: { 200: RefreshResponse },
      },
      config: { auth: STAFF, reissue: false },
    },
    async (request) => {
      const staff = request.staff!;
      const fresh = auth.reissue(staff);
      return {
        token: fresh.token,
        expiresAt: fresh.expiresAt.toISOString(),
        sessionExpiresAt: staff.sessionEndsAt.toISOString(),
      };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke the Bearer token in use',
        security: [{ bearer: [] }],
      },
      config: { auth: STAFF, reissue: false },
    },
    async (request, reply) => {
      await auth.signOut(request.staff!, request.id);
      return reply.code(204).send();
    },
  );
}
