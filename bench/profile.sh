#!/usr/bin/env bash
# bench/profile.sh: where loopfix's time goes on the benchmark trees (run bench/compare.sh
# first: it builds the trees). Needs perf (apt-get install linux-perf) and root for uprobes.
#
#   bench/profile.sh                  # stdlib packages x3
#   bench/profile.sh stdlib
#
# For each tree it prints:
#   - perf stat of `loopfix check` (task-clock, CPUs utilised, wall time);
#   - the number of files parsed by `check` and by `fix --diff`, counted with a uprobe on
#     tree-sitter's ts_parser_parse (each parse of a file is one call);
#   - a split of check's CPU samples into phases (walk, settings, read, prefilter, parse,
#     semantic model, analysis, ...) from perf record --call-graph dwarf on a build with line
#     tables (same code and profile as `cargo build --release`, plus debug line info, built
#     into target/bench/profbuild so target/release stays untouched); see bench/perf_phases.py.
# Output also goes to bench/profile.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BENCH_DIR=${BENCH_DIR:-target/bench}
TREES_DIR=$BENCH_DIR/trees
OUT=bench/profile.md
WORK=$BENCH_DIR/profile
FREQ=${FREQ:-999}
TREES=${*:-stdlib packages x3}
mkdir -p "$WORK" "$(dirname "$OUT")"

command -v perf >/dev/null || { echo "perf not found (apt-get install linux-perf)" >&2; exit 1; }

echo "==> building loopfix with line tables into $BENCH_DIR/profbuild" >&2
CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo build --release --quiet \
    --target-dir "$BENCH_DIR/profbuild"
LF=$BENCH_DIR/profbuild/release/loopfix

have_probe=0
if perf probe -q -x "$LF" ts_parser_parse 2>/dev/null; then
    have_probe=1
    trap 'perf probe -q -d "probe_loopfix:*" >/dev/null 2>&1 || true' EXIT
fi

{
    echo "# loopfix profile ($(date -u +%F), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
    for tree in $TREES; do
        dir=$TREES_DIR/$tree
        echo
        echo "## $tree"
        echo
        echo '```'
        perf stat -e task-clock "$LF" check --no-progress "$dir" 2>&1 >/dev/null |
            grep -E 'task-clock|elapsed|user|sys' | sed 's/^ *//' || true
        echo '```'
        if ((have_probe)); then
            for mode in check fix; do
                extra=()
                [[ $mode == fix ]] && extra=(--diff)
                n=$(perf stat -x, -e probe_loopfix:ts_parser_parse \
                    "$LF" "$mode" "${extra[@]}" --no-progress "$dir" 2>&1 >/dev/null |
                    awk -F, '/probe_loopfix/ {print $1}' || true)
                echo "- files parsed by \`$mode${extra[*]:+ ${extra[*]}}\`: $n (uprobe on ts_parser_parse)"
            done
        fi
        perf record -q -F "$FREQ" --call-graph dwarf,32768 -o "$WORK/$tree.data" \
            "$LF" check --no-progress "$dir" >/dev/null 2>&1 || true
        echo
        echo "CPU samples of \`check\` by phase ($FREQ Hz, innermost phase frame):"
        echo
        perf script -i "$WORK/$tree.data" --inline -F tid,ip,sym 2>/dev/null |
            python3 bench/perf_phases.py
    done
} | tee "$OUT"
echo "written: $OUT" >&2
