"""Drives `loopfix server` with pygls' language client, as an editor does (tests/lsp.rs).

    python client.py LOOPFIX PROJECT OUT

PROJECT holds `app/jobs.py` (CRLF line endings, non-ASCII text on the finding's line: one LF001
with a safe fix), `app/config.py` (LF001 whose fix loads `SETTINGS` lazily), `app/routes.py`
(`from app.config import SETTINGS`: LF005) and `app/broken.py` (does not parse). The session:
initialize, open `jobs.py` and check its diagnostic (code, link, UTF-16 range), apply its quick
fix and "Fix all loopfix findings" (resolved with `codeAction/resolve`) and write the results to
OUT (`jobs.quickfix.py`, `jobs.fixall.py`: tests/lsp.rs compares them with what `loopfix fix`
writes), hover; open `routes.py`, wait for LF005 (the workspace index) and write the result of
its (unsafe) quick fix to OUT (`routes.quickfix.py`, compared with `loopfix fix --unsafe-fixes`
of the project); make `config.py` stop
loading `SETTINGS` at import time, in the editor and then on the disk, and see `routes.py`
re-published without LF005 and with it again once undone; a document that does not parse, an
unknown request (MethodNotFound); shutdown and exit (status 0). Any failed check raises.
"""

import asyncio
import sys
from pathlib import Path

from lsprotocol import types
from pygls.exceptions import JsonRpcMethodNotFound
from pygls.lsp.client import LanguageClient
from pygls.workspace import TextDocument

TIMEOUT = 120


class Client(LanguageClient):
    """A language client that keeps the latest diagnostics of each document."""

    def __init__(self):
        super().__init__("loopfix-test-client", "1")
        self.diagnostics = {}
        self.versions = {}
        self.published = asyncio.Condition()
        self.messages = []

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        async def on_diagnostics(params):
            async with self.published:
                self.diagnostics[params.uri] = params.diagnostics
                self.versions[params.uri] = params.version
                self.published.notify_all()

        @self.feature(types.WINDOW_SHOW_MESSAGE)
        def on_message(params):
            self.messages.append(params.message)

    async def diagnostics_where(self, uri, accept, what):
        """Waits until the diagnostics of `uri` satisfy `accept`."""

        async def wait():
            async with self.published:
                await self.published.wait_for(
                    lambda: uri in self.diagnostics and accept(self.diagnostics[uri])
                )
                return self.diagnostics[uri]

        try:
            return await asyncio.wait_for(wait(), TIMEOUT)
        except asyncio.TimeoutError:
            raise AssertionError(
                f"{what}: diagnostics of {uri} are {self.diagnostics.get(uri)}"
            ) from None


def codes(diagnostics):
    return sorted(d.code for d in diagnostics)


def utf16_column(line, index):
    return len(line[:index].encode("utf-16-le")) // 2


def apply(text, action):
    """The text after the action's edit, applied the way pygls applies edits (UTF-16)."""
    edit = action.edit
    assert edit is not None, f"{action.title}: no edit"
    if edit.document_changes:
        (change,) = edit.document_changes
        edits = change.edits
    else:
        ((_, edits),) = edit.changes.items()
    document = TextDocument("file:///x.py", text)
    # Non-overlapping edits, applied from the last to the first.
    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        document.apply_change(types.TextDocumentContentChangePartial(range=e.range, text=e.new_text))
    return document.source


async def resolved(client, action):
    if action.edit is None:
        action = await client.code_action_resolve_async(action)
    return action


async def open_document(client, path, version=1):
    text = path.read_bytes().decode()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=path.as_uri(), language_id="python", version=version, text=text
            )
        )
    )
    return text


def replace_all(client, uri, version, text):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def check_jobs(client, project, out):
    jobs = project / "app" / "jobs.py"
    uri = jobs.as_uri()
    text = await open_document(client, jobs)
    (diagnostic,) = await client.diagnostics_where(uri, lambda d: len(d) == 1, "jobs.py")
    assert diagnostic.code == "LF001", diagnostic
    assert diagnostic.source == "loopfix", diagnostic
    assert diagnostic.code_description.href == (
        "https://example.org/loopfix/blob/v0.1.0/transforms/rules/LF001.md"
    ), diagnostic.code_description
    # The range in UTF-16 code units: `é` is one, `𝄞` two; lines end with CRLF.
    lines = text.split("\r\n")
    row = next(i for i, line in enumerate(lines) if "asyncio.run(" in line and "DATA" in line)
    line = lines[row]
    start = line.index("asyncio.run(")
    end = line.rindex(")", 0, line.rindex("}")) + 1
    assert diagnostic.range.start == types.Position(row, utf16_column(line, start)), diagnostic.range
    assert diagnostic.range.end == types.Position(row, utf16_column(line, end)), diagnostic.range
    assert utf16_column(line, start) != start, "the line must have characters outside the BMP"

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    quick = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert len(quick) == 1, actions
    (quick,) = quick
    assert quick.is_preferred, quick
    assert "(unsafe)" not in quick.title, quick.title
    assert quick.title.startswith("Load `DATA` lazily"), quick.title
    fixed = apply(text, await resolved(client, quick))
    (out / "jobs.quickfix.py").write_bytes(fixed.encode())

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(
                diagnostics=[], only=[types.CodeActionKind.SourceFixAll]
            ),
        )
    )
    (fix_all,) = actions
    assert fix_all.kind == "source.fixAll.loopfix", fix_all
    assert fix_all.title == "Fix all loopfix findings", fix_all
    fixed_all = apply(text, await resolved(client, fix_all))
    (out / "jobs.fixall.py").write_bytes(fixed_all.encode())

    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=diagnostic.range.start,
        )
    )
    assert hover is not None, "no hover on the finding"
    assert hover.contents.value.startswith("# asyncio-run-at-import (LF001)"), hover.contents
    assert "## Why is this bad?" in hover.contents.value
    elsewhere = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(0, 0),
        )
    )
    assert elsewhere is None, elsewhere

    # Typing: the edited text is analysed, not the file on the disk.
    replace_all(client, uri, 2, fixed)
    await client.diagnostics_where(
        uri, lambda d: not d and client.versions[uri] == 2, "jobs.py after the fix"
    )


async def check_cross_module(client, project, out):
    routes = project / "app" / "routes.py"
    config = project / "app" / "config.py"
    routes_uri = routes.as_uri()
    routes_text = await open_document(client, routes)
    (lf005,) = await client.diagnostics_where(
        routes_uri, lambda d: codes(d) == ["LF005"], "routes.py imports a lazily loaded global"
    )
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=routes_uri),
            range=lf005.range,
            context=types.CodeActionContext(diagnostics=[lf005]),
        )
    )
    (quick,) = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert quick.title.endswith("(unsafe)"), quick.title
    assert not quick.is_preferred, quick
    fixed = apply(routes_text, await resolved(client, quick))
    (out / "routes.quickfix.py").write_bytes(fixed.encode())

    # In the editor: `config.py` stops loading SETTINGS at import time, then goes back.
    original = await open_document(client, config)
    eager = original.replace(
        "SETTINGS = asyncio.run(fetch_settings())", 'SETTINGS = {"region": "eu-west-1"}'
    )
    assert eager != original
    replace_all(client, config.as_uri(), 2, eager)
    await client.diagnostics_where(routes_uri, lambda d: not d, "config.py edited")
    replace_all(client, config.as_uri(), 3, original)
    await client.diagnostics_where(
        routes_uri, lambda d: codes(d) == ["LF005"], "config.py edit undone"
    )
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=config.as_uri())
        )
    )

    # On the disk, reported by the editor's file watcher.
    def changed():
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Changed)]
            )
        )

    config.write_bytes(eager.encode())
    changed()
    await client.diagnostics_where(routes_uri, lambda d: not d, "config.py changed on disk")
    config.write_bytes(original.encode())
    changed()
    await client.diagnostics_where(
        routes_uri, lambda d: codes(d) == ["LF005"], "config.py restored on disk"
    )


async def check_robustness(client, project):
    broken = project / "app" / "broken.py"
    await open_document(client, broken)
    await client.diagnostics_where(broken.as_uri(), lambda d: not d, "broken.py")
    try:
        await client.protocol.send_request_async("loopfix/unknownRequest", {})
    except JsonRpcMethodNotFound:
        pass
    else:
        raise AssertionError("an unknown request must be answered with MethodNotFound")


async def main(loopfix, project, out):
    client = Client()
    await client.start_io(loopfix, "server")
    result = await asyncio.wait_for(
        client.initialize_async(
            types.InitializeParams(
                process_id=None,
                root_uri=project.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=project.as_uri(), name="project")],
                initialization_options={"docsBaseUrl": "https://example.org/loopfix/blob/v0.1.0"},
                capabilities=types.ClientCapabilities(
                    general=types.GeneralClientCapabilities(
                        position_encodings=[types.PositionEncodingKind.Utf16]
                    ),
                    text_document=types.TextDocumentClientCapabilities(
                        code_action=types.CodeActionClientCapabilities(
                            data_support=True,
                            resolve_support=types.ClientCodeActionResolveOptions(
                                properties=["edit"]
                            ),
                        )
                    ),
                ),
            )
        ),
        TIMEOUT,
    )
    assert result.server_info.name == "loopfix", result.server_info
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf16
    client.initialized(types.InitializedParams())

    await check_jobs(client, project, out)
    await check_cross_module(client, project, out)
    await check_robustness(client, project)
    assert not client.messages, client.messages

    await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
    client.exit(None)
    status = await asyncio.wait_for(client._server.wait(), TIMEOUT)
    assert status == 0, f"the server exited with status {status}"
    await client.stop()
    print("lsp session: all checks passed")


if __name__ == "__main__":
    loopfix, project, out = sys.argv[1:]
    asyncio.run(main(loopfix, Path(project), Path(out)))
