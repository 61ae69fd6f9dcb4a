import { sql } from 'drizzle-orm';
import type { Actor } from '../../server/platform/audit.js';
import { londonDateOf } from '../../server/lib/dates.js';
import type { CaseType, CaseChannel } from '../../server/correspondence/workflow.js';
import { APPROVAL_TYPES, replyOutcomes } from '../../server/correspondence/workflow.js';
import { templateOffered, type TemplateView } from '../../server/replies/service.js';
import type { SeedContext } from './context.js';
import {
  COMPLAINTS,
  COMPLIMENT_ANSWER,
  EIR_REQUESTS,
  FOI_REQUESTS,
  GENERAL,
  OUTCOME_WORDS,
  SAR_ANSWER,
  SAR_BODY,
  SUGGESTIONS,
  type InformationRequest,
} from './correspondence-texts.js';
import { MPS, makePeople, type Person } from './people.js';
import { prng, weighted, type Random } from './random.js';

const TYPE_MIX: Array<[CaseType, number]> = [
  ['general', 0.34],
  ['complaint', 0.15],
  ['suggestion', 0.1],
  ['mp_enquiry', 0.1],
  ['foi', 0.12],
  ['compliment', 0.08],
  ['sar', 0.06],
  ['eir', 0.05],
];
const CHANNEL_MIX: Array<[CaseChannel, number]> = [
  ['email', 0.45],
  ['web', 0.25],
  ['letter', 0.2],
  ['phone', 0.07],
  ['in_person', 0.03],
];
/** Requests for information and personal data must be made in writing. */
const WRITTEN_MIX: Array<[CaseChannel, number]> = [
  ['email', 0.55],
  ['web', 0.3],
  ['letter', 0.15],
];
const DAY = 86_400_000;
/** How many people write more than once (the same contact each time). */
const REPEAT_WRITERS = 0.12;

interface Letter {
  subject: string;
  body: string;
  topic: string;
  answer: string;
  outcome: string;
  request?: InformationRequest;
}

/** What one item says and the outcome its reply gives, all from one entry of the texts. */
function letterFor(type: CaseType, person: Person, random: Random): Letter {
  switch (type) {
    case 'foi':
    case 'eir': {
      const request = random.pick(type === 'foi' ? FOI_REQUESTS : EIR_REQUESTS);
      return {
        ...request,
        subject: `Request for information: ${request.subject}`,
        outcome: request.outcome,
        request,
      };
    }
    case 'sar': {
      const outcome = random.next() < 0.85 ? 'provided' : 'no_data';
      return {
        subject: 'Request for my personal data',
        body: SAR_BODY,
        topic: 'Transformation',
        answer: SAR_ANSWER[outcome],
        outcome,
      };
    }
    case 'complaint': {
      const item = random.pick(COMPLAINTS);
      const outcome = weighted(
        [
          ['upheld', 0.3],
          ['partly_upheld', 0.3],
          ['not_upheld', 0.4],
        ],
        random.next(),
      );
      return { ...item, answer: `${item.answer}\n\n${OUTCOME_WORDS[outcome]}`, outcome };
    }
    case 'suggestion':
      return { ...random.pick(SUGGESTIONS), outcome: 'answered' };
    case 'compliment':
      return {
        subject: `Thank you to officers in ${person.town}`,
        body: `I want to thank the officers who helped my family in ${person.town}. They were kind and professional.`,
        topic: 'Communities',
        answer: COMPLIMENT_ANSWER,
        outcome: 'answered',
      };
    default:
      return { ...random.pick(GENERAL), outcome: 'answered' };
  }
}

/** The template's "[Write the reply here.]"-style gap, filled with the caseworker's answer. */
const GAP = /\[(?:Write|Set out|Describe)[^\]]*\]/;

/**
 * A year of correspondence (about 1,000 items), most of it answered and closed, as a real
 * office's year reads: each item's subject, body, channel, reply and outcome agree; every
 * answered item has the reply that answered it (by email where the requester gave an
 * address, by post otherwise); answered FOI and EIR requests that released information
 * are published in the disclosure log; a person who writes twice is one contact.
 */
export async function seedCorrespondence(
  ctx: SeedContext,
  /** The office's real volume by default; tests take a smaller year with the same mix. */
  { total = 1000 }: { total?: number } = {},
): Promise<void> {
  const { db, services, clock, system, staffIds, managerId } = ctx;
  const [{ n }] = (await db.execute<{ n: number }>(
    sql`select count(*)::int as n from cases`,
  )) as unknown as [{ n: number }];
  if (n > 0) {
    console.log(`correspondence: ${n} cases already present; nothing added`);
    return;
  }
  const random = prng(42);
  const end = clock.now();
  const started = Date.now();
  const people = makePeople(random, Math.ceil(total * 1.2));
  let nextPerson = 0;
  /** People who have written already, with their contact: a second letter links to it. */
  const writers: Array<{ person: Person; contactId: string }> = [];
  const mpContacts = new Map<string, string>();
  const templates = await services.replies.listTemplates();
  // No request id: reads are memoised per request, and each step here must see the last.
  const manager: Actor = { id: managerId, role: 'manager', requestId: null };
  let published = 0;

  for (let i = 0; i < total; i += 1) {
    // Spread evenly over the past year, during office-ish hours.
    const receivedAt = new Date(
      end.getTime() - (365 - (365 * i) / total) * DAY + random.next() * 8 * 3600_000,
    );
    const type = weighted(TYPE_MIX, random.next());
    let channel: CaseChannel =
      type === 'mp_enquiry'
        ? 'mp'
        : weighted(
            type === 'foi' || type === 'eir' || type === 'sar' ? WRITTEN_MIX : CHANNEL_MIX,
            random.next(),
          );
    const repeat = type !== 'mp_enquiry' && writers.length > 20 && random.next() < REPEAT_WRITERS;
    const writer = repeat ? random.pick(writers) : undefined;
    const person = writer?.person ?? people[nextPerson++]!;
    // Nobody emails without an email address: such a person wrote a letter.
    if ((channel === 'email' || channel === 'web') && !person.email) channel = 'letter';
    const letter = letterFor(type, person, random);
    const assigneeId = random.pick(staffIds);
    const caseworker: Actor = { id: assigneeId, role: 'caseworker', requestId: null };

    let requester: { contactId: string } | { contact: Record<string, unknown> };
    let onBehalfOf: { name: string; postcode: string; address: string } | undefined;
    if (type === 'mp_enquiry') {
      const mp = random.pick(MPS);
      const known = mpContacts.get(mp.name);
      requester = known ? { contactId: known } : { contact: { ...mp, kind: 'mp' } };
      // The constituent is someone who has not written before (and never will).
      onBehalfOf = { name: person.name, postcode: person.postcode, address: person.address };
    } else {
      requester = writer
        ? { contactId: writer.contactId }
        : {
            contact: {
              name: person.name,
              email: person.email,
              phone: person.phone,
              address: person.address,
              postcode: person.postcode,
            },
          };
    }

    clock.set(receivedAt);
    // An address gets the automatic acknowledgement when the case is recorded.
    const created = await services.correspondence.createCase(system, {
      type,
      channel,
      receivedAt,
      subject: letter.subject,
      body: letter.body,
      ...requester,
      ...(onBehalfOf ? { onBehalfOf } : {}),
      topics: [letter.topic],
      assigneeId,
    } as Parameters<typeof services.correspondence.createCase>[1]);
    if (type === 'mp_enquiry' && 'contact' in requester && created.contactId)
      mpContacts.set(String(requester.contact.name), created.contactId);
    if (type !== 'mp_enquiry' && !writer && created.contactId)
      writers.push({ person, contactId: created.contactId });

    const ageDays = (end.getTime() - receivedAt.getTime()) / DAY;
    // The last few weeks are still being worked on, as in real life.
    const inProgress = ageDays < 25 && random.next() < 0.8;
    const replyAfterDays = 2 + Math.floor(random.next() * (random.next() < 0.9 ? 18 : 40));

    // Day 1: read and accepted. With no email address the acknowledgement goes by post.
    clock.set(new Date(receivedAt.getTime() + DAY));
    if (clock.now() > end) continue;
    let version: number;
    if (created.acknowledgementEmailId) {
      version = (
        await services.correspondence.transition(caseworker, created.id, { to: 'open', version: 1 })
      ).version;
    } else {
      version = await sendReply(created.id, caseworker, 'acknowledgement', 'post');
    }
    if (inProgress) continue;

    clock.set(new Date(receivedAt.getTime() + replyAfterDays * DAY));
    if (clock.now() > end) continue;
    let sender = caseworker;
    if (APPROVAL_TYPES.includes(type)) {
      // The draft goes to the manager, who sends it (and signs it, as the one who sends).
      version = (
        await services.correspondence.transition(caseworker, created.id, {
          to: 'awaiting_approval',
          version,
        })
      ).version;
      sender = manager;
    }
    // By email wherever the requester gave an address, by post otherwise.
    const replyBy = type === 'mp_enquiry' || person.email ? 'email' : 'post';
    version = await sendReply(created.id, sender, 'response', replyBy, letter.answer);
    clock.set(new Date(clock.now().getTime() + 2 * DAY));
    if (clock.now() > end) continue;
    const outcome = replyOutcomes(type).includes(letter.outcome) ? letter.outcome : 'answered';
    await services.correspondence.transition(caseworker, created.id, {
      to: 'closed',
      version,
      outcome,
    });
    if (letter.request && (outcome === 'granted' || outcome === 'granted_in_part')) {
      await publish(created.id, letter.request);
      published += 1;
    }
  }

  /**
   * Sends a reply from the latest template of that purpose offered for the case, as the
   * reply page would: merged, the gap filled with the answer, and (by email) delivered.
   * Returns the case's version afterwards.
   */
  async function sendReply(
    caseId: string,
    actor: Actor,
    purpose: 'acknowledgement' | 'response',
    channel: 'email' | 'post',
    answer?: string,
  ): Promise<number> {
    const detail = await services.correspondence.get(actor, caseId);
    const template = templates.find(
      (t: TemplateView) => t.purpose === purpose && templateOffered(t, detail.type),
    );
    if (!template) throw new Error(`No ${purpose} template for ${detail.type}`);
    const composed = await services.replies.compose(actor, caseId, template.id);
    const body = answer ? composed.body.replace(GAP, answer) : composed.body;
    const sent = await services.replies.send(actor, caseId, {
      templateId: template.id,
      subject: composed.subject,
      body,
      channel,
    });
    // Delivered now (to the development mailbox unless SMTP is set), so the case is answered
    // at the reply's date rather than whenever a worker next runs.
    if (sent.emailId) await services.mail.send(sent.emailId);
    return (await services.correspondence.get(actor, caseId)).version;
  }

  /** The disclosure log entry for an answered request, through draft, approval and publication. */
  async function publish(caseId: string, request: InformationRequest): Promise<void> {
    const { entry } = await services.disclosure.draftFromCase(manager, caseId);
    const edited = await services.disclosure.update(manager, entry.id, {
      title: request.subject,
      requestText: request.body,
      summary: request.summary,
      outcome: request.outcome,
      exemptions: request.exemptions,
      responseDate: entry.responseDate ?? londonDateOf(clock.now()),
      topics: entry.topics,
      personalDataRemoved: true,
      version: entry.version,
    });
    const approved = await services.disclosure.approve(manager, entry.id, {
      version: edited.version,
    });
    await services.disclosure.publish(manager, entry.id, { version: approved.version });
  }

  clock.set(end);
  console.log(
    `correspondence: ${total} cases over the past year, ${published} published in the disclosure log, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
