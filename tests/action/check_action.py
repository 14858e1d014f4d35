"""Checks the composite GitHub Action of the repository (action.yml) against what GitHub
requires of action metadata and what the README promises; prints each problem, exits 1 if any.

With a second argument, also writes there the action's steps as a reusable workflow (its
inputs as `workflow_call` inputs), so that actionlint, which reads workflows, checks the
steps' expressions and keys."""

import re
import sys

import yaml

ACTION = sys.argv[1]

with open(ACTION, encoding="utf-8") as f:
    action = yaml.safe_load(f)

problems = []


def need(condition, message):
    if not condition:
        problems.append(message)


for key in ("name", "description", "runs"):
    need(key in action, f"missing top-level key `{key}`")
inputs = action.get("inputs") or {}
for name in ("paths", "args"):
    need(name in inputs, f"missing input `{name}`")
for name, spec in inputs.items():
    need(isinstance(spec, dict) and "description" in spec, f"input `{name}` has no description")
runs = action.get("runs") or {}
need(runs.get("using") == "composite", "runs.using is not `composite`")
steps = runs.get("steps") or []
need(steps, "no steps")
ids = set()
for i, step in enumerate(steps):
    label = step.get("name", f"step {i + 1}")
    need(("run" in step) != ("uses" in step), f"{label}: needs exactly one of `run` and `uses`")
    if "run" in step:
        need("shell" in step, f"{label}: a composite action's `run` step needs `shell`")
    if "id" in step:
        ids.add(step["id"])

text = open(ACTION, encoding="utf-8").read()
for name in re.findall(r"\$\{\{[^}]*?\binputs\.([A-Za-z0-9_-]+)", text):
    need(name in inputs, f"`inputs.{name}` is used but not declared")
for name in re.findall(r"\$\{\{[^}]*?\bsteps\.([A-Za-z0-9_-]+)\.", text):
    need(name in ids, f"`steps.{name}` is used but no step has that id")

runs_text = [s.get("run", "") for s in steps]
uses = [s.get("uses", "") for s in steps]
need(any("cargo install --locked" in r and "$ACTION_PATH" in r for r in runs_text),
     "no step runs `cargo install --locked` from the action's checkout")
need(any(u.startswith("actions/cache@") for u in uses), "no cache step")
need(any("loopfix check --output-format sarif -o" in r for r in runs_text),
     "no step runs `loopfix check --output-format sarif -o`")
upload = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
need(len(upload) == 1 and upload[0]["uses"].endswith("@v3"),
     "no upload with github/codeql-action/upload-sarif@v3")
if upload:
    need(upload[0].get("with", {}).get("sarif_file") == "${{ inputs.sarif-file }}",
         "the upload does not send the report the check wrote")

if len(sys.argv) > 2:
    workflow = {
        "name": "loopfix action steps",
        "on": {
            "workflow_call": {
                "inputs": {
                    name: {"type": "string", "required": False, "default": spec.get("default", "")}
                    for name, spec in inputs.items()
                }
            }
        },
        "jobs": {"steps": {"runs-on": "ubuntu-latest", "steps": steps}},
    }
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        yaml.safe_dump(workflow, f, sort_keys=False)

for problem in problems:
    print(f"{ACTION}: {problem}")
sys.exit(1 if problems else 0)
