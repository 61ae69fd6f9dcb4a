import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { PageSession } from '../helpers/auth.js';
import { createSurvey, managerToken } from './helpers.js';

/**
 * §3: "Save and come back later" on the public link can email the resume link to an
 * address used once and not kept (as Citizen Space does).
 */
const t = useTestApp();
let surveyId: string;
let browser: PageSession;
const ADDRESS = 'resume.me@example.org';
beforeAll(async () => {
  surveyId = await createSurvey(t, await managerToken(t));
  browser = new PageSession(t.app);
  const start = `/consultations/${surveyId}`;
  expect((await browser.post(`${start}/start`, {}, start)).statusCode).toBe(303);
  const q1 = `${start}/q/1`;
  const saved = await browser.post(q1, { crimes: ['burglary'], save: 'later' }, q1);
  expect(saved.headers.location).toBe(`${start}/saved`);
});

const savedUrl = () => `/consultations/${surveyId}/saved`;
const emailUrl = () => `/consultations/${surveyId}/saved/email`;

describe('emailing the resume link', () => {
  it('offers the form on the saved page; a bad address gets the error summary', async () => {
    const page = await browser.get(savedUrl());
    expect(page.body).toContain('Email me the link');
    const bad = await browser.post(emailUrl(), { email: 'not an address' }, savedUrl());
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    expect(bad.body).toContain('Enter an email address in the correct format');
    expect(t.sink.messages).toHaveLength(0);
  });

  it('sends the link once; the link resumes the answers; the address is kept nowhere', async () => {
    const sent = await browser.post(emailUrl(), { email: ADDRESS }, savedUrl());
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('We have not kept your email address.');
    const [mail] = await t.sink.waitFor(1);
    expect(mail!.envelopeTo).toEqual([ADDRESS]);
    const link = /https?:\/\/\S+\/consultations\/[0-9a-f-]+\/resume\/[A-Za-z0-9_-]+/.exec(
      mail!.parsed.text ?? '',
    )![0];
    const later = new PageSession(t.app);
    expect((await later.get(new URL(link).pathname)).statusCode).toBe(303);
    expect((await later.get(`/consultations/${surveyId}/check`)).body).toContain('House burglary');

    const [kept] = await t.db.sql<{ n: number }[]>`
      select (select count(*) from audit_events a where a::text ilike ${`%${ADDRESS}%`})
           + (select count(*) from outbox o where o::text ilike ${`%${ADDRESS}%`})
           + (select count(*) from survey_drafts d where d::text ilike ${`%${ADDRESS}%`})
           + (select count(*) from contacts c where c::text ilike ${`%${ADDRESS}%`})
           + (select count(*) from email_messages m where m::text ilike ${`%${ADDRESS}%`})
           + (select count(*) from dev_mailbox x where x::text ilike ${`%${ADDRESS}%`}) as n`;
    expect(Number(kept!.n)).toBe(0);
  });

  it('a relay failure says so at once (503) and suggests copying the link', async () => {
    t.sink.failNext(451);
    const failed = await browser.post(emailUrl(), { email: ADDRESS }, savedUrl());
    expect(failed.statusCode).toBe(503);
    expect(failed.body).toContain('We could not send the email just now');
  });
});
