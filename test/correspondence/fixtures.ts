import type { FastifyInstance } from 'fastify';
import type { Actor } from '../../server/platform/audit.js';
import type { NewCaseInput } from '../../server/correspondence/service.js';
import type { TestUser } from '../helpers/auth.js';

/** The service-level actor for a test user (what routes build from the request). */
export const actorOf = (user: TestUser): Actor => ({
  id: user.id,
  role: user.role,
  requestId: null,
});

let n = 0;
/** A valid staff-entry case; override what the test is about. */
export function newCase(overrides: Partial<NewCaseInput> = {}): NewCaseInput {
  n += 1;
  return {
    type: 'general',
    channel: 'letter',
    receivedAt: '2026-11-20T09:00:00Z',
    subject: `Street lighting on Mill Road ${n}`,
    body: 'The lights have been out for a week and people feel unsafe walking home.',
    contact: { name: `Sam Example ${n}` },
    ...overrides,
  };
}

/** Creates a case through the real service. */
export async function makeCase(
  app: FastifyInstance,
  user: TestUser,
  overrides: Partial<NewCaseInput> = {},
) {
  return app.services.correspondence.createCase(actorOf(user), newCase(overrides));
}
