import { randomUUID } from 'node:crypto';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DbClient } from '../db/client.js';
import { StartupError } from '../db/errors.js';
import type { QueueBackend } from '../workers/queues.js';
import { createAttachmentScanService, type AttachmentScanService } from './attachments/scan.js';
import { createAuthService, type AuthService, type TokenClaims } from './auth/service.js';
import { authRoutes } from './auth/routes.js';
import { createMfaService, type MfaService } from './auth/mfa.js';
import { mfaRoutes } from './auth/mfa-routes.js';
import { createBreachCheck, type BreachLog } from './auth/breached.js';
import { createAccountLinks, type AccountLinks } from './auth/lifecycle.js';
import { lifecycleRoutes } from './auth/lifecycle-routes.js';
import { reauthRoutes } from './auth/reauth-routes.js';
import type { Config } from './config.js';
import { homeRoutes } from './home/routes.js';
import type { Clock } from './lib/clock.js';
import { CASE_TYPE_LABELS } from './lib/deadline-rules.js';
import { createMailService, type MailService } from './mail/service.js';
import { mailRoutes } from './mail/routes.js';
import type { MailTransport } from './mail/transport.js';
import { createContactsRepository } from './contacts/repository.js';
import { contactsRoutes } from './contacts/routes.js';
import { createContactsService, type ContactsService } from './contacts/service.js';
import { createCaseGateway } from './correspondence/gateway.js';
import { createCorrespondenceRepository } from './correspondence/repository.js';
import { caseClockRoutes } from './correspondence/clock-routes.js';
import { CalculateBody } from './correspondence/clock-schemas.js';
import { correspondenceRoutes } from './correspondence/routes.js';
import {
  createCorrespondenceService,
  type CorrespondenceService,
} from './correspondence/service.js';
import { deadlinesRoutes } from './deadlines/routes.js';
import { createCalendarService, type CalendarService } from './deadlines/calendar.js';
import { createDeadlinesService, type DeadlinesService } from './deadlines/service.js';
import { intakeRoutes } from './intake/routes.js';
import { INTAKE_TIMELINE_WORDING } from './intake/timeline-wording.js';
import { createIntakeService, type IntakeService } from './intake/service.js';
import { repliesRoutes } from './replies/routes.js';
import { REPLY_TIMELINE_WORDING } from './replies/timeline-wording.js';
import { createRepliesService, mailboxSender, type RepliesService } from './replies/service.js';
import { disclosureRoutes } from './disclosure/routes.js';
import { createDisclosureService, type DisclosureService } from './disclosure/service.js';
import { createAuditLog, type AuditLog } from './platform/audit.js';
import { createSecurityEvents, type SecurityEvents } from './platform/security-events.js';
import { securityEventsPlugin, securityEventsRoutes } from './platform/security-events-routes.js';
import { authPlugin } from './platform/auth.js';
import { availabilityPlugin } from './platform/availability.js';
import { errorsPlugin, rewriteBadUrl } from './platform/errors.js';
import { loggerOptions, type LogStream } from './platform/logging.js';
import { healthRoutes } from './platform/health.js';
import { metricsPlugin } from './platform/metrics.js';
import { openapiPlugin } from './platform/openapi.js';
import { queuesRoutes } from './platform/queues-dashboard.js';
import { limiterRedisClient } from './platform/rate-limits.js';
import { createSuppressionList } from './mail/suppressions.js';
import { securityPlugin } from './platform/security.js';
import { noStorePlugin } from './platform/security-headers.js';
import { statsRoutes } from './stats/routes.js';
import { createStatsService } from './stats/service.js';
import { surgeriesRoutes } from './surgeries/routes.js';
import { createSurgeriesService, type SurgeriesService } from './surgeries/service.js';
import { createSurveysService, type SurveysService } from './surveys/service.js';
import { surveysRoutes } from './surveys/plugin.js';
import { complaintsRoutes } from './complaints/routes.js';
import { createComplaintsService, type ComplaintsService } from './complaints/service.js';
import { govukDist, mojDist, publicDir, viewsPlugin } from './platform/views.js';
import { createUsersRepository } from './users/repository.js';
import { usersRoutes } from './users/routes.js';
import { createUsersService, type UsersService } from './users/service.js';

export interface AppDeps {
  config: Config;
  db: DbClient;
  queues: QueueBackend;
  mailTransport: MailTransport;
  clock: Clock;
  /** Log destination; stdout when absent. */
  logStream?: LogStream;
}

/** Every service, built once from the deps; workers build the same set. */
export interface Services {
  audit: AuditLog;
  users: UsersService;
  auth: AuthService;
  mfa: MfaService;
  links: AccountLinks;
  mail: MailService;
  contacts: ContactsService;
  correspondence: CorrespondenceService;
  replies: RepliesService;
  disclosure: DisclosureService;
  deadlines: DeadlinesService;
  /** The one source of working days (the clock's calendar). */
  calendar: CalendarService;
  intake: IntakeService;
  attachmentScan: AttachmentScanService;
  surgeries: SurgeriesService;
  surveys: SurveysService;
  complaints: ComplaintsService;
  /** Security events (docs/rules/security.md §7): their own store, 90 days, admins read them. */
  securityEvents: SecurityEvents;
}

const cannotSign = (): string => {
  throw new Error('Tokens are signed only by the web server');
};

export function createServices(
  deps: Omit<AppDeps, 'queues'> & {
    /** Where service warnings go (the server's logger); stderr as JSON when absent. */
    log?: BreachLog;
  },
  sign: (claims: TokenClaims, expiresInSeconds: number) => string = cannotSign,
): Services {
  const { db, clock, config } = deps;
  const audit = createAuditLog(clock, db.serial);
  const usersRepo = createUsersRepository(clock);
  const mfa = createMfaService({
    db: db.db,
    repo: usersRepo,
    audit,
    clock,
    key: config.mfaKey,
    issuer: config.officeName,
    requiredRoles: config.mfaRequiredRoles,
  });
  const mail = createMailService({
    db: db.db,
    clock,
    transport: deps.mailTransport,
    from: config.mailFrom,
    domain: config.mailDomain,
    suppressions: createSuppressionList(config.jwtSecret),
  });
  const breached = createBreachCheck({
    url: config.pwnedPasswordsUrl,
    log: deps.log ?? {
      warn: (obj, msg) =>
        void process.stderr.write(`${JSON.stringify({ level: 40, ...obj, msg })}\n`),
    },
  });
  const links = createAccountLinks({
    breached,
    db: db.db,
    repo: usersRepo,
    audit,
    clock,
    mail,
    secret: config.jwtSecret,
    publicUrl: config.publicUrl,
    officeName: config.officeName,
  });
  const contacts = createContactsService({
    db: db.db,
    repo: createContactsRepository(),
    audit,
    clock,
  });
  const calendar = createCalendarService({ db: db.db, clock });
  const deadlines = createDeadlinesService({
    db: db.db,
    clock,
    calendar,
    audit,
    mail,
    mailDomain: config.mailDomain,
    mailFrom: config.mailFrom,
    publicUrl: config.publicUrl,
  });
  const attachmentScan = createAttachmentScanService({
    db: db.db,
    clock,
    audit,
    mail,
    clamdUrl: config.clamdUrl,
    publicUrl: config.publicUrl,
  });
  const correspondence = createCorrespondenceService({
    db: db.db,
    serialDb: db.serial,
    attachmentScan,
    repo: createCorrespondenceRepository(),
    audit,
    clock,
    mail,
    contacts,
    officeName: config.officeName,
    deadlines,
    calendar,
    timelineWording: { ...REPLY_TIMELINE_WORDING, ...INTAKE_TIMELINE_WORDING },
  });
  // Replies register their post-send hook with the mail service here, so workers get it too.
  // Replies, disclosure and intake reach cases through correspondence's public gateway.
  const cases = createCaseGateway(correspondence);
  const replies = createRepliesService({
    db: db.db,
    clock,
    audit,
    mail,
    cases,
    mailDomain: config.mailDomain,
    mailbox: {
      address: config.mailboxAddress,
      from: mailboxSender(config.mailFrom, config.mailboxAddress),
    },
    officeName: config.officeName,
    officeAddress: config.officeAddress,
  });
  const disclosure = createDisclosureService({ db: db.db, clock, audit, attachmentScan, cases });
  const surveys = createSurveysService({
    db: db.db,
    clock,
    audit,
    config,
    transport: deps.mailTransport,
  });
  // Complaints meet contacts and mail through plain functions, cases through the gateway.
  const complaints = createComplaintsService({
    db: db.db,
    clock,
    audit,
    mail,
    contacts: { resolve: (tx, actor, input) => contacts.resolve(tx, actor, input) },
    cases,
    deadlines,
    publicUrl: config.publicUrl,
    officeName: config.officeName,
    mailDomain: config.mailDomain,
  });
  // Surgeries open cases through correspondence's gateway (idempotent by source).
  const surgeries = createSurgeriesService({
    db: db.db,
    clock,
    audit,
    mail,
    secret: config.jwtSecret,
    mailDomain: config.mailDomain,
    mailFrom: config.mailFrom,
    publicUrl: config.publicUrl,
    officeName: config.officeName,
    reminderSendTimeoutMs: config.surgeryReminderSendMs,
    openCase: cases.createCase,
  });
  return {
    surgeries,
    complaints,
    audit,
    securityEvents: createSecurityEvents({ db: db.db, clock }),
    surveys,
    attachmentScan,
    replies,
    disclosure,
    deadlines,
    calendar,
    users: createUsersService({
      db: db.db,
      repo: usersRepo,
      audit,
      clock,
      invite: links.invite,
      breached,
    }),
    links,
    mfa,
    auth: createAuthService({
      db: db.db,
      repo: usersRepo,
      audit,
      clock,
      mfa,
      sign,
      onLocked: (tx, userId) => links.lockNotice(tx, userId),
    }),
    mail,
    contacts,
    correspondence,
    intake: createIntakeService({
      db: db.db,
      clock,
      audit,
      cases,
      mailDomain: config.mailDomain,
      imapUrl: config.imapUrl,
    }),
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

/** Request deadline of the HTTP server: never zero (docs/rules/security.md §9 #32). */
const REQUEST_TIMEOUT_MS = 30_000;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, clock } = deps;
  if (config.env === 'production') {
    // §9 #32: no request without a deadline in production (0 would switch one off).
    const off = Object.entries(config.handlerTimeouts ?? {}).filter(
      ([, ms]) => ms !== undefined && !(ms > 0),
    );
    if (off.length > 0)
      throw new StartupError(
        `Refusing to start in production with handler timeouts switched off: ${off.map(([name]) => name).join(', ')}`,
      );
  }
  const app = Fastify({
    logger: loggerOptions(config.logLevel, deps.logStream),
    trustProxy: config.trustProxy === false ? false : config.trustProxy,
    bodyLimit: 64 * 1024,
    requestTimeout: REQUEST_TIMEOUT_MS,
    genReqId: () => randomUUID(),
    rewriteUrl: rewriteBadUrl,
    // The availability plugin answers during close, in the API error shape.
    return503OnClosing: false,
    ajv: {
      customOptions: {
        removeAdditional: false,
        allErrors: true,
        coerceTypes: 'array',
        useDefaults: true,
        // A lenient form value is `type: ['string', 'array']` (platform/schemas.ts
        // LenientValue): allowed without strict mode's warning at every route's compile.
        allowUnionTypes: true,
      },
    },
  });

  await app.register(errorsPlugin);
  await app.register(metricsPlugin, {
    sql: deps.db.sql,
    queues: deps.queues,
    allow: config.metricsAllow,
    token: config.metricsToken,
  });
  await app.register(availabilityPlugin, { timeouts: config.handlerTimeouts });
  const limiterRedis = limiterRedisClient(app, config.redisUrl);
  let storeDownSince = 0;
  await app.register(securityPlugin, {
    cookieSecret: config.jwtSecret,
    publicUrl: config.publicUrl,
    rateLimit: {
      redis: limiterRedis,
      sql: limiterRedis ? undefined : deps.db.sql,
      nameSpace: `${config.queuePrefix}:rate-limit:`,
      allowList: config.rateLimitAllow,
      onStoreDown: (error) => {
        // One line a minute while it lasts, not one per request.
        if (Date.now() - storeDownSince < 60_000) return;
        storeDownSince = Date.now();
        app.log.warn(
          { err: error },
          'rate-limit store unavailable: sign-in refused (503), other limits counted in this process',
        );
      },
    },
  });
  await app.register(viewsPlugin, {
    officeName: config.officeName,
    virusScanning: config.clamdUrl !== undefined,
  });
  await app.register(fastifyStatic, {
    root: publicDir,
    prefix: '/static/',
    decorateReply: false,
    index: false,
  });
  await app.register(fastifyStatic, {
    root: `${govukDist}/govuk`,
    prefix: '/static/govuk/',
    decorateReply: false,
    index: false,
  });
  await app.register(fastifyStatic, {
    root: `${mojDist}/moj`,
    prefix: '/static/moj/',
    decorateReply: false,
    index: false,
  });
  await app.register(fastifyStatic, {
    root: `${govukDist}/govuk/assets`,
    prefix: '/assets/',
    decorateReply: false,
    index: false,
  });

  const services = createServices({ ...deps, log: app.log }, (claims, expiresIn) =>
    app.signToken(claims, expiresIn, clock.now().getTime()),
  );
  app.decorate('services', services);
  // The bundled bank holidays are upserted at every start (idempotent, never deletes).
  app.addHook('onReady', async () => {
    await services.deadlines.loadBundle();
  });
  await app.register(authPlugin, {
    secret: config.jwtSecret,
    ...(config.jwtPreviousSecret ? { previousSecret: config.jwtPreviousSecret } : {}),
    clock,
    authService: () => services.auth,
  });
  // Before any route: its onResponse hook sees every refusal (CSRF, 403, 429).
  await app.register(securityEventsPlugin, { events: services.securityEvents });
  await app.register(openapiPlugin, { docs: config.apiDocs });

  await app.register(noStorePlugin);

  await app.register(healthRoutes, {
    sql: deps.db.sql,
    pingQueue: () => deps.queues.ping(),
    isClosing: () => app.isClosing(),
  });
  // A manager's home shows the team's workload: the statistics' open/overdue by assignee.
  const teamStats = createStatsService({ db: deps.db.db, clock, calendar: services.calendar });
  await app.register(homeRoutes, {
    teamWorkload: () => teamStats.byAssignee(teamStats.today()),
  });
  await app.register(authRoutes, { auth: services.auth });
  await app.register(mfaRoutes, { auth: services.auth, mfa: services.mfa, clock });
  await app.register(reauthRoutes, { auth: services.auth, mfa: services.mfa, clock });
  await app.register(lifecycleRoutes, { links: services.links });
  await app.register(usersRoutes, { users: services.users, mfa: services.mfa });
  await app.register(securityEventsRoutes, { events: services.securityEvents });
  await app.register(contactsRoutes, { contacts: services.contacts });
  await app.register(correspondenceRoutes, {
    correspondence: services.correspondence,
  });
  await app.register(intakeRoutes, { intake: services.intake });
  await app.register(deadlinesRoutes, {
    deadlines: services.deadlines,
    // The calculator's case types and body are correspondence's (its regimes).
    typeLabels: CASE_TYPE_LABELS,
    calculateBody: CalculateBody,
  });
  await app.register(caseClockRoutes, { deadlines: services.deadlines });
  await app.register(repliesRoutes, { replies: services.replies });
  await app.register(disclosureRoutes, { disclosure: services.disclosure });
  await app.register(statsRoutes, { db: deps.db.db, clock, calendar: services.calendar });
  await app.register(surgeriesRoutes, {
    surgeries: services.surgeries,
    cookieSecure: config.publicUrl.startsWith('https:') || config.env !== 'development',
  });
  await app.register(surveysRoutes, { surveys: services.surveys, clock });
  await app.register(complaintsRoutes, { complaints: services.complaints });
  await app.register(mailRoutes, {
    mail: services.mail,
    transportKind: deps.mailTransport.kind,
    queueTestEmail: (to, actor) => services.mail.queueTest(to, actor, services.audit),
  });
  await app.register(queuesRoutes, {
    queues: deps.queues,
    db: deps.db.db,
    audit: services.audit,
    clock: deps.clock,
    relayPaused: deps.config.outboxRelayPaused,
  });
  return app;
}
