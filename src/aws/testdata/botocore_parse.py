#!/usr/bin/env python3
"""Parses HTTP responses with the installed botocore, for asr's cross-check (src/aws/parse_test.cc).

Usage: botocore_parse.py CASES.json

CASES.json is {"cases": [...]}; each case has name, service (boto3 name), operation (botocore
name), status, headers (list of [name, value]; repeated names allowed) and body (a string, or a
list of lines joined with "\\n"). Other keys are asr's and are ignored here.

Prints a JSON list, in input order, of {"name", "output"} for status < 301, where output is
botocore's parse without ResponseMetadata, after boto3's after-call customisations asr also
applies (IAM policy documents), with datetimes as ISO 8601 UTC "Z" strings (asr's canonical form:
fraction only when non-zero, 3 digits for whole milliseconds, else 6) and bytes as base64; or
{"name", "error": {"code", "message", "request_id"}} for error statuses. Exits non-zero on any
failure.
"""

import base64
import datetime
import json
import sys

import botocore.handlers
import botocore.parsers
import botocore.session
from urllib3 import HTTPHeaderDict


def iso(value):
    utc = value if value.tzinfo is None else value.astimezone(datetime.timezone.utc)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        if utc.microsecond % 1000 == 0:
            text += ".%03d" % (utc.microsecond // 1000)
        else:
            text += ".%06d" % utc.microsecond
    return text + "Z"


def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime.datetime):
        return iso(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return value


def body_bytes(case):
    body = case.get("body", "")
    if isinstance(body, list):
        body = "\n".join(body)
    return body.encode("utf-8")


def parse(session, case):
    service_model = session.get_service_model(case["service"])
    operation = service_model.operation_model(case["operation"])
    headers = HTTPHeaderDict()
    for name, value in case.get("headers", []):
        headers.add(name, value)
    response = {"status_code": case["status"], "headers": headers, "body": body_bytes(case)}
    parser = botocore.parsers.create_parser(service_model.resolved_protocol)
    parsed = parser.parse(response, operation.output_shape)
    if case["status"] >= 301:
        error = parsed.get("Error", {})
        metadata = parsed.get("ResponseMetadata", {})
        return {
            "name": case["name"],
            "error": {
                "code": error.get("Code") or "",
                "message": error.get("Message") or "",
                "request_id": metadata.get("RequestId") or "",
            },
        }
    if case["service"] == "iam":
        botocore.handlers.json_decode_policies(parsed, model=operation)
    parsed.pop("ResponseMetadata", None)
    return {"name": case["name"], "output": plain(parsed)}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    session = botocore.session.get_session()
    results = [parse(session, case) for case in cases]
    json.dump(results, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
