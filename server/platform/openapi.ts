import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { STAFF } from './auth.js';

/**
 * OpenAPI generated from the route schemas; the reference UI lives at /api/docs. `docs`
 * (API_DOCS): `public` serves both to anyone (development), `staff` serves the JSON to a
 * Bearer token holder only, `off` (the production default) serves neither (§9 #32).
 */
export const openapiPlugin = fp(
  async (app: FastifyInstance, opts: { docs: 'public' | 'staff' | 'off' }) => {
    if (opts.docs === 'off') return;
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'OPCC casework API',
          version: '1.0.0',
          description:
            'JSON API for integrations and scripts. Staff endpoints take a Bearer token from POST /api/auth/token. Tokens last 15 minutes: once the token sent has under 5 minutes left, responses carry a new one for the same session in the `X-Session-Token` header (its end in `X-Session-Token-Expires`), and POST /api/auth/refresh reissues on demand. A session ends 30 minutes after its last request or 10 hours after sign-in. Actions needing re-authentication answer 401 `auth.reauth_required` until POST /api/auth/reauth (password, `otp`, justification) within the last 5 minutes.',
        },
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
    });
    if (opts.docs === 'public') {
      await app.register(swaggerUi, {
        routePrefix: '/api/docs',
        staticCSP: true,
        transformSpecificationClone: true,
        uiConfig: { docExpansion: 'list' },
      });
    }
    app.get(
      '/api/openapi.json',
      {
        config: opts.docs === 'public' ? { public: true } : { auth: STAFF },
        schema: { hide: true },
      },
      async () => app.swagger(),
    );
  },
  { name: 'openapi', dependencies: ['auth'] },
);
