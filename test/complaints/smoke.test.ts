import { beforeAll, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { api, team, type Team } from './fixtures.js';

const t = useTestApp();
let u: Team;
beforeAll(async () => {
  u = await team(t);
});

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
