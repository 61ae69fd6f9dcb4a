/**
 * Replies' vocabulary: template purposes and limits, the views pages and the API show, and
 * the small pure rules (which templates a case type is offered, the reply subject, the
 * mailbox sender). No database, no other domain's service.
 */
import {
  TEMPLATE_PURPOSES,
  type OutboundRow,
  type ReplyTemplateRow,
} from '../../db/schema/replies.js';
import type { CaseDetail } from '../correspondence/types.js';

export type TemplatePurpose = (typeof TEMPLATE_PURPOSES)[number];
export { TEMPLATE_PURPOSES };

export const TEMPLATE_LIMITS = { name: 100, subject: 200, body: 20_000 };
export const REPLY_LIMITS = { subject: 200, body: 20_000 };

/** The email subject type whose outcomes this domain follows (mail service `onOutcome`). */
export const REPLY_SUBJECT_TYPE = 'reply';

export const PURPOSE_LABELS: Record<TemplatePurpose, string> = {
  acknowledgement: 'Acknowledgement',
  response: 'Response (answers the case)',
  holding: 'Holding reply',
  clarification: 'Request for clarification',
  general: 'General',
};

/** Sending a reply from one of these answers the case unless the sender says otherwise. */
export const ANSWERING_PURPOSES: readonly TemplatePurpose[] = ['response', 'general'];

export interface TemplateInput {
  name: string;
  purpose: string;
  caseTypes?: string[];
  subject: string;
  body: string;
}

export interface TemplateView {
  id: string;
  familyId: string;
  version: number;
  name: string;
  purpose: TemplatePurpose;
  caseTypes: string[];
  subject: string;
  body: string;
  createdAt: string;
}

export interface ReplyInput {
  templateId?: string;
  subject: string;
  body: string;
  channel: 'email' | 'post';
  /** Whether sending it answers the case; by default, yes unless the template is not a response. */
  responds?: boolean;
  /** The case's files to send with an email reply (each must have passed its virus check). */
  attachmentIds?: string[];
}

/** Files sent with one email reply: as many as staff may upload at once, 10 MiB in all. */
export const REPLY_ATTACHMENT_LIMITS = { files: 5, totalBytes: 10 * 1024 * 1024 };

export interface OutboundView {
  id: string;
  caseId: string;
  channel: 'email' | 'post';
  status: 'queued' | 'sent' | 'failed';
  responds: boolean;
  templateId: string | null;
  templateVersion: number | null;
  to: string | null;
  subject: string;
  body: string;
  emailId: string | null;
  messageId: string | null;
  inReplyTo: string | null;
  references: string | null;
  sender: { id: string; name: string } | null;
  createdAt: string;
  sentAt: string | null;
  failedAt: string | null;
  error: string | null;
}

export interface Composition {
  detail: CaseDetail;
  templates: TemplateView[];
  template: TemplateView | null;
  subject: string;
  body: string;
  mergeError: string | null;
  replies: OutboundView[];
  /** Where an email reply would go, when the requester has an address. */
  emailTo: string | null;
  /** Whether a reply now would move the case to responded, and who may send it. */
  canAnswer: boolean;
  answerNeedsManager: boolean;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
export const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const iso = (value: Date | null) => (value ? value.toISOString() : null);
export const templateView = (row: ReplyTemplateRow): TemplateView => ({
  id: row.id,
  familyId: row.familyId,
  version: row.version,
  name: row.name,
  purpose: row.purpose,
  caseTypes: row.caseTypes,
  subject: row.subject,
  body: row.body,
  createdAt: row.createdAt.toISOString(),
});
export const outboundView = (row: OutboundRow, senderName?: string | null): OutboundView => ({
  id: row.id,
  caseId: row.caseId,
  channel: row.channel,
  status: row.status,
  responds: row.responds,
  templateId: row.templateId,
  templateVersion: row.templateVersion,
  to: row.toAddress,
  subject: row.subject,
  body: row.body,
  emailId: row.emailId,
  messageId: row.messageId,
  inReplyTo: row.inReplyTo,
  references: row.references,
  sender: row.createdById ? { id: row.createdById, name: senderName ?? 'Unknown' } : null,
  createdAt: row.createdAt.toISOString(),
  sentAt: iso(row.sentAt),
  failedAt: iso(row.failedAt),
  error: row.error,
});

export const templateOffered = (template: { caseTypes: string[] }, type: string) =>
  template.caseTypes.length === 0 || template.caseTypes.includes(type);

/** The email subject §6 asks for: `Re: {subject} [OPCC-2026-00123]`. */
export const replySubject = (caseSubject: string, reference: string) =>
  `Re: ${caseSubject.replace(/^\s*re:\s*/i, '').trim()} [${reference}]`;

/** `"Name" <address>`: the display name of MAIL_FROM on the polled mailbox's address. */
export function mailboxSender(mailFrom: string, mailbox: string): string {
  const name = /^\s*"?([^"<]*?)"?\s*<[^>]*>\s*$/.exec(mailFrom)?.[1]?.trim();
  return name ? `"${name}" <${mailbox}>` : mailbox;
}
