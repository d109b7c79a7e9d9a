// `cargo xtask test` runs this: parses openapi/asyncapi.json with the AsyncAPI project's parser
// and fails on any error diagnostic (warnings and hints are printed).
import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
const file = process.argv[2];
const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(file, 'utf8'));
const errors = diagnostics.filter((d) => d.severity === 0);
for (const d of diagnostics) console.log(`${['error','warning','info','hint'][d.severity]}: ${d.message} at ${d.path.join('.')}`);
if (!document || errors.length) { console.error(`${file}: ${errors.length} errors`); process.exit(1); }
console.log(`${file}: valid AsyncAPI ${document.version()} (${document.channels().length} channels, ${document.messages().length} messages)`);
