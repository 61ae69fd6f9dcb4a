/**
 * The shared labels (issue #15 item 6): every code a case can carry has the word a
 * caseworker uses, in one module (server/lib/labels.ts) that the domains read instead of
 * correspondence's workflow file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASE_CHANNELS, CASE_STATUSES, CASE_TYPES } from '../../db/schema/correspondence.js';
import {
  CHANNEL_LABELS,
  CHANNEL_PHRASES,
  channelLabel,
  humanise,
  STATUS_LABELS,
  statusLabel,
  TYPE_LABELS,
  typeLabel,
} from '../../server/lib/labels.js';

describe('the shared labels', () => {
  it('name every type, channel and status the database allows', () => {
    for (const type of CASE_TYPES) expect(TYPE_LABELS[type]).toMatch(/^[A-Z]/);
    for (const channel of CASE_CHANNELS) {
      expect(CHANNEL_LABELS[channel]).toMatch(/^[A-Z]/);
      expect(CHANNEL_PHRASES[channel]).toBeTruthy();
    }
    for (const status of CASE_STATUSES) expect(STATUS_LABELS[status]).toMatch(/^[A-Z]/);
    expect(typeLabel('foi')).toBe('Freedom of information request');
    expect(typeLabel('mp_enquiry')).toBe('MP enquiry');
    expect(channelLabel('mp')).toBe("MP's office");
    expect(statusLabel('awaiting_requester')).toBe('Awaiting requester');
  });

  it('make an unknown code readable rather than inventing a word, and ignore inherited keys', () => {
    expect(typeLabel('granted_in_part')).toBe('Granted in part');
    expect(channelLabel('constructor')).toBe('Constructor');
    expect(humanise('not_held')).toBe('Not held');
  });

  it('are read from server/lib by every domain but correspondence', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (file.endsWith('.ts') && !file.includes(`${path.sep}correspondence${path.sep}`)) {
          const source = fs.readFileSync(file, 'utf8');
          for (const match of source.matchAll(
            /import\s*\{([^}]*)\}\s*from\s*'\.\.\/correspondence\/workflow\.js'/g,
          ))
            if (/\b(TYPE_LABELS|CHANNEL_LABELS|CHANNEL_PHRASES|STATUS_LABELS)\b/.test(match[1]!))
              offenders.push(path.relative(process.cwd(), file));
        }
      }
    };
    walk(path.resolve('server'));
    expect(offenders).toEqual([]);
  });
});
