import { sql } from 'drizzle-orm';
import type { SurveyInput } from '../../server/surveys/builder.js';
import type { SeedContext } from './context.js';
import { PCP_SURVEY, pcpResponses } from './pcp-2017.js';

/**
 * The 2017 Police and Crime Plan consultation with its 3,489 responses, made through the
 * surveys services as the public link would (the clock is set inside the consultation's
 * dates, Nov 2016 to Jan 2017, and put back after). Runs once: skipped if already there.
 */
export async function seedSurveys(ctx: SeedContext) {
  const { db, services, clock } = ctx;
  const title = PCP_SURVEY.title;
  const existing = await db.execute<{ id: string }>(
    sql`select id from surveys where title = ${title}`,
  );
  if (existing.length > 0) return;
  const now = clock.now();
  const manager = { id: ctx.managerId, role: 'manager', requestId: 'seed' };
  try {
    clock.set('2016-11-01T09:00:00Z');
    const survey = await services.surveys.builder.create(manager, {
      ...(PCP_SURVEY as unknown as SurveyInput),
      opensAt: '2016-11-01T00:00:00Z',
      closesAt: '2017-01-31T23:59:00Z',
    });
    await services.surveys.builder.open(manager, survey.id);
    clock.set('2016-12-01T12:00:00Z');
    const publicActor = { id: null, role: 'public', requestId: 'seed' };
    const all = pcpResponses();
    for (let i = 0; i < all.length; i += 50)
      await Promise.all(
        all
          .slice(i, i + 50)
          .map((answers) =>
            services.surveys.answering.submit(publicActor, survey.id, { channel: 'link' }, answers),
          ),
      );
    console.log(`seed: ${title} with ${all.length} responses`);
  } finally {
    clock.set(now);
  }
}
