import { fact, quotedFact, type TimelineWording } from '../timeline/wording.js';

/** The words a case's timeline shows for the entries replies append (send.ts, outcomes.ts). */
export const REPLY_TIMELINE_WORDING: TimelineWording = {
  reply_queued: (data) => ({
    title: fact(data, 'to') ? `Reply being emailed to ${fact(data, 'to')}` : 'Reply being emailed',
    description: [
      quotedFact(data, 'subject'),
      data.responds
        ? 'The case will be marked as responded once it is sent.'
        : 'It does not answer the case.',
    ]
      .filter(Boolean)
      .join(' '),
  }),
  reply_sent: (data) => ({
    title: fact(data, 'to') ? `Reply emailed to ${fact(data, 'to')}` : 'Reply emailed',
    description: [
      quotedFact(data, 'subject'),
      data.answered ? 'The case is marked as responded.' : fact(data, 'note'),
    ]
      .filter(Boolean)
      .join(' '),
  }),
  reply_failed: (data) => {
    const reason = fact(data, 'error') || 'the mail server refused it';
    return {
      title: `Reply failed to send: ${reason.length > 150 ? `${reason.slice(0, 150)}…` : reason}`,
      description: [
        fact(data, 'to')
          ? `The reply “${fact(data, 'subject')}” to ${fact(data, 'to')} was not delivered.`
          : '',
        'The case has not been marked as responded: check the address, then reply again or send the reply by post.',
      ]
        .filter(Boolean)
        .join(' '),
    };
  },
  reply_not_answered: (data) => ({
    title: 'Reply sent, but the case was not marked as responded',
    description: fact(data, 'reason'),
  }),
  letter_sent: (data) => ({
    title: 'Letter sent by post',
    description: [
      quotedFact(data, 'subject'),
      data.responds ? 'The case is marked as responded.' : 'It does not answer the case.',
    ]
      .filter(Boolean)
      .join(' '),
  }),
};
