"""Run one app the way one server runs it, in this fresh process, and report what happened.

Usage: python driver.py CONFIG_JSON

CONFIG = {"driver": "lambda" | "uvicorn" | "aiohttp" | "aiogram" | "discord",
          "app_dir": "/path/to/app", "module": "main", "app": "app",
          "handler": "lambda_function:handler" | null,  # lambda: the app's own handler
          "lifespan": "auto" | "off" | null,  # lambda: Mangum(app, lifespan=...) built here
          "request": {"method": "GET", "path": "/x", "query": "", "body": ..., "headers": {}},
          "invocations": 3,   # lambda: warm invocations after one import
          "concurrency": 20}  # uvicorn: concurrent first requests

Drivers:

- ``lambda``: what the AWS Lambda Python runtime does. Import the handler's module once, then
  call ``handler(event, context)`` ``invocations`` times on the main thread, with no loop
  running, with an API Gateway HTTP API (payload 2.0) event. The handler is the app's own
  (``handler``) or ``Mangum(app, lifespan=lifespan)`` built here, as a module of its own that
  imports the app would build it.
- ``uvicorn``: ``uvicorn module:app`` with the lifespan on (the app is imported by uvicorn,
  inside its running loop), then ``concurrency`` requests sent at the same moment from as many
  threads once start-up is reported complete, then one more request.
- ``aiohttp``: the ``web.Application`` served by ``aiohttp.test_utils.TestServer`` (its
  ``on_startup`` runs), two concurrent requests through ``TestClient``.
- ``aiogram``: what ``Dispatcher.start_polling`` does without the network: ``emit_startup``
  with the workflow data polling passes, two updates fed with ``feed_update`` to a ``Bot``
  whose session records the API calls instead of sending them, then ``emit_shutdown``.
- ``discord``: what ``Client.login`` does without the network: the client's loop set-up
  (``async with client``), ``await client.setup_hook()``, then two ``message`` events
  dispatched through the client's own event dispatch; replies are recorded by the channel.

Prints one JSON object on standard output (the app's own prints go to standard error):

    {"python": "3.11.7", "driver": "...",
     "import": {"ok": true} | {"ok": false, "error": ERROR},
     "responses": [{"status": 200 | null, "body": "..." | null, "error": ERROR | null,
                    "logged": [ERROR, ...]}, ...],
     "work": {"prompt": 1},
     "warnings": ["RuntimeWarning: coroutine 'f' was never awaited", ...],
     "logged": [ERROR, ...]}   # errors logged outside of any response

    ERROR = {"type": "RuntimeError", "message": "...", "at": "mangum/protocols/http.py:46",
             "frames": ["app.py:12 in <module>", ...]}

``at`` is the innermost frame outside the standard library; frame files are relative to the
directory they come from (the app, this harness, site-packages, the standard library).
"""

import asyncio
import base64
import datetime
import gc
import http.client
import importlib
import json
import logging
import os
import socket
import sys
import sysconfig
import threading
import time
import traceback
import uuid
import warnings

HARNESS_DIR = os.path.dirname(os.path.realpath(__file__))
ROOTS = []
STARTUP_TIMEOUT = 30.0
REQUEST_TIMEOUT = 30.0


def set_roots(app_dir):
    paths = sysconfig.get_paths()
    roots = [("app", app_dir), ("harness", HARNESS_DIR)]
    roots += [("site", paths["purelib"]), ("site", paths["platlib"])]
    roots += [("stdlib", paths["stdlib"]), ("stdlib", paths["platstdlib"])]
    ROOTS[:] = [(kind, os.path.realpath(path)) for kind, path in roots]


def frame_location(filename):
    """(kind, path relative to its root) of a traceback frame's file."""
    real = os.path.realpath(filename)
    for kind, root in ROOTS:
        if real.startswith(root + os.sep):
            return kind, os.path.relpath(real, root)
    return "other", filename


def describe(exc):
    frames = traceback.extract_tb(exc.__traceback__)
    described = []
    at = None
    for frame in frames:
        kind, rel = frame_location(frame.filename)
        location = "%s:%s" % (rel, frame.lineno)
        described.append("%s in %s" % (location, frame.name))
        if kind not in ("stdlib", "harness"):
            at = location
    message = str(exc)
    if exc.__cause__ is not None or exc.__context__ is not None:
        inner = exc.__cause__ or exc.__context__
        message += " (from %s: %s)" % (type(inner).__name__, inner)
    return {"type": type(exc).__name__, "message": message, "at": at, "frames": described}


class Recorder(logging.Handler):
    """Keeps every warning and every error logged while the app runs."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.warnings = []
        self.logged = []
        self._lock = threading.Lock()

    def emit(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            error = describe(record.exc_info[1])
            error["logger"] = record.name
            error["log"] = record.getMessage()
        else:
            error = {"type": "log", "message": record.getMessage(), "at": None,
                     "frames": [], "logger": record.name}
        with self._lock:
            self.logged.append(error)

    def take_logged(self):
        with self._lock:
            logged, self.logged = self.logged, []
        return logged

    def showwarning(self, message, category, filename, lineno, file=None, line=None):
        _, rel = frame_location(filename)
        text = "%s: %s (%s:%s)" % (category.__name__, message, rel, lineno)
        with self._lock:
            self.warnings.append(text)
        sys.stderr.write("warning: %s\n" % text)


def response(status=None, body=None, error=None, logged=()):
    return {"status": status, "body": body, "error": error, "logged": list(logged)}


def import_attr(module_name, attr):
    module = importlib.import_module(module_name)
    return getattr(module, attr)


def request_body(request):
    """The request body as bytes, and its content type (None when there is no body)."""
    if "body" not in request:
        return None, None
    body = request["body"]
    if isinstance(body, str):
        return body.encode(), "text/plain"
    return json.dumps(body).encode(), "application/json"


# --- lambda -----------------------------------------------------------------------------------


class LambdaContext:
    """The attributes of the Lambda runtime's context object that handlers use."""

    function_name = "loopfix-e2e"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:loopfix-e2e"
    memory_limit_in_mb = 128
    log_group_name = "/aws/lambda/loopfix-e2e"
    log_stream_name = "2025/01/01/[$LATEST]e2e"

    def __init__(self):
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self):
        return 30000


def http_api_event(request):
    """An API Gateway HTTP API event, payload format version 2.0."""
    method = request.get("method", "GET")
    path = request.get("path", "/")
    headers = {
        "accept": "application/json",
        "host": "abcdef1234.execute-api.us-east-1.amazonaws.com",
        "user-agent": "loopfix-e2e",
        "x-forwarded-for": "198.51.100.7",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    headers.update(request.get("headers", {}))
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": request.get("query", ""),
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abcdef1234",
            "domainName": headers["host"],
            "domainPrefix": "abcdef1234",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "198.51.100.7",
                "userAgent": "loopfix-e2e",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": "01/Jan/2025:00:00:00 +0000",
            "timeEpoch": 1735689600000,
        },
        "isBase64Encoded": False,
    }
    body, content_type = request_body(request)
    if body is not None:
        headers.setdefault("content-type", content_type)
        headers["content-length"] = str(len(body))
        event["body"] = body.decode()
    return event


def lambda_handler(config):
    if config.get("handler"):
        module_name, _, attr = config["handler"].partition(":")
        return import_attr(module_name, attr or "handler")
    # A handler module of its own: `from main import app; handler = Mangum(app, lifespan=...)`.
    app = import_attr(config["module"], config["app"])
    from mangum import Mangum

    return Mangum(app, lifespan=config["lifespan"])


def invoke(handler, request, recorder):
    try:
        answer = handler(http_api_event(request), LambdaContext())
    except BaseException as exc:  # noqa: BLE001 - report everything
        return response(error=describe(exc), logged=recorder.take_logged())
    body = answer.get("body") or ""
    if answer.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    return response(answer.get("statusCode"), body, logged=recorder.take_logged())


def run_lambda(config, recorder, result):
    try:
        handler = lambda_handler(config)
    except BaseException as exc:  # noqa: BLE001
        result["import"] = {"ok": False, "error": describe(exc)}
        return
    result["import"] = {"ok": True}
    for _ in range(config.get("invocations", 3)):
        result["responses"].append(invoke(handler, config["request"], recorder))


# --- uvicorn ----------------------------------------------------------------------------------


def http_request(port, request):
    """One HTTP request on its own connection; returns (status, body text)."""
    body, content_type = request_body(request)
    headers = {"accept": "application/json"}
    if content_type:
        headers["content-type"] = content_type
    headers.update(request.get("headers", {}))
    path = request.get("path", "/")
    if request.get("query"):
        path += "?" + request["query"]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(request.get("method", "GET"), path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read().decode("utf-8", "replace")
    finally:
        connection.close()


def concurrent_requests(port, request, count, recorder):
    """`count` requests released at the same moment, one thread each."""
    barrier = threading.Barrier(count)
    answers = [None] * count

    def send(i):
        try:
            barrier.wait(timeout=REQUEST_TIMEOUT)
            status, body = http_request(port, request)
            answers[i] = response(status, body)
        except BaseException as exc:  # noqa: BLE001
            answers[i] = response(error=describe(exc))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Errors the server logged while serving them belong to the first answer.
    answers[0]["logged"] = recorder.take_logged()
    return answers


def run_uvicorn(config, recorder, result):
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            "%s:%s" % (config["module"], config["app"]),
            lifespan="on",
            log_config=None,
            log_level="warning",
            loop="asyncio",
            http="h11",
            ws="none",
        )
    )
    finished = threading.Event()

    def client():
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started and not finished.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not server.started:
            server.should_exit = True
            return
        result["responses"].extend(
            concurrent_requests(port, config["request"], config.get("concurrency", 20), recorder)
        )
        try:
            status, body = http_request(port, config["request"])
            result["responses"].append(response(status, body, logged=recorder.take_logged()))
        except BaseException as exc:  # noqa: BLE001
            result["responses"].append(response(error=describe(exc)))
        server.should_exit = True

    thread = threading.Thread(target=client)
    thread.start()
    try:
        server.run(sockets=[sock])
    except BaseException as exc:  # noqa: BLE001 - import errors and start-up exits land here
        result["import"] = {"ok": False, "error": describe(exc)}
    finally:
        finished.set()
        thread.join()
        sock.close()
    if "import" not in result:
        if server.started:
            result["import"] = {"ok": True}
        else:
            logged = recorder.take_logged()
            error = logged[-1] if logged else {"type": "log", "message": "?", "at": None}
            result["import"] = {"ok": False, "error": dict(error, startup_failed=True)}
            result["logged"].extend(logged[:-1])


# --- aiohttp ----------------------------------------------------------------------------------


def run_aiohttp(config, recorder, result):
    from aiohttp.test_utils import TestClient, TestServer

    try:
        app = import_attr(config["module"], config["app"])
    except BaseException as exc:  # noqa: BLE001
        result["import"] = {"ok": False, "error": describe(exc)}
        return
    result["import"] = {"ok": True}
    request = config["request"]

    async def one(client):
        body, content_type = request_body(request)
        headers = {"content-type": content_type} if content_type else {}
        path = request.get("path", "/")
        if request.get("query"):
            path += "?" + request["query"]
        try:
            async with client.request(
                request.get("method", "GET"), path, data=body, headers=headers
            ) as answer:
                return response(answer.status, await answer.text())
        except BaseException as exc:  # noqa: BLE001
            return response(error=describe(exc))

    async def main():
        async with TestClient(TestServer(app)) as client:
            return await asyncio.gather(one(client), one(client))

    try:
        answers = asyncio.run(main())
    except BaseException as exc:  # noqa: BLE001 - start-up failed
        result["responses"].append(response(error=describe(exc), logged=recorder.take_logged()))
        return
    answers[0]["logged"] = recorder.take_logged()
    result["responses"].extend(answers)


# --- aiogram ----------------------------------------------------------------------------------


def run_aiogram(config, recorder, result):
    from aiogram import Bot
    from aiogram.client.session.base import BaseSession
    from aiogram.methods import SendMessage
    from aiogram.types import Chat, Message, Update, User

    class RecordingSession(BaseSession):
        """Answers the Bot API calls here instead of sending them to Telegram."""

        def __init__(self):
            super().__init__()
            self.sent = []

        async def make_request(self, bot, method, timeout=None):
            if isinstance(method, SendMessage):
                self.sent.append(method.text)
                return Message(
                    message_id=1000 + len(self.sent),
                    date=datetime.datetime.now(datetime.timezone.utc),
                    chat=Chat(id=method.chat_id, type="private"),
                    text=method.text,
                )
            return True

        async def stream_content(self, url, headers=None, timeout=30, chunk_size=65536,
                                 raise_for_status=True):
            raise NotImplementedError("no network in the end-to-end driver")
            yield b""  # pragma: no cover

        async def close(self):
            pass

    try:
        module = importlib.import_module(config["module"])
        dp = getattr(module, config["app"])
    except BaseException as exc:  # noqa: BLE001
        result["import"] = {"ok": False, "error": describe(exc)}
        return
    result["import"] = {"ok": True}
    bot = getattr(module, "bot", None) or Bot(token="123456:E2E-TEST-TOKEN")
    session = RecordingSession()
    bot.session = session

    def update(number):
        return Update(
            update_id=number,
            message=Message(
                message_id=number,
                date=datetime.datetime.now(datetime.timezone.utc),
                chat=Chat(id=42, type="private"),
                from_user=User(id=42, is_bot=False, first_name="E2E"),
                text=config["request"]["text"],
            ),
        )

    async def one(number):
        before = len(session.sent)
        try:
            await dp.feed_update(bot, update(number))
        except BaseException as exc:  # noqa: BLE001
            return response(error=describe(exc))
        replies = session.sent[before:]
        return response(200, replies[0]) if replies else response(None, None)

    async def main():
        workflow = {"dispatcher": dp, "bots": [bot], **dp.workflow_data}
        workflow.pop("bot", None)
        await dp.emit_startup(bot=bot, **workflow)
        try:
            # Polling handles updates as concurrent tasks.
            return await asyncio.gather(one(1), one(2))
        finally:
            await dp.emit_shutdown(bot=bot, **workflow)

    try:
        answers = asyncio.run(main())
    except BaseException as exc:  # noqa: BLE001
        result["responses"].append(response(error=describe(exc), logged=recorder.take_logged()))
        return
    answers[0]["logged"] = recorder.take_logged()
    result["responses"].extend(answers)


# --- discord.py -------------------------------------------------------------------------------


class FakeAuthor:
    bot = False
    id = 42
    name = "e2e"


class FakeChannel:
    """A text channel that keeps what the bot sends to it."""

    def __init__(self):
        self.sent = []

    async def send(self, content=None, **kwargs):
        self.sent.append(content)


class FakeMessage:
    def __init__(self, content, channel):
        self.content = content
        self.channel = channel
        self.author = FakeAuthor()
        self.guild = None


def run_discord(config, recorder, result):
    try:
        client = import_attr(config["module"], config["app"])
    except BaseException as exc:  # noqa: BLE001
        result["import"] = {"ok": False, "error": describe(exc)}
        return
    result["import"] = {"ok": True}

    async def main():
        async with client:
            # What Client.login does once the token is accepted.
            await client.setup_hook()
            channels = [FakeChannel(), FakeChannel()]
            for channel in channels:
                client.dispatch("message", FakeMessage(config["request"]["text"], channel))
            deadline = time.monotonic() + REQUEST_TIMEOUT
            while any(not c.sent for c in channels) and time.monotonic() < deadline:
                if recorder.logged:
                    break
                await asyncio.sleep(0.01)
            # Let the handlers that are still running finish or fail.
            await asyncio.sleep(0.05)
            return [response(200, c.sent[0]) if c.sent else response() for c in channels]

    try:
        answers = asyncio.run(main())
    except BaseException as exc:  # noqa: BLE001
        result["responses"].append(response(error=describe(exc), logged=recorder.take_logged()))
        return
    answers[0]["logged"] = recorder.take_logged()
    result["responses"].extend(answers)


DRIVERS = {
    "lambda": run_lambda,
    "uvicorn": run_uvicorn,
    "aiohttp": run_aiohttp,
    "aiogram": run_aiogram,
    "discord": run_discord,
}


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    config = json.loads(argv[1])
    app_dir = os.path.realpath(config["app_dir"])
    set_roots(app_dir)

    recorder = Recorder()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().addHandler(recorder)
    warnings.simplefilter("default")
    warnings.showwarning = recorder.showwarning

    # Real stdout is reserved for the result: the app's prints go to stderr.
    out = sys.stdout
    sys.stdout = sys.stderr
    sys.path[:0] = [app_dir, HARNESS_DIR]
    import e2e_counter

    result = {"python": "%d.%d.%d" % sys.version_info[:3], "driver": config["driver"],
              "responses": [], "logged": []}
    DRIVERS[config["driver"]](config, recorder, result)
    # Coroutines that were never awaited warn when they are collected.
    gc.collect()
    result["work"] = dict(e2e_counter.COUNTS)
    result["warnings"] = list(recorder.warnings)
    result["logged"].extend(recorder.take_logged())
    json.dump(result, out, indent=1)
    out.write("\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
