import { formatSize } from '../attachments/uploads.js';
import type { EntryData, EntryWords, TimelineWording } from '../timeline/wording.js';
import type { NoteView } from './types.js';
import {
  CHANNEL_PHRASES,
  humanise,
  STATUS_LABELS,
  TYPE_LABELS,
  type CaseChannel,
  type CaseStatus,
  type CaseType,
} from './workflow.js';

/**
 * The words a case's timeline shows for each entry: correspondence words its own kinds,
 * `others` holds the wordings of the domains that append beside it (replies, intake).
 */
export function describeEvent(
  kind: string,
  data: EntryData,
  notes: Map<string, NoteView>,
  others: TimelineWording = {},
): EntryWords {
  const str = (key: string) => (typeof data[key] === 'string' ? data[key] : '');
  const status = (key: string) => STATUS_LABELS[str(key) as CaseStatus] ?? humanise(str(key));
  const quoted = (key: string) => (str(key) ? `“${str(key)}”.` : '');
  switch (kind) {
    case 'created':
      return {
        title: 'Case created',
        description: `${TYPE_LABELS[str('type') as CaseType] ?? humanise(str('type'))} received ${CHANNEL_PHRASES[str('channel') as CaseChannel] ?? `by ${humanise(str('channel')).toLowerCase()}`}, reference ${str('reference')}`,
      };
    case 'email_queued':
      return str('purpose') === 'acknowledgement'
        ? {
            title: 'Acknowledgement queued',
            description: 'An automatic acknowledgement is being emailed to the requester.',
          }
        : { title: 'Email queued', description: quoted('subject') };
    case 'status_changed': {
      const parts = [`From ${status('from')} to ${status('to')}.`];
      if (str('outcome')) parts.push(`Outcome: ${humanise(str('outcome'))}.`);
      if (str('reason')) parts.push(`Reason: ${humanise(str('reason'))}`);
      return { title: `Status changed to ${status('to')}`, description: parts.join(' ') };
    }
    case 'type_changed':
      return {
        title: 'Type changed',
        description: `From ${TYPE_LABELS[str('from') as CaseType] ?? str('from')} to ${TYPE_LABELS[str('to') as CaseType] ?? str('to')}.`,
      };
    case 'assigned':
      return data.toName
        ? {
            title: `Assigned to ${str('toName')}`,
            description: data.fromName ? `Previously ${str('fromName')}.` : 'Was unassigned.',
          }
        : { title: 'Unassigned', description: `Previously ${str('fromName')}.` };
    case 'note_added': {
      const note = notes.get(str('noteId'));
      return {
        title: 'Note added',
        description: !note ? '' : note.redacted ? 'This note was redacted.' : note.body,
      };
    }
    case 'note_redacted':
      return { title: 'Note redacted', description: 'A manager redacted a note.' };
    case 'restriction_changed':
      return data.restricted
        ? {
            title: 'Case restricted',
            description: 'Only the assignee, managers and people given access can see it.',
          }
        : { title: 'Restriction removed', description: 'All caseworkers can see it.' };
    case 'access_granted':
      return { title: 'Access granted', description: `${str('userName')} can see this case.` };
    case 'access_revoked':
      return {
        title: 'Access removed',
        description: `${str('userName')} can no longer see this case unless it is assigned to them.`,
      };
    case 'tagged': {
      const added = Array.isArray(data.added) ? data.added.map(String) : [];
      return {
        title: added.length === 1 ? 'Tag added' : 'Tags added',
        description: added.join(', '),
      };
    }
    case 'email_sent':
      return {
        title: str('purpose') === 'acknowledgement' ? 'Acknowledgement emailed' : 'Email sent',
        description: `“${str('subject')}” to ${str('to')}.`,
      };
    case 'email_failed':
      return {
        title: 'Email not delivered',
        description: `“${str('subject')}” to ${str('to')}. The mail server said: ${str('error')}`,
      };
    case 'attachment_added':
      return {
        title: 'Attachment added',
        description: `${str('filename')} (${formatSize(Number(data.size) || 0)})`,
      };
    default:
      // Other domains word their own kinds (replies, intake); the clock writes its words.
      return (
        others[kind]?.(data) ?? {
          title: str('title') || humanise(kind),
          description: str('description'),
        }
      );
  }
}

/**
 * One timeline entry per email: "queued" is dropped once the email was sent or failed (the
 * final entry keeps the sender and, for an acknowledgement, says so). The stored events are
 * unchanged; only what people read is merged.
 */
export function oneEntryPerEmail<
  E extends { kind: string; actorId: string | null; actorName?: string | null; data: unknown },
>(events: E[]): E[] {
  const ref = (event: E, key: string) => {
    const data = event.data as Record<string, unknown> | null;
    return typeof data?.[key] === 'string' ? data[key] : undefined;
  };
  const finals = new Map<string, E>();
  for (const event of events) {
    if (event.kind === 'reply_sent' || event.kind === 'reply_failed') {
      const id = ref(event, 'outboundId');
      if (id) finals.set(`reply:${id}`, event);
    } else if (event.kind === 'email_sent' || event.kind === 'email_failed') {
      const id = ref(event, 'emailId');
      if (id) finals.set(`email:${id}`, event);
    }
  }
  const merged = new Map<E, E>();
  const kept = events.filter((event) => {
    const key =
      event.kind === 'reply_queued'
        ? `reply:${ref(event, 'outboundId')}`
        : event.kind === 'email_queued'
          ? `email:${ref(event, 'emailId')}`
          : undefined;
    const final = key ? finals.get(key) : undefined;
    if (!final) return true;
    const data = event.data as Record<string, unknown>;
    merged.set(final, {
      ...final,
      actorId: final.actorId ?? event.actorId,
      actorName: final.actorName ?? event.actorName,
      data: { ...(final.data as Record<string, unknown>), purpose: data.purpose },
    });
    return false;
  });
  return kept.map((event) => merged.get(event) ?? event);
}
