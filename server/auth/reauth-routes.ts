import { Type } from '@sinclair/typebox';
import { localPath } from '../lib/local-path.js';
import type { Clock } from '../lib/clock.js';
import { STAFF } from '../platform/auth.js';
import { AppError } from '../platform/errors.js';
import type { MfaService } from './mfa.js';
import { ReauthBody, ReauthForm, ReauthResponse } from './schemas.js';
import { REAUTH_WINDOW_MS, type AuthService } from './service.js';
import { pageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

const ReauthQuery = Type.Object(
  { returnTo: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

const reauthRateLimit = { rateLimit: { max: 30, timeWindow: '1 minute' } };
const JUSTIFICATION_MISSING = 'Enter why you need to do this';

/**
 * Re-authentication (§1 "R", §9 #12): the password again, a code once enrolled, and a
 * reason. It stamps the session for 5 minutes; routes declaring `config.reauth` need it.
 */
export async function reauthRoutes(
  app: App,
  opts: { auth: AuthService; mfa: MfaService; clock: Clock },
) {
  const { auth, mfa, clock } = opts;

  app.post(
    '/api/auth/reauth',
    {
      schema: {
        tags: ['auth'],
        summary: 'Re-authenticate (password, `otp` once enrolled, and a justification)',
        description:
          'Actions the role table marks R (the raw special-category export, MFA changes, and later erasure and SAR exports) answer 401 `auth.reauth_required` unless the session re-authenticated here in the last 5 minutes. The justification is recorded with the re-authentication and in the audit rows of the actions that follow within the 5 minutes. A wrong password or code counts towards the sign-in lock.',
        security: [{ bearer: [] }],
        body: ReauthBody,
        response: { 200: ReauthResponse },
      },
      config: { auth: STAFF, ...reauthRateLimit },
    },
    async (request) => {
      const justification = request.body.justification.trim();
      if (!justification)
        throw new AppError(400, 'validation', JUSTIFICATION_MISSING, {
          justification: JUSTIFICATION_MISSING,
        });
      await auth.reauthenticate(request.staff!, {
        password: request.body.password,
        code: request.body.otp,
        justification,
        ip: request.ip,
        requestId: request.id,
      });
      const at = clock.now();
      return {
        reauthenticatedAt: at.toISOString(),
        validUntil: new Date(at.getTime() + REAUTH_WINDOW_MS).toISOString(),
      };
    },
  );

  const form = async (request: { staff?: { id: string } }) => ({
    pageTitle: 'Confirm it is you',
    needsCode: (await mfa.status(request.staff!.id)).enrolled,
  });

  app.get('/reauth', pageRoute(STAFF, { querystring: ReauthQuery }), async (request, reply) =>
    reply.page('auth/views/reauth.njk', {
      ...(await form(request)),
      returnTo: localPath(request.query.returnTo, '/staff'),
    }),
  );

  app.post(
    '/reauth',
    pageRoute(STAFF, { body: ReauthForm }, reauthRateLimit),
    async (request, reply) => {
      const returnTo = localPath(request.body.returnTo, '/staff');
      const justification = request.body.justification.trim();
      const values = { justification: request.body.justification };
      const errors: Record<string, string> = {};
      if (!request.body.password) errors.password = 'Enter your password';
      if (!justification) errors.justification = JUSTIFICATION_MISSING;
      if (Object.keys(errors).length > 0)
        return reply.page(
          'auth/views/reauth.njk',
          { ...(await form(request)), returnTo, errors, values },
          400,
        );
      try {
        await auth.reauthenticate(request.staff!, {
          password: request.body.password,
          code: request.body.code,
          justification,
          ip: request.ip,
          requestId: request.id,
        });
      } catch (error) {
        if (error instanceof AppError && (error.statusCode === 401 || error.statusCode === 429)) {
          const field = error.code.startsWith('auth.mfa') ? 'code' : 'password';
          return reply.page(
            'auth/views/reauth.njk',
            { ...(await form(request)), returnTo, errors: { [field]: error.message }, values },
            error.statusCode,
          );
        }
        throw error;
      }
      return reply.redirect(returnTo, 303);
    },
  );
}
