"""Renders bench/compare.sh's measurements as Markdown (stdout); run by compare.sh.

Usage: python3 bench/table.py RESULTS_DIR. Reads meta.tsv, <tree>.json (hyperfine), counts.tsv,
rss.tsv and load.tsv there.
"""

import csv
import json
import os
import statistics
import sys

RESULTS = sys.argv[1]
with open(os.path.join(RESULTS, "meta.tsv")) as _f:
    META = {r["key"]: r["value"] for r in csv.DictReader(_f, delimiter="\t")}
TREES = META["trees"].split()
RUNS = META["runs"]
WARMUP = META["warmup"]
MACHINE = META["machine"]
VERSIONS = META["versions"]
RG_ARGS = META["rg_args"]
DATE = META["date"]

TREE_TITLES = {
    "stdlib": "CPython stdlib",
    "packages": "popular packages",
    "x3": "both ×3",
}
TREE_WHAT = {
    "stdlib": "the running CPython's `sysconfig` stdlib, without site-packages and `__pycache__`",
    "packages": "`pip install --no-deps --only-binary=:all: --target` of `bench/packages.txt`",
    "x3": "three real copies of both trees",
}
TOOLS = [
    ("rg", f"`rg {RG_ARGS}` (the floor)"),
    ("loopfix-check", "`loopfix check --output-format concise`"),
    ("loopfix-fix-diff", "`loopfix fix --diff`"),
    ("ruff", "`ruff check --select E9 --no-cache --exit-zero` (parses every file)"),
    ("ast-grep", "`ast-grep scan -r bench/rule.yml`"),
]


def load_counts():
    counts = {}
    with open(os.path.join(RESULTS, "counts.tsv")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            counts[(row["tree"], row["key"])] = row["value"]
    return counts


def load_rss():
    rss = {}
    with open(os.path.join(RESULTS, "rss.tsv")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["kib"].isdigit():
                rss.setdefault((row["tree"], row["tool"]), []).append(int(row["kib"]))
    return {k: max(v) for k, v in rss.items()}


def load_loads():
    path = os.path.join(RESULTS, "load.tsv")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return {r["tree"]: (r["before"], r["after"]) for r in csv.DictReader(f, delimiter="\t")}


def load_times():
    times = {}
    for tree in TREES:
        with open(os.path.join(RESULTS, f"{tree}.json")) as f:
            for result in json.load(f)["results"]:
                times[(tree, result["command"])] = result
    return times


def secs(t):
    return f"{t:.3f} s" if t < 0.1 else f"{t:.2f} s" if t < 10 else f"{t:.1f} s"


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def row(cells):
    return "| " + " | ".join(cells) + " |"


def main():
    counts = load_counts()
    rss = load_rss()
    times = load_times()
    med = {k: v["median"] for k, v in times.items()}
    out = []
    p = out.append

    p("# loopfix benchmark")
    p("")
    p(
        f"Produced by `bench/compare.sh` on {DATE}: {MACHINE}; warm page cache; "
        f"hyperfine medians of {RUNS} runs after {WARMUP} warm-ups, all five commands of a tree "
        "side by side in one hyperfine run."
    )
    p("")
    p(f"Versions: {VERSIONS}.")
    p("")
    loads = load_loads()
    if loads:
        p(
            "1/5/15-minute load averages before → after each tree's hyperfine run (other work "
            "on the machine inflates and spreads every row alike; ratios within a tree are "
            "taken side by side): "
            + "; ".join(f"{TREE_TITLES.get(t, t)} {b} → {a}" for t, (b, a) in loads.items())
            + "."
        )
        p("")

    header = ["tool"] + [
        f"{TREE_TITLES.get(t, t)} ({int(counts[(t, 'py_files')]):,} files, "
        f"{int(counts[(t, 'py_bytes')]) / 1e6:.1f} MB)"
        for t in TREES
    ]
    p("## Time (median; ratio to the `rg -l` row)")
    p("")
    p(row(header))
    p(row(["---"] + ["---:"] * len(TREES)))
    for name, title in TOOLS:
        cells = [title]
        for t in TREES:
            m, floor = med[(t, name)], med[(t, "rg")]
            cells.append(f"{secs(m)} ({m / floor:.1f}×)")
        p(row(cells))
    p(
        row(
            ["**loopfix check: speed-up over ruff**"]
            + [f"**{med[(t, 'ruff')] / med[(t, 'loopfix-check')]:.1f}×**" for t in TREES]
        )
    )
    p(
        row(
            ["loopfix check: speed-up over ast-grep"]
            + [f"{med[(t, 'ast-grep')] / med[(t, 'loopfix-check')]:.1f}×" for t in TREES]
        )
    )
    p(
        row(
            ["**loopfix peak RSS** (check / fix --diff, max of 3)"]
            + [
                f"**{mib(rss[(t, 'check')])}** / {mib(rss[(t, 'diff')])}"
                if (t, "check") in rss and (t, "diff") in rss
                else "?"
                for t in TREES
            ]
        )
    )
    p("")
    p(
        "CPU time (user + system, mean of the runs; less sensitive than wall time to other work "
        "on the machine, but blind to how well a tool uses the cores; ratio to the `rg -l` row):"
    )
    p("")
    p(row(["tool"] + [TREE_TITLES.get(t, t) for t in TREES]))
    p(row(["---"] + ["---:"] * len(TREES)))
    for name, _ in TOOLS:
        cells = [name]
        for t in TREES:
            cpu = times[(t, name)]["user"] + times[(t, name)]["system"]
            floor = times[(t, "rg")]["user"] + times[(t, "rg")]["system"]
            cells.append(f"{secs(cpu)} ({cpu / floor:.1f}×)")
        p(row(cells))
    p("")
    p("Spread (min–max of the runs, seconds):")
    p("")
    p(row(["tool"] + [TREE_TITLES.get(t, t) for t in TREES]))
    p(row(["---"] + ["---:"] * len(TREES)))
    for name, _ in TOOLS:
        p(
            row(
                [name]
                + [
                    f"{times[(t, name)]['min']:.3f}–{times[(t, name)]['max']:.3f}"
                    for t in TREES
                ]
            )
        )
    p("")

    p("## Targets of the performance issue")
    p("")
    p(row(["target"] + [TREE_TITLES.get(t, t) for t in TREES]))
    p(row(["---"] + ["---"] * len(TREES)))

    def mark(ok):
        return "met" if ok else "**missed**"

    cells = ["`check` at most 2× `rg -l`"]
    for t in TREES:
        r = med[(t, "loopfix-check")] / med[(t, "rg")]
        cells.append(f"{mark(r <= 2)} ({r:.1f}×)")
    p(row(cells))
    cells = ["`check` at least 5× faster than ruff"]
    for t in TREES:
        r = med[(t, "ruff")] / med[(t, "loopfix-check")]
        cells.append(f"{mark(r >= 5)} ({r:.1f}×)")
    p(row(cells))
    cells = ["`fix --diff` costs what `check` costs (within 10%)"]
    for t in TREES:
        r = med[(t, "loopfix-fix-diff")] / med[(t, "loopfix-check")]
        cells.append(f"{mark(r <= 1.1)} ({r:.2f}×)")
    p(row(cells))
    cells = ["time linear in tree size (check, ms per MB of Python)"]
    for t in TREES:
        per_mb = med[(t, "loopfix-check")] * 1000 / (int(counts[(t, "py_bytes")]) / 1e6)
        cells.append(f"{per_mb:.1f}")
    p(row(cells))
    cells = ["peak RSS at most 64 MiB (check on the largest tree)"]
    for t in TREES:
        k = rss.get((t, "check"))
        cells.append("?" if k is None else f"{mark(k <= 64 * 1024)} ({mib(k)})")
    p(row(cells))
    p("")

    p("## What each tool saw")
    p("")
    p(row(["files"] + [TREE_TITLES.get(t, t) for t in TREES]))
    p(row(["---"] + ["---:"] * len(TREES)))
    p(row(["`.py`/`.pyi` files in the tree (find)"] + [counts[(t, "py_files")] for t in TREES]))
    p(row(["`.gitignore`/`.ignore` files in the tree"] + [counts[(t, "ignore_files")] for t in TREES]))
    p(row(["rg (`rg --files`, same type filter)"] + [counts[(t, "rg")] for t in TREES]))
    p(row(["loopfix (`check --ignore ALL` summary)"] + [counts[(t, "loopfix")] for t in TREES]))
    p(row(["ruff (`--show-files`)"] + [counts[(t, "ruff")] for t in TREES]))
    p(
        row(
            ["ast-grep (`--inspect summary`: scanned, of which skipped as empty or non-UTF-8)"]
            + [f"{counts[(t, 'ast-grep')]} ({counts[(t, 'ast-grep-skipped')]})" for t in TREES]
        )
    )
    p(
        row(
            ["files holding a prefilter needle (what loopfix lexes; it parses fewer)"]
            + [counts[(t, "prefilter")] for t in TREES]
        )
    )
    if any((t, "parses-check") in counts for t in TREES):
        p(
            row(
                ["loopfix parses, measured (uprobe on `ts_parser_parse`: check / fix --diff)"]
                + [
                    f"{counts.get((t, 'parses-check'), '?')} / {counts.get((t, 'parses-diff'), '?')}"
                    for t in TREES
                ]
            )
        )
    p(row(["loopfix's summary line"] + [counts[(t, "loopfix-summary")] for t in TREES]))
    p("")
    p(
        "loopfix and ruff skip the same default-excluded directory names; the only one in these "
        "trees is the stdlib's own `venv/` package (2 files per stdlib copy), which rg and "
        "ast-grep search. None of the tools applies the repository's `.gitignore` (which ignores "
        "`target/`) to a path named on the command line, and no ignore file inside the trees "
        "hides a Python file (the packages tree's are twisted's `newsfragments/.gitignore`, which "
        "only un-ignore themselves): rg's count equals find's. ast-grep reads but does not match empty and non-UTF-8 files. The "
        "prefilter count is rg's `-F -a --encoding none` search for loopfix's six byte strings "
        "(`asyncio`, `get_event_loop`, `run_until_complete`, `new_event_loop`, `uvloop`, `anyio`) "
        "over the files loopfix walks."
    )
    p("")

    p("## Peak RSS of every tool (GNU time, max resident set)")
    p("")
    labels = [
        ("rg", "rg -l"),
        ("check", "loopfix check"),
        ("diff", "loopfix fix --diff"),
        ("ruff", "ruff"),
        ("sg", "ast-grep"),
    ]
    p(row(["tool"] + [TREE_TITLES.get(t, t) for t in TREES]))
    p(row(["---"] + ["---:"] * len(TREES)))
    for key, label in labels:
        p(row([label] + [mib(rss[(t, key)]) if (t, key) in rss else "?" for t in TREES]))
    p("")
    p("Raw hyperfine JSON, counts and RSS samples: `target/bench/results/` after a run.")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
