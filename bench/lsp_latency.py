#!/usr/bin/env python3
"""bench/lsp_latency.py: how long `loopfix server` takes to publish diagnostics after an edit.

    cargo build --release
    python3 bench/lsp_latency.py                      # target/release/loopfix, 300 edits
    python3 bench/lsp_latency.py --loopfix PATH --edits 500 --lines 2000 --output bench/lsp.md

It writes a scratch project (under a temporary directory): `app/config.py`, which loads a
setting with `asyncio.run` at import time (LF001, and what it exports makes importers look),
`app/big.py`, a module of about `--lines` lines of ordinary code (classes, functions,
decorators, strings) that imports that setting by name (LF005) and runs a loop at import time
itself (LF001), so every edit of it is parsed and analysed with the project in view, and a few
small modules. Then it starts the server over stdio (a minimal JSON-RPC client on the standard
library: the numbers are the server's, not a client library's), opens `app/big.py`, waits for
its first diagnostics, and sends edits one at a time (`textDocument/didChange`, incremental,
UTF-16 positions): in turn typing a character into a string in the middle of the file, deleting
it, inserting and deleting a comment line near the top (which moves every finding below), and
adding and removing an import (which changes the import lines the project index reads). For each
edit it measures the wall time from writing the notification to reading the
`textDocument/publishDiagnostics` for that version, and the CPU time the server's threads used
in between (Linux: `/proc/PID/task/*/schedstat`; on a busy machine the wall time also holds the
time the server waited for a core, the CPU time does not), and checks that the diagnostics are
there (LF001 and LF005). It prints the median, p95 and maximum of both, with the load average,
and with `--output` writes them as Markdown.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = '''"""Settings fetched from the parameter store when the module is imported."""
import asyncio


async def fetch_settings():
    await asyncio.sleep(0)
    return {"region": "eu-west-1", "table": "orders"}


SETTINGS = asyncio.run(fetch_settings())
'''

BIG_HEAD = '''"""A large module of ordinary application code."""
import asyncio
import dataclasses
import json

from app.config import SETTINGS


async def warm_cache():
    await asyncio.sleep(0)
    return {"warm": True}


CACHE = asyncio.run(warm_cache())

'''

BLOCK = '''

@dataclasses.dataclass
class Record{n}:
    """Record number {n}, with a few fields and methods."""

    name: str
    count: int = 0
    tags: tuple = ()

    def describe(self):
        text = f"record {{self.name}} has {{self.count}} items"
        if self.count > {n}:
            text += " (many)"
        return text

    def to_json(self):
        return json.dumps({{"name": self.name, "count": self.count, "tags": list(self.tags)}})


def total_{n}(records):
    """Sum the counts of the records."""
    result = 0
    for record in records:
        if record.count < 0:
            raise ValueError(f"negative count in {{record.name!r}}")
        result += record.count
    return result


async def handler_{n}(request):
    await asyncio.sleep(0)
    region = SETTINGS["region"]
    return {{"handler": {n}, "region": region, "cache": CACHE}}
'''


class Client:
    """A minimal LSP client over the server's standard input and output."""

    def __init__(self, command, cwd):
        self.process = subprocess.Popen(
            command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.next_id = 0

    def send(self, message):
        message["jsonrpc"] = "2.0"
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()

    def request(self, method, params):
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.next_id

    def notify(self, method, params):
        self.send({"method": method, "params": params})

    def read(self):
        length = None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("the server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def wait_for(self, accept):
        while True:
            message = self.read()
            if message.get("method") == "client/registerCapability":
                self.send({"id": message["id"], "result": None})
                continue
            if accept(message):
                return message


def write_project(root, lines):
    app = root / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "config.py").write_text(CONFIG)
    (app / "routes.py").write_text(
        "from app.config import SETTINGS\n\n\nasync def region():\n"
        '    return {"region": SETTINGS["region"]}\n'
    )
    (app / "util.py").write_text("def add(a, b):\n    return a + b\n")
    text = BIG_HEAD
    n = 0
    while text.count("\n") < lines:
        text += BLOCK.format(n=n)
        n += 1
    (app / "big.py").write_text(text)
    return app / "big.py", text


def cpu_seconds(pid):
    """The CPU time all threads of process `pid` have used, in seconds (None off Linux)."""
    total = 0
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/schedstat") as stat:
                total += int(stat.read().split()[0])
    except OSError:
        return None
    return total / 1e9


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def edits(text):
    """Edits that go on forever: type and delete a character mid-file, insert and delete a line
    near the top, add and remove an import."""
    lines = text.split("\n")
    # Typing goes into a string in the middle of the file (what people type most is text
    # inside a statement, which keeps the module's structure).
    middle = len(lines) // 2
    while 'text = f"record' not in lines[middle]:
        middle += 1
    column = lines[middle].rindex('"')
    while True:
        yield "type a character", {
            "range": {"start": {"line": middle, "character": column},
                      "end": {"line": middle, "character": column}}, "text": "x"}
        yield "delete the character", {
            "range": {"start": {"line": middle, "character": column},
                      "end": {"line": middle, "character": column + 1}}, "text": ""}
        yield "insert a line near the top", {
            "range": {"start": {"line": 3, "character": 0},
                      "end": {"line": 3, "character": 0}}, "text": "# a new comment\n"}
        yield "delete the line", {
            "range": {"start": {"line": 3, "character": 0},
                      "end": {"line": 4, "character": 0}}, "text": ""}
        yield "add an import", {
            "range": {"start": {"line": 3, "character": 0},
                      "end": {"line": 3, "character": 0}}, "text": "import os\n"}
        yield "remove it", {
            "range": {"start": {"line": 3, "character": 0},
                      "end": {"line": 4, "character": 0}}, "text": ""}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    repo = Path(__file__).resolve().parent.parent
    parser.add_argument("--loopfix", default=str(repo / "target" / "release" / "loopfix"))
    parser.add_argument("--edits", type=int, default=300)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--output", help="write the results as Markdown to this file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="loopfix-lsp-bench-") as scratch:
        root = Path(scratch)
        big, text = write_project(root, args.lines)
        uri = big.as_uri()
        client = Client([str(Path(args.loopfix).resolve()), "server"], cwd=root)
        client.request("initialize", {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": "bench"}],
            "capabilities": {},
        })
        client.wait_for(lambda m: m.get("id") == 1)
        client.notify("initialized", {})
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})

        def codes_of(message):
            return sorted({d["code"] for d in message["params"]["diagnostics"]})

        # The first diagnostics come before the workspace scan ends (the file alone); wait
        # until the project is in view (LF005 needs `app/config.py`).
        deadline = time.monotonic() + 60
        while True:
            message = client.wait_for(
                lambda m: m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri)
            if "LF005" in codes_of(message):
                break
            if time.monotonic() > deadline:
                sys.exit(f"no LF005 within a minute: {codes_of(message)}")

        timings = []
        by_kind = {}
        cpu = []
        load_before = os.getloadavg()
        pid = client.process.pid
        version = 1
        changes = edits(text)
        for _ in range(args.edits):
            version += 1
            kind, change = next(changes)
            cpu_started = cpu_seconds(pid)
            started = time.perf_counter()
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [change],
            })
            message = client.wait_for(
                lambda m: m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri and m["params"].get("version") == version)
            timings.append((time.perf_counter() - started) * 1000)
            by_kind.setdefault(kind, []).append(timings[-1])
            cpu_ended = cpu_seconds(pid)
            if cpu_started is not None and cpu_ended is not None:
                cpu.append((cpu_ended - cpu_started) * 1000)
            codes = codes_of(message)
            if codes != ["LF001", "LF005"]:
                sys.exit(f"edit {version}: unexpected diagnostics {codes}")

        load_after = os.getloadavg()
        client.request("shutdown", None)
        client.wait_for(lambda m: m.get("id") == client.next_id)
        client.notify("exit", None)
        client.process.wait(timeout=10)

    lines = text.count("\n")

    def row(name, values):
        if not values:
            return ""
        return (
            f"| {name} | {statistics.median(values):.1f} ms | {percentile(values, 0.95):.1f} ms "
            f"| {max(values):.1f} ms |\n"
        )

    loads = " ".join(f"{x:.2f}" for x in load_before) + " → " + " ".join(
        f"{x:.2f}" for x in load_after
    )
    report = (
        f"`loopfix server`: from `didChange` to `publishDiagnostics` for a {lines:,}-line "
        f"module ({len(text.encode()):,} bytes, LF001 + LF005 with the project in view), "
        f"{len(timings)} edits, `{args.loopfix}`, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}, 1/5/15-minute load average {loads}.\n\n"
        "| | median | p95 | max |\n| --- | ---: | ---: | ---: |\n"
        + row("wall time (what the editor waits)", timings)
        + row("server CPU time (all threads)", cpu)
        + "".join(row(f"wall time, {kind}", values) for kind, values in by_kind.items())
    )
    print(report)
    if args.output:
        Path(args.output).write_text(report)


if __name__ == "__main__":
    main()
