import { fact, type TimelineWording } from '../timeline/wording.js';

/** The words a case's timeline shows for the entries intake appends (inbound.ts). */
export const INTAKE_TIMELINE_WORDING: TimelineWording = {
  email_in: (data) => {
    const from = fact(data, 'from');
    const parts = [`Subject: “${fact(data, 'subject') || '(no subject)'}”.`];
    if (data.automated)
      parts.push('An automatic reply (such as an out-of-office): no action needed.');
    if (fact(data, 'flag')) parts.push(`Flagged “${fact(data, 'flag')}”.`);
    return {
      title: from ? `Email received from ${from}` : 'Email received',
      description: parts.join(' '),
    };
  },
};
