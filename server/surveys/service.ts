import type { Db } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { AuditLog } from '../platform/audit.js';
import { createSurveyAnswering } from './answering.js';
import { createSurveyBuilder } from './builder.js';
import { createSurveysRepository } from './repository.js';
import { createResultsRepository } from './results-repository.js';
import { createSurveyResults } from './results.js';
import { createSurveyTokens } from './tokens.js';

/** The surveys domain's services, built once from the app's deps (workers build the same). */
export function createSurveysService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  secret: string;
  publicUrl: string;
}) {
  const repo = createSurveysRepository();
  const tokens = createSurveyTokens(deps.secret);
  const builder = createSurveyBuilder({ ...deps, repo });
  const answering = createSurveyAnswering({ ...deps, repo, tokens });
  const results = createSurveyResults({ ...deps, repo, results: createResultsRepository() });
  return { builder, answering, results, tokens };
}
export type SurveysService = ReturnType<typeof createSurveysService>;
