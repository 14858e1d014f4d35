"""Checks the release workflow (.github/workflows/release.yml) against what it promises, since it
cannot run outside GitHub: prints each problem, exits 1 if any.

    check_release.py WORKFLOW MATURIN_REQUIREMENTS

- it runs on a pushed tag `v*` and by hand, and reads nothing but the repository's contents;
- maturin builds a wheel (`--release --locked`) for every platform of the list below, plus the
  sdist, with the maturin that the tests pin (MATURIN_REQUIREMENTS), and each is uploaded;
- one job publishes them to PyPI by trusted publishing (an OpenID Connect token, no password),
  after every build and only for a pushed `v*` tag, from the `pypi` environment;
- the pre-commit mirror is stamped with scripts/stamp-pre-commit-mirror after the publication;
- every action is pinned to a full commit, its version in a comment.
"""

import itertools
import re
import sys

import yaml

WORKFLOW, REQUIREMENTS = sys.argv[1], sys.argv[2]

# (target, manylinux) of every wheel; None where maturin-action takes no `manylinux`.
PLATFORMS = {
    ("x86_64-unknown-linux-gnu", "2_17"),
    ("aarch64-unknown-linux-gnu", "2_17"),
    ("x86_64-unknown-linux-musl", "musllinux_1_2"),
    ("aarch64-unknown-linux-musl", "musllinux_1_2"),
    ("x86_64-apple-darwin", None),
    ("aarch64-apple-darwin", None),
    ("x86_64-pc-windows-msvc", None),
}
MATURIN_ACTION = "PyO3/maturin-action@"
PUBLISH_ACTION = "pypa/gh-action-pypi-publish@"
TAG_GATE = "startsWith(github.ref, 'refs/tags/v')"

with open(WORKFLOW, encoding="utf-8") as f:
    text = f.read()
workflow = yaml.safe_load(text)
problems = []


def need(condition, message):
    if not condition:
        problems.append(message)


# YAML 1.1 reads the key `on` as true.
triggers = workflow.get("on", workflow.get(True)) or {}
need("v*" in ((triggers.get("push") or {}).get("tags") or []), "not run on a pushed tag `v*`")
need("workflow_dispatch" in triggers, "cannot be run by hand (workflow_dispatch)")
need(set(triggers) <= {"push", "workflow_dispatch"}, f"runs on more than tags and by hand: {sorted(triggers)}")
need(workflow.get("permissions") == {"contents": "read"}, "the workflow's permissions are not `contents: read` alone")

env = workflow.get("env") or {}
with open(REQUIREMENTS, encoding="utf-8") as f:
    pinned_maturin = [line.strip() for line in f if line.startswith("maturin==")]
jobs = workflow.get("jobs") or {}


def combinations(job):
    """Each combination of the job's matrix (its list-valued keys), or one empty one."""
    matrix = (job.get("strategy") or {}).get("matrix") or {}
    keys = [k for k, v in matrix.items() if isinstance(v, list)]
    for values in itertools.product(*(matrix[k] for k in keys)):
        yield dict(zip(keys, values))


def resolve(value, matrix):
    """`value` with its `${{ matrix.a.b }}` and `${{ env.X }}` expressions filled in."""
    if not isinstance(value, str):
        return value

    def lookup(m):
        path = m.group(1).split(".")
        node = {"matrix": matrix, "env": env}
        for part in path:
            if not isinstance(node, dict) or part not in node:
                return m.group(0)
            node = node[part]
        return str(node)

    return re.sub(r"\$\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}", lookup, value)


built, sdist, build_jobs = set(), False, set()
for job_id, job in jobs.items():
    steps = job.get("steps") or []
    builds = [s for s in steps if s.get("uses", "").startswith(MATURIN_ACTION)]
    if not builds:
        continue
    build_jobs.add(job_id)
    uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    need(len(uploads) == 1, f"{job_id}: does not upload what it builds (one upload-artifact step)")
    for matrix in combinations(job):
        for step in builds:
            inputs = {k: resolve(v, matrix) for k, v in (step.get("with") or {}).items()}
            need(inputs.get("maturin-version", "").startswith("v"), f"{job_id}: maturin's version is not pinned")
            maturin = inputs.get("maturin-version", "")[1:]
            need(f"maturin=={maturin}" in pinned_maturin, f"{job_id}: maturin {maturin} is not the one {REQUIREMENTS} pins")
            args = inputs.get("args", "").split()
            need("--out" in args and "dist" in args, f"{job_id}: maturin does not write to dist")
            if inputs.get("command") == "sdist":
                sdist = True
                continue
            need("--release" in args and "--locked" in args, f"{job_id}: a wheel not built `--release --locked`")
            built.add((inputs.get("target"), inputs.get("manylinux")))
        for upload in uploads:
            name = resolve((upload.get("with") or {}).get("name", ""), matrix)
            need(name.startswith("wheels-"), f"{job_id}: the artifact {name!r} is not named wheels-*")
for target, manylinux in sorted(PLATFORMS - built, key=str):
    problems.append(f"no wheel for {target}" + (f" ({manylinux})" if manylinux else ""))
need(sdist, "no sdist")

publish = [j for j, job in jobs.items() if any(s.get("uses", "").startswith(PUBLISH_ACTION) for s in job.get("steps") or [])]
need(len(publish) == 1, "not exactly one job publishes to PyPI")
for job_id in publish:
    job = jobs[job_id]
    need(build_jobs <= set(job.get("needs") or []), f"{job_id}: does not wait for every build ({sorted(build_jobs)})")
    gate = job.get("if", "")
    need(TAG_GATE in gate and "github.event_name == 'push'" in gate, f"{job_id}: not gated on a pushed `v*` tag")
    need(job.get("permissions") == {"id-token": "write"}, f"{job_id}: permissions are not `id-token: write` alone")
    need((job.get("environment") or {}).get("name") == "pypi", f"{job_id}: not in the `pypi` environment")
    steps = job.get("steps") or []
    downloads = [s for s in steps if s.get("uses", "").startswith("actions/download-artifact@")]
    need(any((s.get("with") or {}).get("pattern") == "wheels-*" and (s.get("with") or {}).get("merge-multiple")
             for s in downloads), f"{job_id}: does not gather every wheels-* artifact")
    for step in steps:
        if step.get("uses", "").startswith(PUBLISH_ACTION):
            secrets = {k for k in (step.get("with") or {}) if k in ("password", "user")}
            need(not secrets, f"{job_id}: publishes with a password, not by trusted publishing")

mirror = [j for j, job in jobs.items() if any("scripts/stamp-pre-commit-mirror" in s.get("run", "") for s in job.get("steps") or [])]
need(len(mirror) == 1, "no job stamps the pre-commit mirror")
for job_id in mirror:
    job = jobs[job_id]
    need(set(publish) <= set(job.get("needs") or []), f"{job_id}: stamps the mirror before the publication")
    need(TAG_GATE in job.get("if", ""), f"{job_id}: not gated on a `v*` tag")

for line_no, line in enumerate(text.splitlines(), 1):
    m = re.match(r"\s*(?:-\s+)?uses:\s*(\S+)(.*)", line)
    if m and not m.group(1).startswith("./"):
        need(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", m.group(1)) and re.fullmatch(r"\s*# v\d+(\.\d+)*", m.group(2)),
             f"line {line_no}: {m.group(1)} is not pinned to a commit with `# vX.Y.Z` after it")

for problem in dict.fromkeys(problems):  # once each, in order
    print(f"{WORKFLOW}: {problem}")
sys.exit(1 if problems else 0)
