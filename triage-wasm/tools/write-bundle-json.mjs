// Writes a bundle directory as the JSON the demo page loads:
//   node write-bundle-json.mjs BUNDLE_DIR OUT.json
// {"files": {"dispositions.yaml": "...", "pathways/chest-pain.yaml": "...", ...}}
// Keys are paths relative to the bundle, as the engine expects. Case packs
// (*.cases.yaml) are left out: a page never runs them, and checking them more
// than doubles the size and takes most of the loading time. The content hash
// therefore covers exactly the files written here.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: write-bundle-json.mjs BUNDLE_DIR OUT.json');
  process.exit(2);
}

function walk(at, found) {
  for (const entry of readdirSync(at, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(at, entry.name);
    if (entry.isDirectory()) walk(path, found);
    else if (entry.isFile() && /\.ya?ml$/.test(entry.name) && !/\.cases\.ya?ml$/.test(entry.name)) found.push(path);
  }
  return found;
}

const files = {};
for (const path of walk(dir, []).sort()) {
  files[relative(dir, path).split(sep).join('/')] = readFileSync(path, 'utf8');
}
writeFileSync(out, JSON.stringify({ files }));
console.log(`${Object.keys(files).length} files -> ${out}`);
