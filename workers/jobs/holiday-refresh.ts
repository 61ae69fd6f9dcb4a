import type { FetchLike } from '../../server/deadlines/service.js';
import type { JobDefinition } from './types.js';

/**
 * `holiday-refresh` (docs/rules/deadlines.md §2), daily at 06:15 London time: tops up the bundled
 * snapshot, then fetches gov.uk. The fetch function is injected so tests use a fixture.
 */
export function createHolidayRefreshJob(
  fetchImpl: FetchLike = (url, init) => fetch(url, init),
): JobDefinition<'holiday-refresh'> {
  return {
    name: 'holiday-refresh',
    async process(_data, ctx) {
      await ctx.services.deadlines.loadBundle();
      const result = await ctx.services.deadlines.refreshHolidays(fetchImpl);
      if (!result.ok) ctx.log(`holiday-refresh: gov.uk unavailable (${result.error ?? ''})`);
      return result;
    },
  };
}

export const holidayRefreshJob = createHolidayRefreshJob();
