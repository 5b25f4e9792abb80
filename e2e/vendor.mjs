// Copies the PocketBase JS SDK's ES module build from the locked npm package
// (e2e/package-lock.json, installed into e2e/node_modules) into
// pb_public/vendor/, where the Go binary embeds it. With --check it only
// verifies that the committed copy equals the locked package's file and
// exits 1 (naming the fix) when it does not.
//
// In e2e/, after `npm ci`:
//
//   npm run vendor          copy
//   npm run vendor:check    verify (e2e/run.sh does this)

import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const e2e = dirname(fileURLToPath(import.meta.url)); // the npm package: package.json, node_modules
const root = join(e2e, '..');
const pkgDir = join(e2e, 'node_modules', 'pocketbase');
const files = [
  [join(pkgDir, 'dist', 'pocketbase.es.mjs'), join(root, 'pb_public', 'vendor', 'pocketbase.es.mjs')],
  [join(pkgDir, 'LICENSE.md'), join(root, 'pb_public', 'vendor', 'pocketbase.LICENSE.md')],
];

if (!existsSync(pkgDir)) {
  console.error('e2e/node_modules/pocketbase is missing: run `npm ci` in e2e/ first.');
  process.exit(1);
}
const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const locked = JSON.parse(readFileSync(join(e2e, 'package-lock.json'), 'utf8')).packages?.['node_modules/pocketbase']?.version;
if (locked && locked !== version) {
  console.error(`e2e/node_modules has pocketbase ${version} but e2e/package-lock.json pins ${locked}: run \`npm ci\` in e2e/.`);
  process.exit(1);
}

if (process.argv.includes('--check')) {
  const stale = files.filter(([from, to]) => !existsSync(to) || !readFileSync(from).equals(readFileSync(to)));
  if (stale.length) {
    console.error(`pb_public/vendor/ does not match pocketbase ${version} from e2e/package-lock.json:`);
    for (const [, to] of stale) console.error(`  ${to.slice(root.length + 1)}`);
    console.error('Run `npm run vendor` in e2e/ and commit the result.');
    process.exit(1);
  }
  console.log(`pb_public/vendor/ matches pocketbase ${version}.`);
} else {
  for (const [from, to] of files) {
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, readFileSync(from));
    console.log(`copied ${to.slice(root.length + 1)} (pocketbase ${version})`);
  }
}
