import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer } from '../helpers/auth.js';
import { countRows, createSurvey, managerToken, nextIp, seedAudience } from './helpers.js';

/** The public answers API with an Idempotency-Key: a retry returns the first answer. */
const t = useTestApp();
let token: string;
let surveyId: string;
beforeAll(async () => {
  token = await managerToken(t);
  surveyId = await createSurvey(t, token);
});

const answers = { contact: 'phone', crimes: ['burglary'], comments: 'More patrols' };
const post = (survey: string, payload: object, key?: string) =>
  t.app.inject({
    method: 'POST',
    url: `/api/public/surveys/${survey}/responses`,
    remoteAddress: nextIp(),
    headers: key ? { 'idempotency-key': key } : {},
    payload,
  });

describe('Idempotency-Key on POST /api/public/surveys/:id/responses', () => {
  it('a retry with the same key and body returns the first 201 and stores nothing more', async () => {
    const first = await post(surveyId, { answers }, 'retry-key-1');
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post(surveyId, { answers }, 'retry-key-1');
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await countRows(t, 'survey_responses', surveyId)).toBe(1);
  });

  it('the same key with other answers: 422 idempotency.key_reused, nothing stored', async () => {
    const other = await post(
      surveyId,
      { answers: { ...answers, contact: 'online' } },
      'retry-key-1',
    );
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ error: { code: 'idempotency.key_reused' } });
    expect(await countRows(t, 'survey_responses', surveyId)).toBe(1);
  });

  it('ten concurrent posts with one key store one response, and all get 201', async () => {
    const codes = await Promise.all(
      Array.from({ length: 10 }, () => post(surveyId, { answers }, 'burst-key')),
    );
    expect(codes.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    expect(await countRows(t, 'survey_responses', surveyId)).toBe(2);
  });

  it('an invitation retried with its key gets the first 201, not 409; without a key, 409', async () => {
    const audience = await seedAudience(t, 1, 'idem');
    const invited = await t.app.inject({
      method: 'POST',
      url: `/api/surveys/${surveyId}/invitations`,
      headers: bearer(token),
      payload: { listId: audience.listId },
    });
    expect(invited.statusCode).toBe(202);
    const [inv] = await t.db.sql<{ id: string }[]>`
      select id from survey_invitations where contact_id = ${audience.contacts[0]!.id}`;
    const personal = t.app.services.surveys.tokens.invitation(inv!.id);
    const body = { token: personal, answers };
    expect((await post(surveyId, body, 'inv-key')).statusCode).toBe(201);
    const retried = await post(surveyId, body, 'inv-key');
    expect(retried.statusCode).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect((await post(surveyId, body)).statusCode).toBe(409);
  });

  it('keeps no plain hash of the answers and no response beside the key (anonymity)', async () => {
    const rows = await t.db.sql<{ request_hash: string; response: unknown }[]>`
      select request_hash, response from idempotency_keys where scope = ${`survey-response:${surveyId}`}`;
    expect(rows).toHaveLength(3);
    const plain = createHash('sha256').update(JSON.stringify({ answers })).digest('hex');
    for (const row of rows) {
      expect(row.response).toEqual({});
      expect(row.request_hash).not.toBe(plain);
    }
  });
});
