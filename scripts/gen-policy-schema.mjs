// Regenerates schema/policy.schema.json from the policy catalogue through the
// built CLI (run `npm run build` first; `npm run schema` does both).
// test/unit/policy-schema.test.ts fails when the committed file drifts.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/kt.js', import.meta.url));
const schema = execFileSync(process.execPath, [bin, 'policy', 'schema'], { encoding: 'utf8' });
const file = new URL('../schema/policy.schema.json', import.meta.url);
writeFileSync(file, schema);
process.stdout.write(`wrote ${fileURLToPath(file)}\n`);
