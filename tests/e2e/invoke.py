"""Invoke a Mangum handler the way the AWS Lambda Python runtime does.

Usage: python invoke.py APP_DIR MODULE REQUEST_JSON [INVOCATIONS]

The runtime imports the handler's module once (the "init" phase, in a fresh
interpreter), then calls ``module.handler(event, context)`` once per request on
the main thread, with no event loop running.  This script does the same with an
API Gateway HTTP API (payload format 2.0) event built from REQUEST_JSON
(``{"method": "POST", "path": "/x", "body": {...}, "headers": {...}}``) and
prints one JSON object on standard output:

    {"python": "3.11.7",
     "import": {"ok": true} | {"ok": false, "error": ERROR},
     "invocations": [INVOCATION, ...]}

    INVOCATION = {"ok": true, "status": 200, "body": "<raw body>",
                  "json": <parsed body or null>, "logged_errors": [ERROR, ...]}
               | {"ok": false, "error": ERROR, "logged_errors": [...]}
    ERROR = {"type": "RuntimeError", "message": "...",
             "last_frame": "asyncio/events.py:677",  # innermost frame
             "at": "mangum/protocols/http.py:46",    # innermost frame outside the stdlib
             "frames": ["app.py:12 in <module>", ...]}

Frame files are relative to the directory they were found in (the app
directory, this script's, site-packages or the standard library), so results do not depend on
where the virtual environment lives.  ``logged_errors`` holds the exceptions
that were logged (with a traceback) while the invocation ran: Mangum logs and
swallows an exception raised inside the application and answers 500.
"""

import base64
import json
import logging
import os
import sys
import sysconfig
import traceback
import uuid


def _roots():
    """(kind, directory) pairs used to shorten frame file names, most specific first."""
    paths = sysconfig.get_paths()
    roots = [("site", paths["purelib"]), ("site", paths["platlib"])]
    roots += [("stdlib", paths["stdlib"]), ("stdlib", paths["platstdlib"])]
    return [(kind, os.path.realpath(path)) for kind, path in roots]


ROOTS = []


def _frame_location(filename):
    """Return (kind, relative path) for a traceback frame's file name."""
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
        kind, rel = _frame_location(frame.filename)
        location = "%s:%s" % (rel, frame.lineno)
        described.append("%s in %s" % (location, frame.name))
        if kind != "stdlib":
            at = location
    last = None
    if frames:
        _, rel = _frame_location(frames[-1].filename)
        last = "%s:%s" % (rel, frames[-1].lineno)
    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "last_frame": last,
        "at": at,
        "frames": described,
    }


class ErrorCollector(logging.Handler):
    """Keeps the exceptions that are logged with exc_info (logger.exception)."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.errors = []

    def emit(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            error = describe(record.exc_info[1])
            error["logger"] = record.name
            self.errors.append(error)

    def take(self):
        errors, self.errors = self.errors, []
        return errors


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
    if "body" in request:
        body = request["body"]
        if not isinstance(body, str):
            body = json.dumps(body)
            headers.setdefault("content-type", "application/json")
        event["body"] = body
        headers["content-length"] = str(len(body.encode()))
    return event


def invoke(handler, request, collector):
    try:
        response = handler(http_api_event(request), LambdaContext())
    except BaseException as exc:  # noqa: BLE001 - report everything
        return {"ok": False, "error": describe(exc), "logged_errors": collector.take()}
    body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    return {
        "ok": True,
        "status": response.get("statusCode"),
        "body": body,
        "json": parsed,
        "logged_errors": collector.take(),
    }


def main(argv):
    if len(argv) not in (4, 5):
        sys.stderr.write(__doc__)
        return 2
    app_dir, module_name, request = argv[1], argv[2], json.loads(argv[3])
    count = int(argv[4]) if len(argv) == 5 else 2
    ROOTS[:] = [
        ("app", os.path.realpath(app_dir)),
        ("harness", os.path.dirname(os.path.realpath(__file__))),
    ] + _roots()

    collector = ErrorCollector()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger().addHandler(collector)

    # Real stdout is reserved for the result: the app's prints go to stderr.
    out = sys.stdout
    sys.stdout = sys.stderr

    result = {"python": "%d.%d.%d" % sys.version_info[:3]}
    sys.path.insert(0, app_dir)
    try:
        module = __import__(module_name)
        handler = module.handler
    except BaseException as exc:  # noqa: BLE001
        result["import"] = {"ok": False, "error": describe(exc)}
        result["invocations"] = []
    else:
        result["import"] = {"ok": True}
        result["invocations"] = [invoke(handler, request, collector) for _ in range(count)]

    json.dump(result, out, indent=2)
    out.write("\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
