// Copies what the compiled code reads at run time next to it in dist/: Nunjucks views,
// static files, the committed migrations and the bundled bank holidays. Plain JavaScript,
// so the build needs nothing but tsc and Node.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'dist');

const copies = [
  // [source folder, keep(file)]
  ['server', (file) => file.endsWith('.njk') || file.includes(`${path.sep}public${path.sep}`)],
  ['db/migrations', () => true],
  ['db/data', () => true],
  ['server/auth/data', () => true],
];

let count = 0;
for (const [folder, keep] of copies) {
  const from = path.join(root, folder);
  fs.cpSync(from, path.join(out, folder), {
    recursive: true,
    filter: (source) => {
      if (fs.statSync(source).isDirectory()) return true;
      const kept = keep(source) && !source.endsWith('.ts');
      if (kept) count += 1;
      return kept;
    },
  });
}
console.log(`copied ${count} asset files to dist/`);
