import type { Db } from '../../db/client.js';
import type { Config } from '../config.js';
import type { Clock } from '../lib/clock.js';
import type { MailTransport } from '../mail/transport.js';
import type { AuditLog } from '../platform/audit.js';
import { createSurveyAnalysts } from './analysts.js';
import { createSurveyAnswering } from './answering.js';
import { createBounceProcessor } from './bounces.js';
import { createSurveyBuilder } from './builder.js';
import { createDeliveryRepository } from './delivery-repository.js';
import { createSurveyImports } from './imports.js';
import { createSurveyInvitations } from './invitations.js';
import { createContactLists } from './lists.js';
import { createSurveysRepository } from './repository.js';
import { createResultsRepository } from './results-repository.js';
import { createSurveyResults } from './results.js';
import { SendWindow } from './send-window.js';
import { createSurveySending } from './sending.js';
import { createResumeMailer } from './resume-email.js';
import { createSurveyTokens } from './tokens.js';

/** The surveys domain's services, built once from the app's deps (workers build the same). */
export function createSurveysService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  config: Pick<
    Config,
    'jwtSecret' | 'publicUrl' | 'mailFrom' | 'mailDomain' | 'surveySend' | 'bounceImapUrl'
  >;
  transport: MailTransport;
}) {
  const { config } = deps;
  const repo = createSurveysRepository();
  const tokens = createSurveyTokens(config.jwtSecret);
  const deliveries = createDeliveryRepository(tokens.key);
  const builder = createSurveyBuilder({ ...deps, repo, publicUrl: config.publicUrl });
  const answering = createSurveyAnswering({ ...deps, repo, tokens });
  const results = createSurveyResults({ ...deps, repo, results: createResultsRepository() });
  const invitations = createSurveyInvitations({ ...deps, repo, deliveries, tokens });
  const sending = createSurveySending({
    db: deps.db,
    clock: deps.clock,
    deliveries,
    tokens,
    transport: deps.transport,
    from: config.mailFrom,
    mailDomain: config.mailDomain,
    publicUrl: config.publicUrl,
    leaseMs: config.surveySend.leaseMs,
  });
  const processBounce = createBounceProcessor({ ...deps, deliveries, tokens });
  return {
    builder,
    answering,
    results,
    invitations,
    sending,
    tokens,
    processBounce,
    imports: createSurveyImports({ ...deps, repo }),
    lists: createContactLists(deps),
    resumeMailer: createResumeMailer({
      transport: deps.transport,
      from: config.mailFrom,
      mailDomain: config.mailDomain,
    }),
    analysts: createSurveyAnalysts(deps),
    bounceImapUrl: config.bounceImapUrl,
    // Counts each send until a window after it ended, so arrivals at the relay stay within
    // the limit whatever the delays (send-window.ts).
    sendWindow: config.surveySend.limit
      ? new SendWindow(config.surveySend.limit.max, config.surveySend.limit.duration)
      : undefined,
    settings: config.surveySend,
  };
}
export type SurveysService = ReturnType<typeof createSurveysService>;
