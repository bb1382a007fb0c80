"""Engine benchmark against moto: remediations per second, the engine's own overhead per job, and
POST /v1/events intake throughput and latency.

  python3 tests/integration/run_with_moto.py -- python3 bench/engine_bench.py \
      build/release/src/app/asr [--findings 200] [--spacing 0] [--workers 4] [--intake 1000]

Setup: N public Lambda functions spread over 10 member accounts x 2 regions (created with boto3
through each account's member role), `asr serve` with an operator token and an SNS topic.

1. Remediation: N custom-action events are POSTed at once; the clock runs from the first POST to
   the last job's outcome. Per job, the engine's overhead is its run time (journal "started" to
   the outcome) minus the time spent waiting on AWS (every journaled call's latency, plus the
   role chain's STS calls). With --spacing 3 (the reference's default) the account-region
   spacing bounds the rate by design; --spacing 0 measures the engine itself.
2. Intake: with the kill switch engaged (so nothing runs), M events are POSTed by 8 client
   threads; each 202 means the event and its job were committed (synchronous=FULL).
Figures are printed as text and as one JSON line. moto's own speed dominates the AWS latencies.
"""
import argparse
import concurrent.futures
import io
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
import zipfile

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENDPOINT = os.environ["MOTO_ENDPOINT"]
TOKEN = "bench-operator-token-0123456789abcdef"
ACCOUNTS = [f"2000000000{i:02d}" for i in range(1, 11)]
REGIONS = ["us-west-2", "eu-west-1"]


def pct(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * len(values) + 0.5)) - 1))
    return values[k]


def member_session(account):
    sts = boto3.client("sts", endpoint_url=ENDPOINT, region_name="us-east-1")
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/SO0111-ASR-Orchestrator-Member",
                        RoleSessionName="bench")["Credentials"]
    return boto3.Session(aws_access_key_id=c["AccessKeyId"],
                         aws_secret_access_key=c["SecretAccessKey"],
                         aws_session_token=c["SessionToken"])


def make_functions(n):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(e, c):\n    return 1\n")
    code = buf.getvalue()
    targets = []
    for i in range(n):
        targets.append((ACCOUNTS[i % len(ACCOUNTS)], REGIONS[(i // len(ACCOUNTS)) % 2],
                        f"bench-fn-{i}"))
    for account in ACCOUNTS:
        session = member_session(account)
        role = session.client("iam", endpoint_url=ENDPOINT).create_role(
            RoleName="bench-fn-role", AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]
        clients = {r: session.client("lambda", endpoint_url=ENDPOINT, region_name=r)
                   for r in REGIONS}
        for acct, region, name in targets:
            if acct != account:
                continue
            lam = clients[region]
            lam.create_function(FunctionName=name, Runtime="python3.11", Role=role,
                                Handler="index.handler", Code={"ZipFile": code})
            lam.add_permission(FunctionName=name, StatementId="public-invoke",
                               Action="lambda:InvokeFunction", Principal="*")
    return targets


def event_for(template, account, region, name):
    e = json.loads(json.dumps(template))
    e["id"] = str(uuid.uuid4())
    f = e["detail"]["findings"][0]
    f["AwsAccountId"] = account
    f["Region"] = region
    f["Id"] = (f"arn:aws:securityhub:{region}:{account}:security-control/Lambda.1/finding/"
               f"{uuid.uuid4()}")
    f["ProductFields"]["aws/securityhub/FindingId"] = f["Id"]
    f["Resources"] = [{"Type": "AwsLambdaFunction", "Partition": "aws", "Region": region,
                       "Id": f"arn:aws:lambda:{region}:{account}:function:{name}"}]
    return e


class Server:
    def __init__(self, asr, work, spacing, workers):
        topic = boto3.client("sns", endpoint_url=ENDPOINT, region_name="us-east-1").create_topic(
            Name="SO0111-ASR_Topic")["TopicArn"]
        config = os.path.join(work, "asr.yaml")
        with open(config, "w") as f:
            f.write(f"""
store: {{path: {work}/data/asr.db}}
server:
  listen: 127.0.0.1:0
  threads: 16
  tokens: [{{name: bench, secret_env: ASR_BENCH_TOKEN, role: operator}}]
engine: {{workers: {workers}}}
limits:
  account_region_spacing_seconds: {spacing}
  max_running: 64
  max_running_per_account: 16
notifications: {{sns_topic_arn: {topic}}}
securityhub: {{update_findings: false}}
logs: {{findings: "off"}}
""")
        env = dict(os.environ, ASR_BENCH_TOKEN=TOKEN)
        port_file = os.path.join(work, "port")
        self.log = open(os.path.join(work, "serve.log"), "w")
        self.proc = subprocess.Popen([asr, "--config", config, "serve", "--port-file", port_file],
                                     cwd=work, env=env, stdout=self.log, stderr=self.log)
        while not os.path.exists(port_file):
            if self.proc.poll() is not None:
                raise SystemExit("asr serve exited; see " + self.log.name)
            time.sleep(0.05)
        with open(port_file) as f:
            self.url = f"http://127.0.0.1:{f.read().strip()}"

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {TOKEN}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read() or b"null")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=120)
        self.log.close()


def post_all(server, events, threads):
    latencies = []

    def one(e):
        t = time.perf_counter()
        code, body = server.call("POST", "/v1/events", e)
        latencies.append(time.perf_counter() - t)
        if code != 202:
            raise RuntimeError(f"POST: {code} {body}")
        return body["findings"][0]["job_id"]

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        ids = list(pool.map(one, events))
    return ids, latencies


def millis(text):
    from datetime import datetime, timezone
    t = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return t.timestamp() * 1000.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("asr")
    parser.add_argument("--findings", type=int, default=200)
    parser.add_argument("--spacing", type=float, default=0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--intake", type=int, default=1000)
    args = parser.parse_args()
    with open(os.path.join(ROOT, "examples/tutorial/lambda.1-custom-action.json")) as f:
        template = json.load(f)
    work = tempfile.mkdtemp(prefix="asr-bench-")
    targets = make_functions(args.findings)
    server = Server(os.path.abspath(args.asr), work, args.spacing, args.workers)
    try:
        events = [event_for(template, *t) for t in targets]
        start_epoch = time.time()
        ids, _ = post_all(server, events, 8)
        pending = set(ids)
        jobs = {}
        while pending:
            for job_id in list(pending):
                _, job = server.call("GET", f"/v1/jobs/{job_id}")
                if job["terminal"]:
                    jobs[job_id] = job
                    pending.discard(job_id)
            time.sleep(0.05)
        wall = max(millis(j["finished_at"]) for j in jobs.values()) / 1000.0 - start_epoch
        states = {}
        overhead, aws_wait, run = [], [], []
        for job in jobs.values():
            states[job["state"]] = states.get(job["state"], 0) + 1
            started = next(millis(e["at"]) for e in job["journal"] if e["kind"] == "started")
            finished = millis(job["finished_at"])
            waited = sum(e["detail"].get("latency_ms", 0) for e in job["journal"]
                         if e["kind"] in ("aws_call", "assumed_role"))
            run.append(finished - started)
            aws_wait.append(waited)
            overhead.append(finished - started - waited)

        server.call("PUT", "/v1/kill-switch", {"engaged": True})
        intake_events = [event_for(template, *targets[i % len(targets)])
                         for i in range(args.intake)]
        t0 = time.perf_counter()
        _, latencies = post_all(server, intake_events, 8)
        intake_wall = time.perf_counter() - t0
    finally:
        server.stop()
    result = {
        "findings": args.findings, "accounts": len(ACCOUNTS), "regions": len(REGIONS),
        "spacing_s": args.spacing, "workers": args.workers, "states": states,
        "remediations_per_s": round(args.findings / wall, 2), "wall_s": round(wall, 2),
        "run_ms_p50": round(pct(run, 50), 1), "aws_wait_ms_p50": round(pct(aws_wait, 50), 1),
        "overhead_ms_mean": round(statistics.mean(overhead), 2),
        "overhead_ms_p50": round(pct(overhead, 50), 2),
        "overhead_ms_p99": round(pct(overhead, 99), 2),
        "intake_events": args.intake,
        "intake_accepted_per_s": round(args.intake / intake_wall, 1),
        "intake_latency_ms_p50": round(pct(latencies, 50) * 1000, 2),
        "intake_latency_ms_p99": round(pct(latencies, 99) * 1000, 2),
    }
    print(f"remediations: {args.findings} over {len(ACCOUNTS)} accounts x {len(REGIONS)} regions "
          f"in {result['wall_s']} s = {result['remediations_per_s']}/s (states {states})")
    print(f"per job: run p50 {result['run_ms_p50']} ms, AWS wait p50 {result['aws_wait_ms_p50']} "
          f"ms, engine overhead mean {result['overhead_ms_mean']} ms, p50 "
          f"{result['overhead_ms_p50']} ms, p99 {result['overhead_ms_p99']} ms")
    print(f"intake: {args.intake} events in {intake_wall:.2f} s = "
          f"{result['intake_accepted_per_s']}/s, latency p50 {result['intake_latency_ms_p50']} ms, "
          f"p99 {result['intake_latency_ms_p99']} ms")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
