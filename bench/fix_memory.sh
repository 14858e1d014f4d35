#!/usr/bin/env bash
# Peak memory of `loopfix check`, `fix --diff` and `fix` on a generated tree where every file has
# one safe fix: N files (default 12,900) of a FastAPI module with an import-time `asyncio.run()`
# and 60 small functions (about 4 KB each). Prints GNU time's maximum resident set size per
# command. The tree is made under a temporary directory and removed afterwards.
#
# usage: bench/fix_memory.sh [N] [path/to/loopfix]   (default: target/release/loopfix, built here)
#        HELPERS=600 bench/fix_memory.sh 3000        (60 functions by default; 600 make 40 KB files)
set -euo pipefail
cd "$(dirname "$0")/.."

files=${1:-12900}
loopfix=${2:-target/release/loopfix}
if [[ $# -lt 2 ]]; then
    cargo build --release --locked --quiet
fi
if ! /usr/bin/time -f %M true 2>/dev/null; then
    echo "fix_memory.sh: GNU time (/usr/bin/time) is needed" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work/tree" "$files" "${HELPERS:-60}" <<'EOF'
import os
import sys

root, count, functions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
helpers = "".join(f"\n\ndef helper_{j}(x):\n    return x + {j}\n" for j in range(functions))
module = (
    "import asyncio\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
    "async def fetch(i):\n    return i\n\n\nDATA = asyncio.run(fetch(1))\n"
    + helpers
    + '\n\n@app.get("/")\nasync def root():\n    return DATA\n'
)
for i in range(count):
    package = os.path.join(root, f"pkg{i // 100}")
    os.makedirs(package, exist_ok=True)
    with open(os.path.join(package, f"m{i}.py"), "w") as f:
        f.write(module)
EOF

peak() {
    local label=$1
    shift
    # loopfix exits 1 when it finds something; GNU time still writes the figure, last.
    /usr/bin/time -o "$work/rss" -f %M "$@" >/dev/null 2>&1 || true
    awk -v label="$label" 'END { printf "%-12s %8.1f MiB\n", label, $1 / 1024 }' "$work/rss"
}

echo "loopfix: $("$loopfix" --version); $files files, $(du -sh "$work/tree" | cut -f1)"
peak "check" "$loopfix" check --no-progress --output-format concise "$work/tree"
peak "fix --diff" "$loopfix" fix --no-progress --diff "$work/tree"
peak "fix" "$loopfix" fix --no-progress "$work/tree"
