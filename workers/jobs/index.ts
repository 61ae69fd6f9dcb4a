import type { Services } from '../../server/app.js';
import type { JobName } from '../queues.js';
import { attachmentScanJob } from './attachment-scan.js';
import { bouncePollJob } from './bounce-poll.js';
import { deadlineDigestJob } from './deadline-digest.js';
import { deadlineNotifyJob } from './deadline-notify.js';
import { deadlineRebuildJob } from './deadline-rebuild.js';
import { emailJob } from './email.js';
import { mailPollJob } from './mail-poll.js';
import { holidayRefreshJob } from './holiday-refresh.js';
import { idempotencySweepJob } from './idempotency-sweep.js';
import { securityEventsPurgeJob } from './security-events-purge.js';
import { outboxReconcileJob } from './outbox-reconcile.js';
import { SCAN_SWEEP_EVERY_MS, scanSweepJob } from './scan-sweep.js';
import { slaScanJob } from './sla-scan.js';
import {
  surgeryHoldSweepJob,
  surgeryReminderJob,
  surgeryReminderSweepJob,
  surgeryRetentionSweepJob,
  waitlistOfferJob,
} from './surgeries.js';
import { surveyInviteJob } from './survey-invite.js';
import { surveyReconcileJob } from './survey-reconcile.js';
import { surveyReminderWavesJob } from './survey-reminder-waves.js';
import { surveySendWaveJob } from './survey-send-wave.js';
import {
  complaintScanJob,
  complaintWindowCloseJob,
  justifiedReadsJob,
  retentionSweepJob,
} from './complaints.js';
import type { JobDefinition } from './types.js';

/** Every job the workers run. A domain adds its jobs here. */
export const jobs: Array<JobDefinition<JobName>> = [
  emailJob,
  outboxReconcileJob,
  holidayRefreshJob,
  deadlineRebuildJob,
  slaScanJob,
  deadlineNotifyJob,
  deadlineDigestJob,
  mailPollJob,
  idempotencySweepJob,
  attachmentScanJob,
  scanSweepJob,
  waitlistOfferJob,
  surgeryHoldSweepJob,
  surgeryReminderSweepJob,
  surgeryRetentionSweepJob,
  surgeryReminderJob,
  surveySendWaveJob,
  surveyInviteJob,
  surveyReminderWavesJob,
  surveyReconcileJob,
  bouncePollJob,
  complaintScanJob,
  complaintWindowCloseJob,
  retentionSweepJob,
  justifiedReadsJob,
  securityEventsPurgeJob,
] as never;

/** Scheduled jobs, upserted at every worker start (only workers/main.ts calls upsertJobScheduler). */
export const schedules: Array<{
  job: JobName;
  pattern?: string;
  every?: number;
  /** Scheduled only when this says so (configuration lives in the services); else removed. */
  enabled?: (services: Services) => boolean;
}> = [
  { job: 'outbox-reconcile', every: 5 * 60_000 },
  // Public-form idempotency keys live 24 h (docs/rules/correspondence.md §2); hourly keeps the table small.
  { job: 'idempotency-sweep', pattern: '40 * * * *' },
  // Polls the mailbox only where IMAP_URL is set.
  {
    job: 'mail-poll',
    every: 60_000,
    enabled: (services) => Boolean(services.intake.imapUrl),
  },
  // Deadlines (docs/rules/deadlines.md §2, §6): patterns run in Europe/London time.
  { job: 'holiday-refresh', pattern: '15 6 * * *' },
  { job: 'sla-scan', pattern: '*/15 * * * *' },
  { job: 'deadline-digest', pattern: '30 8 * * 1-5' },
  // Complaints (docs/rules/complaints.md §3.2, §4): review windows, the retention sweep. Reminders ride
  // sla-scan; the retired complaint-scan's scheduler is removed.
  { job: 'complaint-scan', every: 15 * 60_000, enabled: () => false },
  { job: 'complaint-window-close', pattern: '20 0 * * *' },
  { job: 'retention-sweep', pattern: '40 2 * * *' },
  { job: 'complaint-justified-reads', pattern: '0 8 * * 1' },
  // Security events are kept 90 days (docs/rules/security.md §7); ended rate-limit counters go too.
  { job: 'security-events-purge', pattern: '10 3 * * *' },
  // Re-queues virus scans whose job gave up; only where uploads are held for clamd.
  {
    job: 'scan-sweep',
    every: SCAN_SWEEP_EVERY_MS,
    enabled: (services) => services.attachmentScan.enabled,
  },
  // Surgeries (docs/rules/surgeries.md §6, §7).
  { job: 'surgery-reminder-sweep', every: 5 * 60_000 },
  { job: 'surgery-hold-sweep', every: 60_000 },
  { job: 'surgery-retention-sweep', pattern: '50 2 * * *' },
  // Surveys (docs/rules/surveys.md §5.5, §7).
  { job: 'survey-reconcile', every: 5 * 60_000 },
  { job: 'survey-reminder-waves', pattern: '0 10 * * *' },
  {
    job: 'bounce-poll',
    every: 5 * 60_000,
    enabled: (services) => Boolean(services.surveys.bounceImapUrl),
  },
];
