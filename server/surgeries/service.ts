/**
 * The surgeries domain, composed once from its parts (each its own file): booking,
 * schedule, waiting list, reminders and the day itself.
 */
import type { Db } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { MailService } from '../mail/service.js';
import type { AuditLog } from '../platform/audit.js';
import { createBookingService } from './booking.js';
import { createDayService, type OpenCase } from './day.js';
import { createSurgeryEmails } from './emails.js';
import { createReminderService } from './reminders.js';
import { createRetentionService } from './retention.js';
import { createSurgeriesRepository } from './repository.js';
import { createScheduleService } from './schedule.js';
import { createTokens } from './tokens.js';
import { createWaitlistService } from './waitlist.js';
import { createPublicSurgeriesQuery } from './public.js';
import { createSurgeryStats } from './stats.js';

export interface SurgeriesDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  mail: MailService;
  openCase: OpenCase;
  secret: string;
  mailDomain: string;
  mailFrom: string;
  publicUrl: string;
  officeName: string;
  officePhone?: string;
  holdMs?: number;
  /** The reminder send's deadline (tests shorten it); 15 s otherwise. */
  reminderSendTimeoutMs?: number | undefined;
}

export function createSurgeriesService(deps: SurgeriesDeps) {
  const { db, clock, audit, mail } = deps;
  const repo = createSurgeriesRepository();
  const tokens = createTokens(deps.secret);
  const emails = createSurgeryEmails({
    db,
    clock,
    mail,
    repo,
    tokens,
    mailDomain: deps.mailDomain,
    mailFrom: deps.mailFrom,
    publicUrl: deps.publicUrl,
    officeName: deps.officeName,
    officePhone: deps.officePhone ?? '01632 960 000',
  });
  emails.register();
  const booking = createBookingService({ db, clock, audit, repo, emails, tokens });
  return {
    repo,
    booking,
    schedule: createScheduleService({ db, clock, audit, repo, emails, booking }),
    waitlist: createWaitlistService({
      db,
      clock,
      audit,
      repo,
      emails,
      tokens,
      booking,
      holdMs: deps.holdMs,
    }),
    reminders: createReminderService({
      db,
      clock,
      repo,
      mail,
      emails,
      booking,
      mailDomain: deps.mailDomain,
      sendTimeoutMs: deps.reminderSendTimeoutMs,
    }),
    retention: createRetentionService({ db, clock, audit }),
    day: createDayService({ db, clock, audit, repo, openCase: deps.openCase }),
    public: createPublicSurgeriesQuery({ db, clock, repo }),
    stats: createSurgeryStats({ db, clock }),
    calendar: emails.calendarText,
    db,
    clock,
  };
}
export type SurgeriesService = ReturnType<typeof createSurgeriesService>;
