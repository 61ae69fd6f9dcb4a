import { formatDate } from '../lib/format.js';
import { TYPE_LABELS, type CaseType } from './workflow.js';

/** No address gets more than this many acknowledgements in 24 hours. */
export const ACKS_PER_DAY = 3;

/** The automatic acknowledgement's text (statutory types promise their due date). */
export function acknowledgementText(
  officeName: string,
  input: {
    name: string;
    reference: string;
    type: CaseType;
    receivedOn: string;
    dueDate: string | null;
  },
): string {
  const lines = [
    `Dear ${input.name},`,
    '',
    `Thank you for contacting ${officeName}. We received your ${TYPE_LABELS[input.type].toLowerCase()} on ${formatDate(input.receivedOn)}.`,
    '',
    `Your reference is ${input.reference}. Please quote it if you contact us about this.`,
  ];
  if (input.dueDate && ['foi', 'eir', 'sar'].includes(input.type))
    lines.push('', `We will respond by ${formatDate(input.dueDate)}.`);
  lines.push('', 'This is an automatic acknowledgement. You do not need to reply to it.');
  return lines.join('\n');
}
