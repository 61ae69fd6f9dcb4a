import type { JobDefinition } from './types.js';

/** Daily at 10:00 London (docs/rules/surveys.md §7): due reminder waves; UNIQUE stops doubles. */
export const surveyReminderWavesJob: JobDefinition<'survey-reminder-waves'> = {
  name: 'survey-reminder-waves',
  async process(_data, ctx) {
    return { created: await ctx.services.surveys.invitations.createReminderWaves() };
  },
};
