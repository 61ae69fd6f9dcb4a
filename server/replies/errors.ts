/** Replies' domain errors, with stable codes (docs/rules/api.md's error shape). */
import type { CaseStatus } from '../correspondence/workflow.js';
import { STATUS_LABELS } from '../lib/labels.js';
import { AppError, fixedErrors, notFound } from '../platform/errors.js';

export const caseNotFound = () => notFound('Case not found');
export const templateNotFound = () => notFound('Template not found');
export const replyNotFound = () => notFound('Reply not found');

/** §5 has no move to responded from this status. */
export const cannotAnswer = (status: CaseStatus) =>
  new AppError(
    422,
    'correspondence.invalid_transition',
    `A case that is ${STATUS_LABELS[status].toLowerCase()} cannot be answered. Send it as a reply that does not answer the case, or change the status first.`,
    { responds: `A ${STATUS_LABELS[status].toLowerCase()} case cannot be answered` },
  );

/** Replies' fixed errors: [status, stable code, message, field messages]. */
export const { adminOnly, staleTemplate, answerNeedsManager, alreadySending, noEmailAddress } =
  fixedErrors({
    adminOnly: [403, 'forbidden', 'Only an administrator can change reply templates'],
    staleTemplate: [
      409,
      'replies.stale_template',
      'Someone saved a newer version of this template since you opened it. Reload it and make your changes again.',
      { version: 'A newer version has been saved since you opened this template' },
    ],
    answerNeedsManager: [
      403,
      'correspondence.manager_only',
      'This reply is awaiting approval: only a manager can send it',
      { responds: 'Only a manager can send a reply that is awaiting approval' },
    ],
    alreadySending: [
      409,
      'replies.already_sending',
      'A reply that answers this case is already being sent. Wait for it to be sent or to fail.',
      { responds: 'A reply that answers this case is already being sent' },
    ],
    noEmailAddress: [
      422,
      'replies.no_email_address',
      'The requester has no email address: send the reply by post',
      { channel: 'The requester has no email address: send the reply by post' },
    ],
  });
