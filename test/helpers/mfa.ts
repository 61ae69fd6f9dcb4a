import type { FastifyInstance } from 'fastify';
import { generate } from 'otplib';
import type { Clock } from '../../server/lib/clock.js';

/** The code an authenticator app would show at `clock`'s time, `stepsAgo` steps back. */
export async function totpCode(secret: string, clock: Clock, stepsAgo = 0): Promise<string> {
  const epoch = Math.floor(clock.now().getTime() / 1000) - stepsAgo * 30;
  return generate({ secret, epoch });
}

/**
 * Enrols a user through the real MFA service, as the setup page would. The confirming code
 * uses up the current step, so callers move the clock on 30 s before the next code.
 */
export async function enrolMfa(
  app: FastifyInstance,
  clock: Clock,
  userId: string,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const { secret } = await app.services.mfa.begin(userId);
  const recoveryCodes = await app.services.mfa.confirm(
    { id: userId, role: null, requestId: null },
    userId,
    await totpCode(secret, clock),
  );
  return { secret, recoveryCodes };
}
