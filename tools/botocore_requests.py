#!/usr/bin/env python3
"""Prints the HTTP requests botocore builds for a table of operations: the oracle for asr's
serialization tests (src/aws/serialize_test.cc).

Input (file argument or stdin): a JSON list of cases
  {"name": str, "service": str, "operation": str, "params": {...},
   "region": "us-east-1", "endpoint_url": optional str}
Output (stdout): a JSON object name -> {"method", "url", "headers": {lower-name: value}, "body"}
where "body" is text (UTF-8) or, if not UTF-8, {"base64": ...}. Nothing is sent: a before-send
hook captures each request and answers with an empty 200. Credentials and time are fixed so the
output is deterministic; signing headers are dropped (signing has its own tests).
"""
import base64
import json
import sys

import botocore.awsrequest
import botocore.config
import botocore.session

DROP_HEADERS = {"authorization", "x-amz-date", "user-agent", "amz-sdk-invocation-id",
                "amz-sdk-request", "x-amz-security-token", "x-amz-content-sha256"}


_SESSION = None
_CLIENTS = {}


def _client(case):
    """One client per (service, region, endpoint): creating clients dominates the run time."""
    global _SESSION
    key = (case["service"], case.get("region", "us-east-1"), case.get("endpoint_url"))
    if key in _CLIENTS:
        return _CLIENTS[key]
    if _SESSION is None:
        _SESSION = botocore.session.get_session()
        _SESSION.set_credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    config = botocore.config.Config(
        retries={"max_attempts": 1, "mode": "standard"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    client = _SESSION.create_client(
        case["service"], region_name=key[1], endpoint_url=key[2], config=config)
    captured = {}

    def before_send(request, **_):
        captured["request"] = request
        return botocore.awsrequest.AWSResponse(request.url, 200, {}, _EmptyRaw())

    client.meta.events.register("before-send", before_send)
    _CLIENTS[key] = (client, captured)
    return client, captured


def capture(case):
    client, captured = _client(case)
    captured.clear()
    method = getattr(client, botocore.xform_name(case["operation"]))
    error = None
    try:
        method(**case["params"])
    except Exception as e:  # the fake empty response may not parse; the request is what we want
        error = e
    if "request" not in captured:
        raise SystemExit(f"case {case['name']!r}: botocore built no request: {error!r}")
    req = captured["request"]
    body = req.body or b""
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode("utf-8")
    try:
        body_out = body.decode("utf-8")
    except UnicodeDecodeError:
        body_out = {"base64": base64.b64encode(body).decode()}
    headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v)
               for k, v in req.headers.items() if k.lower() not in DROP_HEADERS}
    return {"method": req.method, "url": req.url, "headers": headers, "body": body_out}


class _EmptyRaw:
    def stream(self, **_):
        yield b""

    def read(self, *_):
        return b""


def main():
    text = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
    out = {}
    for case in json.loads(text):
        out[case["name"]] = capture(case)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
