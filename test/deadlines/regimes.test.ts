/** The clock's regime registry: it starts empty and knows no domain's rules or words. Pure. */
import { describe, expect, it } from 'vitest';
import {
  createRegimeRegistry,
  eventLabelOf,
  inKindOrder,
  kindLabelOf,
  type Regime,
} from '../../server/deadlines/regimes.js';

const regime = (over: Partial<Regime> & Pick<Regime, 'id'>): Regime => ({
  eventKinds: [],
  compute: () => {
    throw new Error('not used');
  },
  validateEvent: () => [],
  ...over,
});

describe('the regime registry', () => {
  it('starts empty: no correspondence (or any other) regime is built in', () => {
    const registry = createRegimeRegistry();
    for (const id of ['foi', 'eir', 'sar', 'complaint', 'general', 'pra_complaint'])
      expect(registry.has(id)).toBe(false);
  });

  it('fails loudly for a regime nobody registered', () => {
    expect(() => createRegimeRegistry().get('foi')).toThrow(
      'No deadline regime "foi" is registered',
    );
  });

  it('gives back what a domain registers, and refuses the same id twice', () => {
    const registry = createRegimeRegistry();
    const survey = regime({ id: 'survey_close' });
    registry.register(survey);
    expect(registry.get('survey_close')).toBe(survey);
    expect(() => registry.register(regime({ id: 'survey_close' }))).toThrow(
      'Deadline regime "survey_close" already exists',
    );
  });
});

describe('a regime’s words', () => {
  const worded = regime({
    id: 'survey_close',
    kindLabels: { respond: 'Survey closes' },
    kindOrder: ['respond', 'remind'],
    eventLabels: { closed: 'Survey closed' },
  });

  it('are its own; a kind or event it has no word for reads as itself', () => {
    expect(kindLabelOf(worded, 'respond')).toBe('Survey closes');
    expect(kindLabelOf(worded, 'statutory')).toBe('statutory');
    expect(kindLabelOf(regime({ id: 'bare' }), 'respond')).toBe('respond');
    expect(kindLabelOf(undefined, 'respond')).toBe('respond');
    expect(eventLabelOf(worded, 'closed')).toBe('Survey closed');
    expect(eventLabelOf(worded, 'extended')).toBe('extended');
    expect(eventLabelOf(undefined, 'closed')).toBe('closed');
    // Only its own keys: nothing inherited from Object reads as a label.
    expect(kindLabelOf(worded, 'constructor')).toBe('constructor');
  });

  it('order its stored timers; unlisted kinds come first, and no order keeps them as read', () => {
    const rows = () => [{ kind: 'remind' }, { kind: 'other' }, { kind: 'respond' }];
    expect(inKindOrder(worded, rows()).map((r) => r.kind)).toEqual(['other', 'respond', 'remind']);
    expect(inKindOrder(regime({ id: 'bare' }), rows()).map((r) => r.kind)).toEqual([
      'remind',
      'other',
      'respond',
    ]);
  });
});
