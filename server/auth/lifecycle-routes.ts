import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { AppError } from '../platform/errors.js';
import { accountLimit } from '../platform/rate-limits.js';
import { CsrfField } from '../platform/schemas.js';
import { LINK_PATH, type AccountLinks, type LinkPurpose } from './lifecycle.js';
import { publicPageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

const EmailForm = Type.Object(
  { _csrf: CsrfField, email: Type.String({ maxLength: 254 }) },
  { additionalProperties: false },
);
const PasswordForm = Type.Object(
  { _csrf: CsrfField, password: Type.String({ maxLength: 256 }) },
  { additionalProperties: false },
);
// Checked against the database, not the pattern, so a malformed link reads like a used one.
const TokenParams = Type.Object(
  { token: Type.String({ maxLength: 100 }) },
  { additionalProperties: false },
);

/** Reset requests count with sign-in attempts' spirit: a few a minute per address. */
/** Per account (email or link) and address; 503 while the limit's store is down (§6). */
const resetRateLimit = { rateLimit: accountLimit('reset') };

const TITLES: Record<LinkPurpose, string> = {
  invite: 'Set your password',
  reset: 'Choose a new password',
};

/** Forgotten passwords and activation links; the link only ever leads back to sign-in. */
export async function lifecycleRoutes(app: App, opts: { links: AccountLinks }) {
  const { links } = opts;

  app.get('/forgot-password', publicPageRoute(), async (_request, reply) =>
    reply.page('auth/views/forgot-password.njk', { pageTitle: 'Reset your password' }),
  );

  app.post(
    '/forgot-password',
    publicPageRoute({ body: EmailForm }, resetRateLimit),
    async (request, reply) => {
      const email = request.body.email.trim();
      if (!email) {
        return reply.page(
          'auth/views/forgot-password.njk',
          { pageTitle: 'Reset your password', errors: { email: 'Enter your email address' } },
          400,
        );
      }
      await links.requestReset(email, request.actor());
      reply.header('cache-control', 'no-store');
      return reply.page('auth/views/forgot-password.njk', {
        pageTitle: 'Check your email',
        sent: true,
        email,
      });
    },
  );

  for (const purpose of ['invite', 'reset'] as const) {
    const path = LINK_PATH[purpose];
    const render = (reply: FastifyReply, token: string, extra: object, status = 200) => {
      reply.header('cache-control', 'no-store');
      return reply.page(
        'auth/views/set-password.njk',
        { pageTitle: TITLES[purpose], action: `${path}/${token}`, ...extra },
        status,
      );
    };

    // GET only shows the form: a link scanner following it must not spend it (§8).
    app.get(`${path}/:token`, publicPageRoute({ params: TokenParams }), async (request, reply) => {
      const { token } = request.params;
      if (!(await links.check(purpose, token))) return render(reply, token, { invalid: true }, 400);
      return render(reply, token, {});
    });

    app.post(
      `${path}/:token`,
      publicPageRoute({ params: TokenParams, body: PasswordForm }, resetRateLimit),
      async (request, reply) => {
        const { token } = request.params;
        try {
          await links.setPassword(purpose, token, request.body.password, request.actor());
        } catch (error) {
          if (!(error instanceof AppError) || error.statusCode !== 400) throw error;
          if (error.code === 'auth.link_invalid')
            return render(reply, token, { invalid: true }, 400);
          return render(reply, token, { errors: error.fields }, 400);
        }
        return reply.page(
          'auth/views/sign-in.njk',
          {
            pageTitle: 'Sign in',
            notice: 'Your password is set. Sign in with it and your authenticator app.',
          },
          200,
        );
      },
    );
  }
}
