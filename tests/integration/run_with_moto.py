#!/usr/bin/env python3
"""Starts moto on 127.0.0.1 (ephemeral port), runs a command against it, stops moto.

  run_with_moto.py [--auth N] -- COMMAND [ARGS...]

The command gets AWS_ENDPOINT_URL=http://127.0.0.1:<port>, test credentials, AWS_REGION and
MOTO_ENDPOINT (the same URL, for tests that talk to moto directly). With --auth N, moto checks
signatures and IAM policies after the first N requests (INITIAL_NO_AUTH_ACTION_COUNT). The exit
code is the command's. Only loopback is used; nothing reaches AWS.
"""
import argparse
import os
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--auth", type=int, default=None)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    if args.auth is not None:
        # moto reads this when it is imported.
        os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = str(args.auth)
    from moto.server import ThreadedMotoServer  # noqa: E402 (after the environment is set)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("AWS_") and key not in ("AWS_EC2_METADATA_DISABLED",):
            del env[key]
    env.update({
        "AWS_ENDPOINT_URL": url,
        "MOTO_ENDPOINT": url,
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": "/nonexistent/asr-test-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/asr-test-credentials",
    })
    try:
        code = subprocess.call(command, env=env)
    finally:
        server.stop()
    sys.exit(code)


if __name__ == "__main__":
    main()
