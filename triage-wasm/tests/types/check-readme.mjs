// Type-checks the TypeScript examples of the package README: every ```ts block
// is written to a temporary file and checked with `tsc --strict --noEmit`, in
// a Node project (ES2022 and Node's types, no DOM) and in a page project
// (ES2022 and the DOM). Fails if there is no such block or one does not compile.
//   node check-readme.mjs [README.md]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const readme = process.argv[2] ?? join(here, '..', '..', 'README.md');
const tsc = join(here, '..', '..', 'node_modules', '.bin', 'tsc');

const lines = readFileSync(readme, 'utf8').split('\n');
const blocks = [];
for (let i = 0; i < lines.length; i += 1) {
  if (lines[i].trim() !== '```ts') continue;
  const start = i + 1;
  let end = start;
  while (end < lines.length && lines[end].trim() !== '```') end += 1;
  if (end === lines.length) {
    console.error(`${readme}:${i + 1}: the \`\`\`ts block is not closed`);
    process.exit(1);
  }
  blocks.push({ line: start + 1, text: lines.slice(start, end).join('\n') });
  i = end;
}
if (blocks.length === 0) {
  console.error(`${readme}: no \`\`\`ts block to check`);
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'triage-readme-'));
let failed = false;
try {
  const files = blocks.map((block, index) => {
    const name = `readme-${index + 1}.ts`;
    // `export {}` keeps each block a module even if it imports nothing.
    writeFileSync(join(dir, name), `${block.text}\nexport {};\n`);
    return name;
  });
  const projects = [
    { name: 'Node (no DOM)', base: 'tsconfig.node.json', types: ['node'] },
    { name: 'page (DOM)', base: 'tsconfig.json', types: [] },
  ];
  for (const project of projects) {
    const config = join(dir, `tsconfig.${project.base}`);
    writeFileSync(config, JSON.stringify({
      extends: join(here, project.base),
      compilerOptions: { types: project.types, typeRoots: [join(here, '..', '..', 'node_modules', '@types')] },
      files: files.map((name) => join(dir, name)),
    }));
    const run = spawnSync(tsc, ['--strict', '--noEmit', '-p', config], { encoding: 'utf8' });
    if (run.status !== 0) {
      failed = true;
      console.error(`The README's TypeScript does not compile in the ${project.name} project:`);
      // Point at the README's lines rather than the temporary file's.
      console.error((run.stdout + run.stderr).replace(/\S*readme-(\d+)\.ts\((\d+),(\d+)\)/g, (_, n, line, column) =>
        `${readme}:${blocks[n - 1].line + Number(line) - 1}:${column}`));
    } else {
      console.log(`${blocks.length} README block(s) compile in the ${project.name} project`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
