#!/usr/bin/env bash
# bench/compare.sh: loopfix against ripgrep, ruff and ast-grep on the same three Python trees
# (README, "Speed"). Run it from anywhere; it works from the repository root.
#
#   bench/compare.sh                 # everything: install, build, trees, counts, timings, table
#   bench/compare.sh --quick         # 3 runs after 1 warm-up instead of 5 after 2
#   bench/compare.sh --trees "stdlib packages"
#   bench/compare.sh --count-parses  # also count loopfix's parses with a perf uprobe (root)
#   bench/compare.sh --prepare       # stop after installing, building and counting
#   bench/compare.sh --table-only    # re-render bench/results.md from the last run's data
#
# Environment: BENCH_DIR (scratch, default target/bench), PYTHON (default python3),
# RUNS, WARMUP (hyperfine), MAX_LOAD and WAIT_IDLE (before timing a tree, wait up to WAIT_IDLE
# seconds, default 600, for the 1-minute load average to fall to MAX_LOAD, default half the
# cores; the load seen is recorded next to the results), ALLOW_OTHER_PYTHON=1 to build the trees with a CPython other
# than 3.11 (packages.txt is pinned for 3.11 wheels).
#
# What it does:
#  1. installs what is missing: hyperfine, ripgrep and GNU time with apt-get; ruff and ast-grep
#     at pinned versions from PyPI into a venv under $BENCH_DIR/venv;
#  2. cargo build --release;
#  3. builds and caches the trees under $BENCH_DIR/trees/:
#       stdlib/    the running python3's sysconfig stdlib, without site-packages, dist-packages
#                  and __pycache__;
#       packages/  pip install --no-deps --only-binary=:all: --no-compile --target of
#                  bench/packages.txt (exact pins, dependency closure included);
#       x3/        copy1..copy3, each a full copy of stdlib/ and packages/ (real copies, not
#                  links, so the page cache holds three times the bytes);
#     a tree is rebuilt only when its stamp (Python version, packages.txt hash) changes;
#  4. counts the .py/.pyi files each tool sees in each tree (they must agree, see below);
#  5. times, side by side in one hyperfine run per tree (warm cache, no shell, medians):
#       rg -l -t py --type-add py:*.pyi -e asyncio -e run_until_complete
#          -e get_event_loop -e new_event_loop TREE                        (the floor)
#       loopfix check --output-format concise --no-progress TREE
#       loopfix fix --diff --no-progress TREE                              (writes nothing)
#       ruff check --select E9 --no-cache --exit-zero TREE                 (parses every file)
#       ast-grep scan -r bench/rule.yml TREE                               (equivalent rule)
#     -i lets hyperfine accept non-zero exits (loopfix exits 1 on findings, rg 1 on none);
#  6. measures peak RSS (GNU time, max resident set) of each tool on each tree;
#  7. prints a Markdown table and writes it to bench/results.md; raw hyperfine JSON and
#     the counts go to $BENCH_DIR/results/.
#
# Fairness. All five tools see the same files: every tree lives under target/, which the
# repository's .gitignore ignores, but none of these tools applies a parent directory's
# .gitignore to a path named on the command line (ignore-crate semantics), and the trees hold
# no .gitignore/.ignore of their own; step 4 checks this by counting rather than assuming.
# loopfix and ruff skip the same default-excluded directory names (venv, build, dist,
# site-packages, ...): the stdlib's own venv/ package (2 files) is the only such directory in
# these trees, so rg and ast-grep see 2 files more per stdlib copy. rg's `py` type lacks
# *.pyi in ripgrep 13, hence --type-add. ast-grep skips empty and non-UTF-8 files after
# reading them. The counts table in results.md shows all of this.
set -euo pipefail
set -f # no globbing: command strings below are split on spaces and hold *.pyi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BENCH_DIR=${BENCH_DIR:-target/bench}
PYTHON=${PYTHON:-python3}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-2}
TREES="stdlib packages x3"
COUNT_PARSES=0
PREPARE=0
TABLE_ONLY=0
MAX_LOAD=${MAX_LOAD:-$(awk -v n="$(nproc)" 'BEGIN {print n / 2}')}
WAIT_IDLE=${WAIT_IDLE:-600}
RUFF_VERSION=0.17.6
AST_GREP_VERSION=0.51.1

while (($#)); do
    case $1 in
        --quick) RUNS=3 WARMUP=1 ;;
        --runs) RUNS=$2; shift ;;
        --warmup) WARMUP=$2; shift ;;
        --trees) TREES=$2; shift ;;
        --count-parses) COUNT_PARSES=1 ;;
        --prepare) PREPARE=1 ;;
        --table-only) TABLE_ONLY=1 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

say() { printf '\n==> %s\n' "$*" >&2; }

TREES_DIR=$BENCH_DIR/trees
RESULTS_DIR=$BENCH_DIR/results
VENV=$BENCH_DIR/venv
LOOPFIX=target/release/loopfix
RULE=bench/rule.yml
mkdir -p "$TREES_DIR" "$RESULTS_DIR"

render() {
    "$PYTHON" bench/table.py "$RESULTS_DIR" >bench/results.md
    cat bench/results.md
    echo >&2
    echo "written: bench/results.md (raw data: $RESULTS_DIR/)" >&2
}
if ((TABLE_ONLY)); then
    render
    exit 0
fi

# ---------------------------------------------------------------------------------------------
say "tools"
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v rg >/dev/null || missing+=(ripgrep)
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]})); then
    sudo=()
    [[ $(id -u) == 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

pyver=$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
if [[ $pyver != 3.11.* && ${ALLOW_OTHER_PYTHON:-0} != 1 ]]; then
    echo "bench/packages.txt is pinned for CPython 3.11 wheels, but $PYTHON is $pyver" \
        "(set PYTHON=python3.11, or ALLOW_OTHER_PYTHON=1 to try anyway)" >&2
    exit 1
fi

if ! { "$VENV/bin/ruff" --version 2>/dev/null | grep -qx "ruff $RUFF_VERSION" &&
    "$VENV/bin/ast-grep" --version 2>/dev/null | grep -qx "ast-grep $AST_GREP_VERSION"; }; then
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check \
        "ruff==$RUFF_VERSION" "ast-grep-cli==$AST_GREP_VERSION"
fi
RUFF=$VENV/bin/ruff
AST_GREP=$VENV/bin/ast-grep

say "cargo build --release"
cargo build --release --quiet

# ---------------------------------------------------------------------------------------------
say "trees (cached in $TREES_DIR)"
# fresh NAME STAMP: whether $TREES_DIR/NAME exists and was built with STAMP.
fresh() { [[ -d $TREES_DIR/$1 && -f $TREES_DIR/$1.stamp && $(<"$TREES_DIR/$1.stamp") == "$2" ]]; }
# commit NAME STAMP: moves the finished $TREES_DIR/NAME.tmp into place.
commit() {
    rm -rf "${TREES_DIR:?}/$1"
    mv "$TREES_DIR/$1.tmp" "$TREES_DIR/$1"
    printf '%s' "$2" >"$TREES_DIR/$1.stamp"
}

stdlib_src=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
stdlib_stamp="cpython $pyver stdlib"
if [[ $TREES == *stdlib* || $TREES == *x3* ]] && ! fresh stdlib "$stdlib_stamp"; then
    echo "copying the CPython $pyver stdlib" >&2
    rm -rf "$TREES_DIR/stdlib.tmp" && mkdir -p "$TREES_DIR/stdlib.tmp"
    tar -C "$stdlib_src" --exclude=./site-packages --exclude=./dist-packages \
        --exclude=__pycache__ -cf - . | tar -C "$TREES_DIR/stdlib.tmp" -xf -
    commit stdlib "$stdlib_stamp"
fi

packages_stamp="cpython $pyver $(sha256sum bench/packages.txt | cut -c1-16)"
if [[ $TREES == *packages* || $TREES == *x3* ]] && ! fresh packages "$packages_stamp"; then
    echo "pip install --target of bench/packages.txt" >&2
    rm -rf "$TREES_DIR/packages.tmp"
    "$PYTHON" -m pip install -q --disable-pip-version-check --no-deps --only-binary=:all: \
        --no-compile --target "$TREES_DIR/packages.tmp" -r bench/packages.txt
    commit packages "$packages_stamp"
fi

x3_stamp="3x [$stdlib_stamp] [$packages_stamp]"
if [[ $TREES == *x3* ]] && ! fresh x3 "$x3_stamp"; then
    echo "copying both trees three times" >&2
    rm -rf "$TREES_DIR/x3.tmp"
    for i in 1 2 3; do
        mkdir -p "$TREES_DIR/x3.tmp/copy$i"
        cp -a "$TREES_DIR/stdlib" "$TREES_DIR/packages" "$TREES_DIR/x3.tmp/copy$i/"
    done
    commit x3 "$x3_stamp"
fi

# The commands, by tree. Kept as strings for hyperfine -N (no shell) and for the report.
RG_ARGS="-l -t py --type-add py:*.pyi -e asyncio -e run_until_complete -e get_event_loop -e new_event_loop"
cmd_rg() { echo "rg $RG_ARGS $1"; }
cmd_check() { echo "$LOOPFIX check --output-format concise --no-progress $1"; }
cmd_diff() { echo "$LOOPFIX fix --diff --no-progress $1"; }
cmd_ruff() { echo "$RUFF check --select E9 --no-cache --exit-zero $1"; }
cmd_sg() { echo "$AST_GREP scan -r $RULE $1"; }

# ---------------------------------------------------------------------------------------------
say "what each tool sees"
# loopfix's (and ruff's) default-excluded directory names, for counting the prefilter's hits.
DEFAULT_EXCLUDES=.bzr,.direnv,.eggs,.git,.git-rewrite,.hg,.ipynb_checkpoints,.mypy_cache,.nox,.pants.d,.pyenv,.pytest_cache,.pytype,.ruff_cache,.svn,.tox,.venv,.vscode,__pypackages__,_build,buck-out,build,dist,node_modules,site-packages,venv
counts=$RESULTS_DIR/counts.tsv
printf 'tree\tkey\tvalue\n' >"$counts"
for tree in $TREES; do
    dir=$TREES_DIR/$tree
    [[ -d $dir ]] || { echo "no tree $dir" >&2; exit 1; }
    # Ignore files inside the trees could make the tools disagree: count them (and the files).
    ignores=$(find "$dir" \( -name .gitignore -o -name .ignore -o -name .rgignore \) | wc -l)
    py=$(find "$dir" -type f \( -name '*.py' -o -name '*.pyi' \) | wc -l)
    bytes=$(find "$dir" -type f \( -name '*.py' -o -name '*.pyi' \) -printf '%s\n' |
        awk '{s += $1} END {print s}')
    rg_files=$(rg --files -t py --type-add 'py:*.pyi' "$dir" | wc -l)
    lf_files=$("$LOOPFIX" check --ignore ALL --no-progress "$dir" |
        sed -n 's/^No findings in \([0-9]*\) files\?\.$/\1/p')
    ruff_files=$("$RUFF" check --select E9 --no-cache --exit-zero --show-files "$dir" |
        grep -c '\.pyi\?$' || true)
    sg_summary=$("$AST_GREP" scan -r "$RULE" --inspect summary "$dir" 2>&1 >/dev/null |
        grep 'summary|file' || true)
    sg_files=$(sed -n 's/.*scannedFileCount=\([0-9]*\).*/\1/p' <<<"$sg_summary")
    sg_skipped=$(sed -n 's/.*skippedFileCount=\([0-9]*\).*/\1/p' <<<"$sg_summary")
    # Files holding one of the prefilter's byte strings (lexer::prefilter), found with rg over the files
    # loopfix walks (same byte-literal test, no encoding sniffing).
    needles=$(rg -l -F -a --no-ignore --encoding none -t py --type-add 'py:*.pyi' \
        -g "!{$DEFAULT_EXCLUDES}/" -e asyncio -e get_event_loop -e run_until_complete -e new_event_loop \
        -e uvloop -e anyio "$dir" | wc -l)
    lf_summary=$("$LOOPFIX" check --output-format concise --no-progress "$dir" | tail -n 1 || true)
    {
        printf '%s\tpy_files\t%s\n' "$tree" "$py"
        printf '%s\tpy_bytes\t%s\n' "$tree" "$bytes"
        printf '%s\tignore_files\t%s\n' "$tree" "$ignores"
        printf '%s\trg\t%s\n' "$tree" "$rg_files"
        printf '%s\tloopfix\t%s\n' "$tree" "$lf_files"
        printf '%s\truff\t%s\n' "$tree" "$ruff_files"
        printf '%s\tast-grep\t%s\n' "$tree" "$sg_files"
        printf '%s\tast-grep-skipped\t%s\n' "$tree" "$sg_skipped"
        printf '%s\tprefilter\t%s\n' "$tree" "$needles"
        printf '%s\tloopfix-summary\t%s\n' "$tree" "$lf_summary"
    } >>"$counts"
    printf '%-9s %6s .py/.pyi %5s MB | rg %s, loopfix %s, ruff %s, ast-grep %s (%s skipped) | prefilter %s | %s\n' \
        "$tree" "$py" "$((bytes / 1000000))" "$rg_files" "$lf_files" "$ruff_files" "$sg_files" \
        "$sg_skipped" "$needles" "$lf_summary" >&2
    if [[ $lf_files != "$ruff_files" ]]; then
        echo "warning: loopfix and ruff see different files in $tree ($lf_files, $ruff_files)" >&2
    fi
done

if ((COUNT_PARSES)); then
    say "files loopfix parses (perf uprobe on ts_parser_parse)"
    if perf probe -q -x "$LOOPFIX" ts_parser_parse 2>/dev/null; then
        trap 'perf probe -q -d "probe_loopfix:*" >/dev/null 2>&1 || true' EXIT
        for tree in $TREES; do
            for mode in check diff; do
                cmd=$(cmd_$mode "$TREES_DIR/$tree")
                # shellcheck disable=SC2086
                n=$(perf stat -x, -e probe_loopfix:ts_parser_parse $cmd 2>&1 >/dev/null |
                    awk -F, '/probe_loopfix/ {print $1}' || true)
                printf '%s\tparses-%s\t%s\n' "$tree" "$mode" "$n" >>"$counts"
                echo "$tree $mode: $n parses" >&2
            done
        done
        perf probe -q -d 'probe_loopfix:*' || true
    else
        echo "perf probe unavailable; skipped" >&2
    fi
fi

((PREPARE)) && { say "prepared (--prepare): not timing"; exit 0; }

# ---------------------------------------------------------------------------------------------
load1() { cut -d' ' -f1 /proc/loadavg; }
# Other work on the machine skews every timing: wait (a while) for it to calm down.
wait_idle() {
    local waited=0
    while awk -v l="$(load1)" -v m="$MAX_LOAD" 'BEGIN {exit !(l > m)}' && ((waited < WAIT_IDLE)); do
        ((waited == 0)) && echo "load average $(load1) > $MAX_LOAD: waiting up to ${WAIT_IDLE}s" >&2
        sleep 15
        waited=$((waited + 15))
    done
    if awk -v l="$(load1)" -v m="$MAX_LOAD" 'BEGIN {exit !(l > m)}'; then
        echo "warning: load average still $(load1); timing anyway (recorded in the results)" >&2
    fi
}
loads=$RESULTS_DIR/load.tsv
printf 'tree\tbefore\tafter\n' >"$loads"
for tree in $TREES; do
    dir=$TREES_DIR/$tree
    wait_idle
    before=$(cut -d' ' -f1-3 /proc/loadavg)
    say "hyperfine: $tree ($RUNS runs after $WARMUP warm-ups)"
    hyperfine -N -i --style basic --warmup "$WARMUP" --runs "$RUNS" \
        --export-json "$RESULTS_DIR/$tree.json" \
        -n rg "$(cmd_rg "$dir")" \
        -n loopfix-check "$(cmd_check "$dir")" \
        -n loopfix-fix-diff "$(cmd_diff "$dir")" \
        -n ruff "$(cmd_ruff "$dir")" \
        -n ast-grep "$(cmd_sg "$dir")" >&2
    printf '%s\t%s\t%s\n' "$tree" "$before" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$loads"
done

say "peak memory (GNU time, max RSS)"
rss=$RESULTS_DIR/rss.tsv
printf 'tree\ttool\tkib\n' >"$rss"
for tree in $TREES; do
    dir=$TREES_DIR/$tree
    for tool in rg check diff ruff sg; do
        repeats=1
        [[ $tool == check || $tool == diff ]] && repeats=3
        for ((i = 0; i < repeats; i++)); do
            # shellcheck disable=SC2046
            /usr/bin/time -f '%M' -o "$RESULTS_DIR/time.out" $(cmd_$tool "$dir") >/dev/null 2>&1 || true
            printf '%s\t%s\t%s\n' "$tree" "$tool" "$(tail -n 1 "$RESULTS_DIR/time.out")" >>"$rss"
        done
    done
    echo "$tree: $(awk -F'\t' -v t="$tree" '$1 == t {printf "%s %s KiB; ", $2, $3}' "$rss")" >&2
done

# ---------------------------------------------------------------------------------------------
say "table"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
# The loopfix code measured: HEAD, marked dirty only when src/ or Cargo.* differ from it.
lf_rev=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || lf_rev="$lf_rev-dirty"
{
    printf 'key\tvalue\n'
    printf 'trees\t%s\n' "$TREES"
    printf 'runs\t%s\n' "$RUNS"
    printf 'warmup\t%s\n' "$WARMUP"
    printf 'date\t%s\n' "$(date -u +%F)"
    printf 'machine\t%s\n' "$(nproc) cores ($cpu), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), Linux $(uname -r)"
    printf 'versions\t%s\n' "loopfix $lf_rev ($("$LOOPFIX" --version)), $(rg --version | head -n 1), ruff $RUFF_VERSION, ast-grep $AST_GREP_VERSION, $(hyperfine --version), CPython $pyver"
    printf 'rg_args\t%s\n' "$RG_ARGS"
} >"$RESULTS_DIR/meta.tsv"
render
