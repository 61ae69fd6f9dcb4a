import type { MailTransport } from '../mail/transport.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * "Email me the link" on the save page (docs/rules/surveys.md §3, as Citizen Space does): the resume
 * link goes straight to the relay, once. The address is used for this one message and
 * kept nowhere: not in a table, the outbox, a job or the log. That is why this does not
 * go through the email outbox, and why a failure is shown at once rather than retried.
 */
export function createResumeMailer(deps: {
  transport: MailTransport;
  from: string;
  mailDomain: string;
}) {
  return {
    /** A field error for the address, or null when it looks like one. */
    check(address: string): string | null {
      if (!address.trim()) return 'Enter your email address';
      if (!EMAIL.test(address.trim()) || address.length > 254)
        return 'Enter an email address in the correct format, like name@example.com';
      return null;
    },

    async send(address: string, survey: { title: string }, resumeUrl: string, closes: string) {
      await deps.transport.transporter.sendMail({
        from: deps.from,
        to: address.trim(),
        subject: `Your saved answers: ${survey.title}`,
        headers: { 'Auto-Submitted': 'auto-generated' },
        text: [
          `You saved your answers to "${survey.title}".`,
          '',
          'To carry on where you left off, open this link:',
          resumeUrl,
          '',
          'Anyone with the link can see and change your answers, so do not share it.',
          `You can come back until ${closes}. Saved answers are deleted when the survey closes.`,
          '',
          'We have not kept your email address.',
        ].join('\n'),
      });
    },
  };
}
export type ResumeMailer = ReturnType<typeof createResumeMailer>;
