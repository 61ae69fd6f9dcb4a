/**
 * Reply drafts (issue #15 item 5): save a reply and come back to it. The draft is the
 * writer's own (a colleague does not see it), survives leaving the page, is only saved on a
 * case the writer may see, and is gone once that person sends a reply or discards it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { signInPage, type TestUser } from '../helpers/auth.js';
import { actorOf, openCase, SEEDED } from './fixtures.js';

const t = useTestApp();
let writer: TestUser;
let colleague: TestUser;

beforeAll(async () => {
  writer = await t.user('caseworker', { name: 'Wren Writer' });
  colleague = await t.user('caseworker', { name: 'Colm Colleague' });
});

const textarea = (html: string) =>
  /<textarea[^>]*name="body"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)![1]!.trim();

describe('reply drafts', () => {
  it('saves a draft from the reply page and brings it back, to its writer only', async () => {
    const c = await openCase(t.app, writer);
    const session = await signInPage(t.app, writer);
    const saved = await session.post(
      `/casework/${c.id}/reply`,
      {
        templateId: SEEDED.foi,
        subject: 'Your request [draft]',
        body: 'Half-written answer about speed cameras.',
        channel: 'post',
        action: 'draft',
      },
      `/casework/${c.id}/reply?templateId=${SEEDED.foi}`,
    );
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/casework/${c.id}/reply?notice=draft`);

    const back = await session.get(saved.headers.location as string);
    expect(back.statusCode).toBe(200);
    expect(back.body).toContain('Draft saved.');
    expect(back.body).toContain('This is your draft, saved');
    expect(textarea(back.body)).toBe('Half-written answer about speed cameras.');
    expect(back.body).toContain('value="Your request [draft]"');
    expect(back.body).toMatch(/<input[^>]*value="post"[^>]*checked/);
    expect(back.body).toContain(`name="templateId" value="${SEEDED.foi}"`);

    // Later, with nothing in the address: still there.
    expect(textarea((await session.get(`/casework/${c.id}/reply`)).body)).toBe(
      'Half-written answer about speed cameras.',
    );
    // A colleague opening the same case starts from nothing.
    const other = await signInPage(t.app, colleague);
    const theirs = await other.get(`/casework/${c.id}/reply`);
    expect(theirs.body).not.toContain('Half-written answer');
    expect(theirs.body).not.toContain('This is your draft');
    expect(await t.app.services.replies.getDraft(actorOf(colleague), c.id)).toBeNull();
  });

  it('is gone once its writer sends the reply', async () => {
    const c = await openCase(t.app, writer);
    const actor = actorOf(writer);
    await t.app.services.replies.saveDraft(actor, c.id, {
      subject: 'Re: your letter',
      body: 'Draft text',
    });
    expect((await t.app.services.replies.getDraft(actor, c.id))?.body).toBe('Draft text');
    const session = await signInPage(t.app, writer);
    const sent = await session.post(
      `/casework/${c.id}/reply`,
      { subject: 'Re: your letter', body: 'Final text', channel: 'post', responds: 'no' },
      `/casework/${c.id}/reply`,
    );
    expect(sent.statusCode).toBe(303);
    expect(await t.app.services.replies.getDraft(actor, c.id)).toBeNull();
    const page = await session.get(`/casework/${c.id}/reply`);
    expect(page.body).not.toContain('This is your draft');
  });

  it('can be discarded, and refuses an empty draft with a field error', async () => {
    const c = await openCase(t.app, writer);
    const session = await signInPage(t.app, writer);
    const empty = await session.post(
      `/casework/${c.id}/reply`,
      { subject: '', body: '  ', action: 'draft' },
      `/casework/${c.id}/reply`,
    );
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('govuk-error-summary');
    expect(empty.body).toContain('Write something before saving a draft');

    await t.app.services.replies.saveDraft(actorOf(writer), c.id, {
      subject: 'Re: x',
      body: 'To be thrown away',
    });
    const discarded = await session.post(
      `/casework/${c.id}/reply`,
      { subject: 'Re: x', body: 'To be thrown away', action: 'discard' },
      `/casework/${c.id}/reply`,
    );
    expect(discarded.statusCode).toBe(303);
    const page = await session.get(discarded.headers.location as string);
    expect(page.body).toContain('Draft discarded.');
    expect(page.body).not.toContain('To be thrown away');
    expect(await t.app.services.replies.getDraft(actorOf(writer), c.id)).toBeNull();
  });

  it('is not saved on a case the writer may not see', async () => {
    await expect(
      t.app.services.replies.saveDraft(actorOf(writer), '00000000-0000-4000-8000-000000000000', {
        subject: 'x',
        body: 'y',
      }),
    ).rejects.toMatchObject({ statusCode: 404 });
  });
});
