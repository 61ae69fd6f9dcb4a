import type { JobDefinition } from './types.js';

/**
 * `security-events-purge`, nightly: deletes security events older than 90 days and the
 * PostgreSQL store's rate-limit counters whose window has ended (docs/rules/security.md §6, §7).
 */
export const securityEventsPurgeJob: JobDefinition<'security-events-purge'> = {
  name: 'security-events-purge',
  async process(_data, ctx) {
    const result = await ctx.services.securityEvents.purge();
    if (result.events + result.counters > 0)
      ctx.log(
        `security-events-purge: deleted ${result.events} events, ${result.counters} counters`,
      );
    return result;
  },
};
