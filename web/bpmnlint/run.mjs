// Lint BPMN documents with bpmnlint (issue 14, point 2): one document's XML on stdin, its findings as JSON on
// stdout, [{rule, id, message, category}], category "error" or "warn" (exit status 2 when the XML cannot be
// read). With --bundle, stdin is a JSON object {file name: XML} and stdout {file name: findings or
// {"error": message}}: a draft's files in one run. The rules are bpmnlint's recommended ones as configured
// in .bpmnlintrc next to this file. Run by service/usecases/workbench/bpmnlint.py with a time limit.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, '..');
const require = createRequire(join(web, 'package.json'));

const Linter = require('bpmnlint/lib/linter');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');
const { BpmnModdle } = require('bpmn-moddle');

const config = JSON.parse(readFileSync(join(here, '.bpmnlintrc'), 'utf8'));

function readStdin() {
  return readFileSync(0, 'utf8');
}

const linter = new Linter({ config, resolver: new NodeResolver({ require }) });

async function lint(xml) {
  const { rootElement: root } = await new BpmnModdle().fromXML(xml);
  const results = await linter.lint(root);
  const findings = [];
  for (const [rule, reports] of Object.entries(results)) {
    for (const report of reports) {
      findings.push({
        rule: rule.replace(/^bpmnlint\//, ''),
        id: report.id || null,
        message: report.message,
        category: report.category
      });
    }
  }
  return findings;
}

async function main() {
  const input = readStdin();
  if (process.argv.includes('--bundle')) {
    const answer = {};
    for (const [name, xml] of Object.entries(JSON.parse(input))) {
      try {
        answer[name] = await lint(xml);
      } catch (error) {
        answer[name] = { error: String(error.message || error) };
      }
    }
    process.stdout.write(JSON.stringify(answer));
    return;
  }
  let findings;
  try {
    findings = await lint(input);
  } catch (error) {
    process.stderr.write(`cannot read the BPMN document: ${error.message}\n`);
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(findings));
}

main().catch((error) => {
  process.stderr.write(`bpmnlint failed: ${error.stack || error}\n`);
  process.exit(1);
});
