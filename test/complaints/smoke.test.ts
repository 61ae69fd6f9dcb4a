import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { api, team, type Team } from './fixtures.js';

let t: TestApp;
let u: Team;
beforeAll(async () => {
  t = await buildTestApp();
  u = await team(t);
});
afterAll(async () => t.close());

it('creates and reads a complaint', async () => {
  const a = api(t);
  const c = await a.create(u.cw);
  expect(c.reference).toMatch(/^CC-2026-\d{4}$/);
  const detail = await a.get(u.cw, c.id);
  expect(detail.status).toBe('received');
  expect(detail.timers.map((x: { kind: string }) => x.kind).sort()).toEqual([
    'first_contact',
    'record',
  ]);
});
