/**
 * The words caseworkers use for the codes a case carries (type, channel, status): one
 * module every domain reads, for pages, letters and CSV downloads alike (issue #15 item 6).
 * Before, four domains imported them from correspondence's workflow file, and the
 * statistics CSVs printed the raw codes ("foi", "mp_enquiry"). Pure: codes in, words out.
 * The keys are the codes db/schema/correspondence.ts defines; correspondence/workflow.ts
 * types them against those lists, so a code added there without a label fails to compile.
 */

export const TYPE_LABELS = {
  foi: 'Freedom of information request',
  eir: 'Environmental information request',
  sar: 'Subject access request',
  complaint: 'Complaint',
  mp_enquiry: 'MP enquiry',
  suggestion: 'Suggestion',
  compliment: 'Compliment',
  general: 'General enquiry',
} as const;

export const CHANNEL_LABELS = {
  letter: 'Letter',
  email: 'Email',
  web: 'Web form',
  phone: 'Phone',
  in_person: 'In person',
  social: 'Social media',
  mp: "MP's office",
} as const;

/** How a case arrived, as the end of "Received 30 October 2026, 9:06 am …". */
export const CHANNEL_PHRASES: Record<keyof typeof CHANNEL_LABELS, string> = {
  letter: 'by letter',
  email: 'by email',
  web: 'through the website form',
  phone: 'by phone',
  in_person: 'in person',
  social: 'through social media',
  mp: "through an MP's office",
};

export const STATUS_LABELS = {
  new: 'New',
  open: 'Open',
  awaiting_requester: 'Awaiting requester',
  awaiting_approval: 'Awaiting approval',
  responded: 'Responded',
  closed: 'Closed',
} as const;

/** `granted_in_part` as "Granted in part": for a code no list names. */
export const humanise = (value: string) =>
  value.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

const lookup = (labels: Record<string, string>, value: string) =>
  Object.hasOwn(labels, value) ? labels[value]! : undefined;

/** A type's label ("MP enquiry"), or the code made readable if it is not one. */
export const typeLabel = (value: string) => lookup(TYPE_LABELS, value) ?? humanise(value);

/** A channel's label ("MP's office"), or the code made readable if it is not one. */
export const channelLabel = (value: string) => lookup(CHANNEL_LABELS, value) ?? humanise(value);

/** A status's label ("Awaiting requester"), or the code made readable if it is not one. */
export const statusLabel = (value: string) => lookup(STATUS_LABELS, value) ?? humanise(value);
