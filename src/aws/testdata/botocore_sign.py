#!/usr/bin/env python3
"""Signs requests with the installed botocore, for asr's SigV4 cross-check (src/aws/sigv4_test.cc).

Usage: botocore_sign.py REQUESTS.json

REQUESTS.json is a list of objects:
  name, signer ("v4" = SigV4Auth, "s3" = S3SigV4Auth, "v4-query" = SigV4QueryAuth,
  "s3-query" = S3SigV4QueryAuth), method, url, headers (list of [name, value]; repeated names
  allowed), body, service, region, access_key, secret_key, token ("" for none),
  payload_signing (bool; S3 and v4 header signing), expires (query signers), time
  ("YYYYMMDDTHHMMSSZ").
Prints a JSON list of {"name", "authorization"} (header signers) or {"name", "url"} (query
signers), in input order. Exits non-zero on any error.
"""

import datetime
import json
import sys
from unittest import mock

import botocore
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials

SIGNERS = {
    "v4": botocore.auth.SigV4Auth,
    "s3": botocore.auth.S3SigV4Auth,
    "v4-query": botocore.auth.SigV4QueryAuth,
    "s3-query": botocore.auth.S3SigV4QueryAuth,
}


def sign(case):
    credentials = botocore.credentials.Credentials(
        case["access_key"], case["secret_key"], case["token"] or None
    )
    signer_cls = SIGNERS[case["signer"]]
    if case["signer"].endswith("-query"):
        signer = signer_cls(credentials, case["service"], case["region"], expires=case["expires"])
    else:
        signer = signer_cls(credentials, case["service"], case["region"])
    request = botocore.awsrequest.AWSRequest(
        method=case["method"], url=case["url"], data=case["body"].encode("utf-8")
    )
    for name, value in case["headers"]:
        request.headers[name] = value  # HTTPHeaders appends: repeated names are kept
    if not case["payload_signing"]:
        # S3: the explicit client setting; other services: the operation's unsigned-body flag.
        request.context["client_config"] = botocore.config.Config(
            s3={"payload_signing_enabled": False}
        )
        request.context["payload_signing_enabled"] = False
    now = datetime.datetime.strptime(case["time"], "%Y%m%dT%H%M%SZ")
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=now):
        signer.add_auth(request)
    if case["signer"].endswith("-query"):
        return {"name": case["name"], "url": request.url}
    return {"name": case["name"], "authorization": request.headers["Authorization"]}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    json.dump([sign(case) for case in cases], sys.stdout, ensure_ascii=False)
    print()
    print(f"botocore {botocore.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
