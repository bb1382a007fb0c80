"""`asr serve` end to end against moto (run through run_with_moto.py):

  serve_test.py path/to/asr

The seed tutorial through the service: an SQS queue subscribed to the SNS topic, a public Lambda
function in member account 222222222222 / us-west-2, the custom-action event POSTed to
/v1/events; the job must reach SUCCESS, the function policy must be fixed (checked with boto3),
and the queue must receive the QUEUED and SUCCESS notifications with the reference fields.
moto has no securityhub:BatchUpdateFindings, so Security Hub is a small recording HTTP server
here (AWS_ENDPOINT_URL_SECURITYHUB) and the test checks the requests botocore would parse.
Then crash safety: the server exits abruptly (ASR_TEST_FAILPOINT) after admitting an event,
after a remediation changed the resource, and after committing an outcome; after a restart every
event reaches exactly one outcome and one notification of it.
"""
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
import uuid

import boto3

ASR = os.path.abspath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ENDPOINT = os.environ["MOTO_ENDPOINT"]
MEMBER = "222222222222"
REGION = "us-west-2"
ADMIN_REGION = "us-east-1"
TOKEN = "serve-test-operator-token-0123456789"
WORK = tempfile.mkdtemp(prefix="asr-serve-test-")
RESULTS = {"passed": 0, "failed": 0, "skipped": 0}
# An SC control whose remediation (EnableAthenaWorkGroupLogging) asr has no native code for.
NO_RUNBOOK_CONTROL = "Athena.4"


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


def check(name, fn):
    try:
        fn()
        RESULTS["passed"] += 1
        print(f"PASS {name}", flush=True)
    except Exception as e:  # report and go on with the next check
        RESULTS["failed"] += 1
        print(f"FAIL {name}: {e}", flush=True)
        traceback.print_exc()


# --- Security Hub stand-in -------------------------------------------------------------------

SECURITYHUB_REQUESTS = []
GETFINDINGS_REQUESTS = []


class SecurityHubHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path.split("?")[0] == "/findings":
            # GetFindings (the sweep) is moto's: pass the request through unchanged.
            req = urllib.request.Request(ENDPOINT + self.path, data=body, method="POST")
            for k in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "Content-Type"):
                if self.headers.get(k):
                    req.add_header(k, self.headers[k])
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    status, out = resp.status, resp.read()
            except urllib.error.HTTPError as e:
                status, out = e.code, e.read()
            GETFINDINGS_REQUESTS.append(json.loads(body or b"{}"))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
            return
        SECURITYHUB_REQUESTS.append({"path": self.path, "body": json.loads(body or b"{}"),
                                     "auth": self.headers.get("Authorization", "")})
        ids = json.loads(body or b"{}").get("FindingIdentifiers", [])
        out = json.dumps({"ProcessedFindings": ids, "UnprocessedFindings": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_PATCH = do_POST  # noqa: N815 (BatchUpdateFindings is PATCH /findings/batchupdate)

    def log_message(self, *args):
        pass


securityhub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SecurityHubHandler)
threading.Thread(target=securityhub.serve_forever, daemon=True).start()
SECURITYHUB_URL = f"http://127.0.0.1:{securityhub.server_address[1]}"

# --- SSM Automation stand-in (moto has no automation executions) -------------------------------
# DescribeDocument knows the control runbooks in RUNBOOKS; StartAutomationExecution honours
# ClientToken (the same token returns the same execution, as SSM does) and "runs" the runbook:
# for Lambda.1 it removes the function's public statement with the member account's credentials
# (an independent client), then DescribeAutomationExecutions reports InProgress once and then
# Success with the outputs a real ASR control runbook produces.

RUNBOOKS = {"ASR-SC_2.0.0_Lambda.1"}
SSM_EXECUTIONS = {}  # execution id → {"document", "finding", "role", "polls", "token"}
SSM_LOCK = threading.Lock()


def run_lambda_runbook(finding):
    fn = finding["Resources"][0]["Id"].rsplit(":", 1)[1]
    try:
        lam.remove_permission(FunctionName=fn, StatementId="public-invoke")
    except lam.exceptions.ResourceNotFoundException:
        pass
    return fn


class SsmHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        op = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
        status, out = 200, {}
        with SSM_LOCK:
            if op == "DescribeDocument":
                if body.get("Name") in RUNBOOKS:
                    out = {"Document": {"Name": body["Name"], "Status": "Active",
                                        "DocumentType": "Automation"}}
                else:
                    status, out = 400, {"__type": "InvalidDocument",
                                        "message": "Document not found"}
            elif op == "StartAutomationExecution":
                token = body.get("ClientToken")
                existing = [k for k, v in SSM_EXECUTIONS.items() if token and v["token"] == token]
                if existing:
                    out = {"AutomationExecutionId": existing[0]}
                else:
                    eid = str(uuid.uuid4())
                    finding = json.loads(body["Parameters"]["Finding"][0])
                    SSM_EXECUTIONS[eid] = {"document": body["DocumentName"], "finding": finding,
                                           "role": body["Parameters"]["AutomationAssumeRole"][0],
                                           "polls": 0, "token": token}
                    run_lambda_runbook(finding)
                    out = {"AutomationExecutionId": eid}
            elif op == "DescribeAutomationExecutions":
                eid = body["Filters"][0]["Values"][0]
                ex = SSM_EXECUTIONS.get(eid)
                items = []
                if ex:
                    ex["polls"] += 1
                    fn = ex["finding"]["Resources"][0]["Id"]
                    item = {"AutomationExecutionId": eid, "DocumentName": ex["document"],
                            "AutomationExecutionStatus": "InProgress" if ex["polls"] < 2
                            else "Success"}
                    if item["AutomationExecutionStatus"] == "Success":
                        item["Outputs"] = {
                            "ParseInput.AffectedObject": [json.dumps(
                                {"Type": "AwsLambdaFunction", "Id": fn})],
                            "Remediation.Output": [json.dumps({"Payload": {"response": {
                                "message": "Removed the public statement", "status": "Success"}}})]}
                    items.append(item)
                out = {"AutomationExecutionMetadataList": items}
            else:
                status, out = 400, {"__type": "InvalidAction", "message": op}
        data = json.dumps(out).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


ssm_standin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SsmHandler)
threading.Thread(target=ssm_standin.serve_forever, daemon=True).start()
SSM_URL = f"http://127.0.0.1:{ssm_standin.server_address[1]}"

# --- AWS setup (independent client: boto3) ---------------------------------------------------

sns = boto3.client("sns", endpoint_url=ENDPOINT, region_name=ADMIN_REGION)
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name=ADMIN_REGION)
topic_arn = sns.create_topic(Name="SO0111-ASR_Topic")["TopicArn"]
queue_url = sqs.create_queue(QueueName="asr-notifications")["QueueUrl"]
queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
    "Attributes"]["QueueArn"]
sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
alarm_topic_arn = sns.create_topic(Name="SO0111-ASR_Alarm_Topic")["TopicArn"]
alarm_queue_url = sqs.create_queue(QueueName="asr-alarms")["QueueUrl"]
sns.subscribe(TopicArn=alarm_topic_arn, Protocol="sqs",
              Endpoint=sqs.get_queue_attributes(QueueUrl=alarm_queue_url,
                                                AttributeNames=["QueueArn"])[
                  "Attributes"]["QueueArn"])
# EventBridge rule → SQS queue → asr, with a dead-letter queue after 2 receives.
intake_dlq_url = sqs.create_queue(QueueName="asr-intake-dlq")["QueueUrl"]
intake_dlq_arn = sqs.get_queue_attributes(QueueUrl=intake_dlq_url, AttributeNames=["QueueArn"])[
    "Attributes"]["QueueArn"]
intake_queue_url = sqs.create_queue(QueueName="asr-intake", Attributes={
    "VisibilityTimeout": "1",
    "RedrivePolicy": json.dumps({"deadLetterTargetArn": intake_dlq_arn, "maxReceiveCount": "2"}),
})["QueueUrl"]
cloudwatch = boto3.client("cloudwatch", endpoint_url=ENDPOINT, region_name=ADMIN_REGION)
logs = boto3.client("logs", endpoint_url=ENDPOINT, region_name=ADMIN_REGION)
securityhub_moto = boto3.client("securityhub", endpoint_url=ENDPOINT, region_name=ADMIN_REGION)

sts = boto3.client("sts", endpoint_url=ENDPOINT, region_name=ADMIN_REGION)
creds = sts.assume_role(RoleArn=f"arn:aws:iam::{MEMBER}:role/SO0111-ASR-Orchestrator-Member",
                        RoleSessionName="serve-test")["Credentials"]
member = boto3.Session(aws_access_key_id=creds["AccessKeyId"],
                       aws_secret_access_key=creds["SecretAccessKey"],
                       aws_session_token=creds["SessionToken"])
lam = member.client("lambda", endpoint_url=ENDPOINT, region_name=REGION)
iam = member.client("iam", endpoint_url=ENDPOINT, region_name=REGION)
role_arn = iam.create_role(RoleName="serve-test-fn-role", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                            "Principal": {"Service": "lambda.amazonaws.com"}}]
}))["Role"]["Arn"]
with open(os.path.join(ROOT, "examples/tutorial/lambda.1-custom-action.json")) as f:
    TUTORIAL_EVENT = json.load(f)


def public_function(name):
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return 1\n")
    lam.create_function(FunctionName=name, Runtime="python3.11", Role=role_arn,
                        Handler="index.handler", Code={"ZipFile": buf.getvalue()})
    lam.add_permission(FunctionName=name, StatementId="public-invoke",
                       Action="lambda:InvokeFunction", Principal="*")
    lam.add_permission(FunctionName=name, StatementId="events-rule",
                       Action="lambda:InvokeFunction", Principal="events.amazonaws.com",
                       SourceArn=f"arn:aws:events:{REGION}:{MEMBER}:rule/nightly")


def statement_ids(name):
    return sorted(s["Sid"] for s in json.loads(lam.get_policy(FunctionName=name)["Policy"])[
        "Statement"])


def event_for(name):
    """The tutorial's custom-action event, for function `name` (its own finding id)."""
    e = json.loads(json.dumps(TUTORIAL_EVENT))
    e["id"] = str(uuid.uuid4())
    f = e["detail"]["findings"][0]
    arn = f"arn:aws:lambda:{REGION}:{MEMBER}:function:{name}"
    f["Resources"][0]["Id"] = arn
    f["Resources"][0].get("Details", {}).get("AwsLambdaFunction", {})["FunctionName"] = name
    f["Id"] = f["Id"].rsplit("/", 1)[0] + "/" + str(uuid.uuid4())
    f["ProductFields"]["aws/securityhub/FindingId"] = f["Id"]
    return e


# --- the server --------------------------------------------------------------------------------

CONFIG = os.path.join(WORK, "asr.yaml")
with open(CONFIG, "w") as f:
    f.write(f"""
playbooks: [SC]
store:
  path: {WORK}/data/asr.db
server:
  listen: 127.0.0.1:0
  tokens:
    - name: tester
      secret_env: ASR_TEST_TOKEN
      role: operator
notifications:
  sns_topic_arn: {topic_arn}
  alarm_topic_arn: {alarm_topic_arn}
securityhub:
  region: us-east-1
limits:
  account_region_spacing_seconds: 0.2
intake:
  sqs: {{queue_url: "{intake_queue_url}", wait_seconds: 1}}
metrics: {{cloudwatch: true, interval_seconds: 1}}
logs: {{cloudwatch: true}}
""")


SSM_CONFIG = os.path.join(WORK, "asr-ssm.yaml")
with open(CONFIG) as f, open(SSM_CONFIG, "w") as g:
    g.write(f.read().replace(f"{WORK}/data/asr.db", f"{WORK}/data-ssm/asr.db") + """
backends:
  Lambda.1: ssm
ssm:
  poll_seconds: 1
""")


SWEEP_CONFIG = os.path.join(WORK, "asr-sweep.yaml")
with open(CONFIG) as f, open(SWEEP_CONFIG, "w") as g:
    g.write(f.read().replace(f"{WORK}/data/asr.db", f"{WORK}/data-sweep/asr.db")
            .replace("  sqs: {", "  sweep: {interval_hours: 24, on_start: true}\n  #sqs: {") + """
controls:
  Lambda.1: auto
""")


class Server:
    def __init__(self, failpoint=None, config=None):
        config = config or CONFIG
        env = dict(os.environ)
        env["ASR_TEST_TOKEN"] = TOKEN
        env["AWS_ENDPOINT_URL_SECURITYHUB"] = SECURITYHUB_URL
        env["AWS_ENDPOINT_URL_SSM"] = SSM_URL
        env.pop("ASR_TEST_FAILPOINT", None)
        if failpoint:
            env["ASR_TEST_FAILPOINT"] = failpoint
        self.port_file = os.path.join(WORK, f"port-{uuid.uuid4().hex[:6]}")
        self.log = open(os.path.join(WORK, "serve.log"), "a")
        self.proc = subprocess.Popen([ASR, "--config", config, "serve", "--port-file",
                                      self.port_file], cwd=WORK, env=env, stdout=self.log,
                                     stderr=self.log)
        deadline = time.time() + 60
        while not os.path.exists(self.port_file):
            expect(self.proc.poll() is None, f"asr serve exited early: {self.proc.returncode}")
            expect(time.time() < deadline, "asr serve did not start")
            time.sleep(0.05)
        with open(self.port_file) as pf:
            self.url = f"http://127.0.0.1:{pf.read().strip()}"

    def request(self, method, path, body=None, token=TOKEN, headers=None, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None
                                            else None)
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            text = e.read()
            try:
                return e.code, json.loads(text)
            except json.JSONDecodeError:
                return e.code, text.decode(errors="replace")

    def wait_job(self, job_id, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            code, job = self.request("GET", f"/v1/jobs/{job_id}")
            expect(code == 200, f"GET job: {code} {job}")
            if job["terminal"] and all(r["done"] for r in job.get("reports", [])):
                return job
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} did not finish: {job}")

    def first_job_of(self, finding_id, timeout=60):
        """The id of the one job of a finding that arrives by another way than the caller."""
        deadline = time.time() + timeout
        jobs = {"jobs": []}
        while time.time() < deadline and not jobs["jobs"]:
            code, jobs = self.request("GET", "/v1/jobs?finding=" +
                                      urllib.request.quote(finding_id, safe=""))
            time.sleep(0.2)
        expect(len(jobs["jobs"]) == 1, f"jobs of {finding_id}: {jobs}")
        return jobs["jobs"][0]["id"]

    def wait_exit(self, timeout=60):
        self.proc.wait(timeout=timeout)
        return self.proc.returncode

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)
        self.log.close()


def drain_notifications(min_count, timeout=30):
    """Every notification on the queue (SNS envelopes unwrapped), waiting for `min_count`."""
    got = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        msgs = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                   WaitTimeSeconds=1).get("Messages", [])
        for m in msgs:
            envelope = json.loads(m["Body"])
            got.append(json.loads(envelope["Message"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        if len(got) >= min_count and not msgs:
            break
    return got


def by_job(notes, job_id):
    return [n["Remediation_Status"] for n in notes if n["StepFunctions_Execution_Id"] == job_id]


# --- checks ------------------------------------------------------------------------------------

def tutorial_through_the_service():
    public_function("tutorial-public-fn")
    server = Server()
    try:
        event = json.loads(json.dumps(TUTORIAL_EVENT))
        code, body = server.request("POST", "/v1/events", event)
        expect(code == 202, f"POST /v1/events: {code} {body}")
        job_id = body["findings"][0]["job_id"]
        job = server.wait_job(job_id)
        expect(job["state"] == "SUCCESS", f"job: {json.dumps(job)[:3000]}")
        expect(statement_ids("tutorial-public-fn") == ["events-rule"],
               f"policy after: {statement_ids('tutorial-public-fn')}")
        kinds = [j["kind"] for j in job["journal"]]
        for k in ("admitted", "scheduled", "started", "plan", "apply_started", "outcome"):
            expect(k in kinds, f"journal lacks {k}: {kinds}")
        calls = [j["detail"] for j in job["journal"] if j["kind"] == "aws_call"]
        expect(any(c.get("operation") == "RemovePermission" for c in calls),
               f"no RemovePermission call journaled: {calls}")
        notes = drain_notifications(2)
        expect(by_job(notes, job_id) == ["QUEUED", "SUCCESS"], f"notifications: {notes}")
        finding = event["detail"]["findings"][0]
        queued, success = [n for n in notes if n["StepFunctions_Execution_Id"] == job_id]
        expect(list(success.keys()) == ["Remediation_Status", "Severity", "Account_Alias",
                                        "Remediation_Output", "Message", "Finding_Link",
                                        "Finding", "StepFunctions_Execution_Id"],
               f"keys: {list(success.keys())}")
        expect(queued["Severity"] == "INFO" and success["Severity"] == "INFO", "severity")
        expect(queued["Message"] ==
               "Remediation queued for SC control Lambda.1 in account 222222222222",
               f"queued message: {queued['Message']}")
        expect(success["Message"].startswith(
            "Remediation succeeded for SC control Lambda.1 in account 222222222222: "),
            f"success message: {success['Message']}")
        expect(success["Account_Alias"] == "222222222222", success["Account_Alias"])
        expect(success["Finding"] == {
            "finding_id": finding["Id"].split("/finding/")[1],
            "finding_description": finding["Description"],
            "standard_name": "security-control", "standard_version": "2.0.0",
            "standard_control": "Lambda.1", "title": finding["Title"],
            "region": "us-east-1", "account": "222222222222", "finding_arn": finding["Id"]},
            f"Finding: {success['Finding']}")
        expect(success["Finding_Link"].startswith(
            "https://console.aws.amazon.com/securityhub/home?region=us-east-1#/findings?search="
            "Id%3D%255Coperator%255C%253AEQUALS%255C%253Aarn%3Aaws%3Asecurityhub"),
            success["Finding_Link"])
        updates = [r["body"] for r in SECURITYHUB_REQUESTS
                   if any(i["Id"] == finding["Id"] for i in r["body"].get("FindingIdentifiers", []))]
        expect(len(updates) == 1, f"Security Hub updates: {updates}")
        u = updates[0]
        expect(u["Workflow"] == {"Status": "RESOLVED"}, u)
        expect(u["Note"]["UpdatedBy"] == "update_text_and_status", u)
        # The note carries Notification.Message (the SNS Message adds the affected object).
        expect(u["Note"]["Text"] == "[automated-security-response-on-aws] " + job["message"], u)
        expect(success["Message"] == job["message"] +
               " (AwsLambdaFunction arn:aws:lambda:us-west-2:222222222222:function:"
               "tutorial-public-fn)", success["Message"])
        expect(u["FindingIdentifiers"] == [{"Id": finding["Id"],
                                            "ProductArn": finding["ProductArn"]}], u)
        # The same event again (EventBridge retry): recognised, nothing new.
        code, again = server.request("POST", "/v1/events", event)
        expect(code == 202 and again["duplicate"] is True, f"redelivery: {code} {again}")
    finally:
        server.stop()


def bad_input_is_refused():
    server = Server()
    try:
        cases = [
            ("no token", dict(method="POST", path="/v1/events", body={}, token=None), 401),
            ("wrong token", dict(method="POST", path="/v1/events", body={}, token="x" * 40), 401),
            ("malformed JSON", dict(method="POST", path="/v1/events", raw=b"{not json"), 400),
            ("no findings", dict(method="POST", path="/v1/events",
                                 body={"detail-type": "Security Hub Findings - Imported",
                                       "detail": {"findings": []}}), 400),
            ("wrong types", dict(method="POST", path="/v1/events",
                                 body={"detail-type": 7, "detail": "x"}), 400),
            ("huge body", dict(method="POST", path="/v1/events",
                               raw=b"{\"a\":\"" + b"x" * (2 << 20) + b"\"}"), 413),
            ("unknown job", dict(method="GET", path="/v1/jobs/j-nope"), 404),
            ("bad limit", dict(method="GET", path="/v1/jobs?limit=abc"), 400),
            ("bad mode", dict(method="PUT", path="/v1/controls/Lambda.1",
                              body={"mode": "sometimes"}), 400),
        ]
        for name, req, want in cases:
            code, body = server.request(req["method"], req["path"], body=req.get("body"),
                                        token=req.get("token", TOKEN), raw=req.get("raw"))
            expect(code == want, f"{name}: {code} {str(body)[:300]} (want {want})")
            if code >= 400:
                expect(isinstance(body, dict) and body.get("error", {}).get("message"),
                       f"{name}: no error message: {str(body)[:300]}")
        code, health = server.request("GET", "/healthz", token=None)
        expect(code == 200 and health["status"] == "ok", f"healthz: {code} {health}")
    finally:
        server.stop()


def crash_and_restart(failpoint, name):
    public_function(name)
    event = event_for(name)
    server = Server(failpoint=failpoint)
    if failpoint == "admit":
        # The process exits right after committing, before it answers: no 202 reaches the
        # client, yet the event must not be lost.
        try:
            server.request("POST", "/v1/events", event)
        except (ConnectionError, urllib.error.URLError, OSError):
            pass
    else:
        code, body = server.request("POST", "/v1/events", event)
        expect(code == 202, f"POST: {code} {body}")
    rc = server.wait_exit()
    server.stop()
    expect(rc == 86, f"the server should have stopped at failpoint {failpoint}, exit {rc}")
    restarted = Server()
    try:
        code, jobs = restarted.request("GET", "/v1/jobs?finding=" +
                                       urllib.request.quote(event["detail"]["findings"][0]["Id"],
                                                            safe=""))
        expect(code == 200 and len(jobs["jobs"]) == 1, f"jobs of the finding: {code} {jobs}")
        job_id = jobs["jobs"][0]["id"]
        job = restarted.wait_job(job_id)
        expect(job["state"] == "SUCCESS", f"after restart: {json.dumps(job)[:3000]}")
        expect(statement_ids(name) == ["events-rule"], f"policy: {statement_ids(name)}")
        notes = drain_notifications(2)
        expect(by_job(notes, job_id) == ["QUEUED", "SUCCESS"],
               f"notifications of {job_id}: {[(n['StepFunctions_Execution_Id'], n['Remediation_Status']) for n in notes]}")
        fid = event["detail"]["findings"][0]["Id"]
        updates = [r for r in SECURITYHUB_REQUESTS
                   if any(i["Id"] == fid for i in r["body"].get("FindingIdentifiers", []))]
        expect(len(updates) == 1, f"Security Hub updates for the finding: {len(updates)}")
    finally:
        restarted.stop()


def cli(*args):
    env = dict(os.environ, ASR_TOKEN=TOKEN)
    proc = subprocess.run([ASR, "--config", CONFIG, *args], capture_output=True, text=True,
                          cwd=WORK, env=env, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def wait_state(server, job_id, state, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        code, job = server.request("GET", f"/v1/jobs/{job_id}")
        if job.get("state") == state and all(r["done"] for r in job.get("reports", [])):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} never reached {state}: {str(job)[:2000]}")


def approval_through_the_cli():
    name = "approve-fn"
    public_function(name)
    server = Server()
    try:
        code, body = server.request("PUT", "/v1/controls/Lambda.1", {"mode": "approve"})
        expect(code == 200 and body["mode"] == "approve", f"set mode: {code} {body}")
        event = event_for(name)
        event["detail-type"] = "Security Hub Findings - Imported"
        code, body = server.request("POST", "/v1/events", event)
        expect(code == 202, f"POST: {code} {body}")
        job_id = body["findings"][0]["job_id"]
        job = wait_state(server, job_id, "AWAITING_APPROVAL")
        expect(len(job["plan"]["changes"]) == 1, f"plan: {job.get('plan')}")
        expect("public-invoke" in statement_ids(name), "changed before approval")
        rc, out, err = cli("jobs", "--server", server.url, "--state", "AWAITING_APPROVAL",
                           "--json")
        expect(rc == 0 and job_id in [j["id"] for j in json.loads(out)["jobs"]],
               f"asr jobs: {rc} {out} {err}")
        rc, out, err = cli("reject", job_id + "-nope", "--server", server.url)
        expect(rc == 5, f"reject of an unknown job: {rc} {out} {err}")
        rc, out, err = cli("approve", job_id, "--server", server.url, "--comment", "ok")
        expect(rc == 0, f"asr approve: {rc} {out} {err}")
        job = wait_state(server, job_id, "SUCCESS")
        expect(job["approval"]["by"] == "tester", f"approval: {job.get('approval')}")
        expect(statement_ids(name) == ["events-rule"], f"policy: {statement_ids(name)}")
        rc, out, err = cli("undo", job_id, "--yes", "--server", server.url)
        expect(rc == 0, f"asr undo: {rc} {out} {err}")
        wait_state(server, job_id, "UNDONE")
        expect(statement_ids(name) == ["events-rule", "public-invoke"],
               f"policy after undo: {statement_ids(name)}")
        rc, out, err = cli("undo", job_id, "--yes", "--server", server.url)
        expect(rc == 5, f"a second undo must be refused: {rc} {out} {err}")
        notes = drain_notifications(4)
        expect(by_job(notes, job_id) == ["QUEUED", "AWAITING_APPROVAL", "SUCCESS", "UNDONE"],
               f"notifications: {by_job(notes, job_id)}")
        server.request("PUT", "/v1/controls/Lambda.1", {"mode": "manual"})
    finally:
        server.stop()
    # With the server stopped, the local store answers.
    rc, out, err = cli("jobs", job_id, "--json")
    expect(rc == 0 and json.loads(out)["state"] == "UNDONE", f"local asr jobs: {rc} {out} {err}")


def imported_events_in_auto_mode_and_skips():
    server = Server()
    try:
        # A manual control: an automatic (Imported) finding is recorded as skipped, with why.
        name = "imported-fn"
        public_function(name)
        event = event_for(name)
        event["detail-type"] = "Security Hub Findings - Imported"
        code, body = server.request("POST", "/v1/events", event)
        expect(code == 202, f"POST: {code} {body}")
        f = body["findings"][0]
        expect(f["state"] == "SKIPPED" and f["reason"] == "CONTROL_MANUAL" and
               "manual mode" in f["message"], f"skip: {f}")
        code, job = server.request("GET", f"/v1/jobs/{f['job_id']}")
        expect(code == 200 and job["state"] == "SKIPPED" and job["reason"] == "CONTROL_MANUAL"
               and "manual mode" in job["message"], f"skipped job: {code} {job}")
        expect("public-invoke" in statement_ids(name), "a skipped finding changed something")
        # The same control in auto mode: the next Imported event is remediated.
        code, mode = server.request("PUT", "/v1/controls/Lambda.1", {"mode": "auto"})
        expect(code == 200 and mode["mode"] == "auto", f"set mode: {code} {mode}")
        event = event_for(name)
        event["detail-type"] = "Security Hub Findings - Imported"
        code, body = server.request("POST", "/v1/events", event)
        expect(code == 202 and body["findings"][0]["state"] == "QUEUED", f"POST: {code} {body}")
        job = server.wait_job(body["findings"][0]["job_id"])
        expect(job["state"] == "SUCCESS", f"auto job: {json.dumps(job)[:2000]}")
        expect(statement_ids(name) == ["events-rule"], f"policy: {statement_ids(name)}")
        # A finding whose workflow status is not NEW is not remediated automatically.
        event = event_for(name)
        event["detail-type"] = "Security Hub Findings - Imported"
        event["detail"]["findings"][0]["Workflow"] = {"Status": "NOTIFIED"}
        code, body = server.request("POST", "/v1/events", event)
        f = body["findings"][0]
        expect(code == 202 and f["state"] == "NOT_NEW" and "NOTIFIED" in f["message"],
               f"not new: {code} {body}")
        notes = drain_notifications(2)
        expect(by_job(notes, job["id"]) == ["QUEUED", "SUCCESS"], f"notifications: {notes}")
        expect(all(n["StepFunctions_Execution_Id"] in (job["id"], f["job_id"]) for n in notes),
               f"a skipped automatic finding was notified: {notes}")
    finally:
        server.request("PUT", "/v1/controls/Lambda.1", {"mode": "manual"})
        server.stop()


def ssm_backend_through_the_service():
    name = "ssm-fn"
    public_function(name)
    server = Server(config=SSM_CONFIG)
    try:
        event = event_for(name)
        code, body = server.request("POST", "/v1/events", event)
        expect(code == 202, f"POST: {code} {body}")
        job_id = body["findings"][0]["job_id"]
        job = server.wait_job(job_id)
        expect(job["state"] == "SUCCESS", f"job: {json.dumps(job)[:3000]}")
        expect(statement_ids(name) == ["events-rule"], f"policy: {statement_ids(name)}")
        runs = [(k, v) for k, v in SSM_EXECUTIONS.items()
                if v["finding"]["Id"] == event["detail"]["findings"][0]["Id"]]
        expect(len(runs) == 1, f"executions: {runs}")
        eid, run = runs[0]
        expect(run["document"] == "ASR-SC_2.0.0_Lambda.1", run["document"])
        expect(run["role"] == f"arn:aws:iam::{MEMBER}:role/SO0111-ASR-Orchestrator-Member",
               run["role"])
        kinds = [j["kind"] for j in job["journal"]]
        for k in ("apply_started", "ssm_started", "outcome"):
            expect(k in kinds, f"journal lacks {k}: {kinds}")
        notes = drain_notifications(2)
        expect(by_job(notes, job_id) == ["QUEUED", "SUCCESS"], f"notifications: {notes}")
        success = [n for n in notes if n["StepFunctions_Execution_Id"] == job_id][1]
        expect(success["Message"] == f"{eid}: Remediation succeeded for SC control Lambda.1 in "
               f"account {MEMBER}: Success (AwsLambdaFunction arn:aws:lambda:{REGION}:{MEMBER}:"
               f"function:{name})", success["Message"])
    finally:
        server.stop()


def ssm_crash_after_start():
    """The server dies right after StartAutomationExecution, before it commits the execution id:
    after a restart the ClientToken gets the same execution back — one run, one outcome."""
    name = "ssm-crash-fn"
    public_function(name)
    event = event_for(name)
    server = Server(failpoint="apply", config=SSM_CONFIG)
    code, body = server.request("POST", "/v1/events", event)
    expect(code == 202, f"POST: {code} {body}")
    rc = server.wait_exit()
    server.stop()
    expect(rc == 86, f"the server should have stopped after starting the runbook, exit {rc}")
    restarted = Server(config=SSM_CONFIG)
    try:
        job = restarted.wait_job(body["findings"][0]["job_id"])
        expect(job["state"] == "SUCCESS", f"after restart: {json.dumps(job)[:3000]}")
        runs = [k for k, v in SSM_EXECUTIONS.items()
                if v["finding"]["Id"] == event["detail"]["findings"][0]["Id"]]
        expect(len(runs) == 1, f"executions started: {runs}")
        notes = drain_notifications(2)
        expect(by_job(notes, job["id"]) == ["QUEUED", "SUCCESS"], f"notifications: {notes}")
    finally:
        restarted.stop()


def receive_all(url, min_count, timeout=30):
    got = []
    deadline = time.time() + timeout
    while time.time() < deadline and len(got) < min_count:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                     WaitTimeSeconds=1).get("Messages", []):
            got.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return got


def sqs_intake():
    """EventBridge rule → SQS → asr: an Imported event of an auto control is remediated and
    deleted from the queue once committed; a poison message is left for the dead-letter queue."""
    name = "sqs-intake-fn"
    public_function(name)
    server = Server()
    try:
        code, mode = server.request("PUT", "/v1/controls/Lambda.1", {"mode": "auto"})
        expect(code == 200, f"set mode: {code} {mode}")
        event = event_for(name)
        event["detail-type"] = "Security Hub Findings - Imported"
        sent = sqs.send_message(QueueUrl=intake_queue_url, MessageBody=json.dumps(event))
        sqs.send_message(QueueUrl=intake_queue_url, MessageBody="{this is not an event")
        job = server.wait_job(server.first_job_of(event["detail"]["findings"][0]["Id"]))
        expect(job["state"] == "SUCCESS", f"job: {json.dumps(job)[:2000]}")
        expect(statement_ids(name) == ["events-rule"], f"policy: {statement_ids(name)}")
        # The good message is gone; the poison one reaches the DLQ after two receives.
        dead = receive_all(intake_dlq_url, 1, timeout=40)
        expect([m["Body"] for m in dead] == ["{this is not an event"], f"DLQ: {dead}")
        attrs = sqs.get_queue_attributes(QueueUrl=intake_queue_url, AttributeNames=["All"])[
            "Attributes"]
        expect(attrs["ApproximateNumberOfMessages"] == "0" and
               attrs["ApproximateNumberOfMessagesNotVisible"] == "0", f"queue: {attrs}")
        notes = drain_notifications(2)
        expect(by_job(notes, job["id"]) == ["QUEUED", "SUCCESS"], f"notifications: {notes}")
        expect(sent["MessageId"] in json.dumps(job), "the job does not name its SQS message")
    finally:
        server.request("PUT", "/v1/controls/Lambda.1", {"mode": "manual"})
        server.stop()


def securityhub_sweep():
    """A failed, active, NEW finding that no event announced is found by the sweep at start-up
    (GetFindings, moto) and remediated because its control is in auto mode."""
    name = "sweep-fn"
    public_function(name)
    finding = event_for(name)["detail"]["findings"][0]
    finding["RecordState"] = "ACTIVE"
    finding["Workflow"] = {"Status": "NEW"}
    finding["Compliance"]["Status"] = "FAILED"
    imported = securityhub_moto.batch_import_findings(Findings=[finding])
    expect(imported["FailedCount"] == 0, f"import: {imported}")
    server = Server(config=SWEEP_CONFIG)
    try:
        job = server.wait_job(server.first_job_of(finding["Id"]))
        expect(job["state"] == "SUCCESS", f"job: {json.dumps(job)[:2000]}")
        expect(statement_ids(name) == ["events-rule"], f"policy: {statement_ids(name)}")
        expect(GETFINDINGS_REQUESTS, "no GetFindings request")
        filters = GETFINDINGS_REQUESTS[0]["Filters"]
        expect(filters["ComplianceSecurityControlId"] ==
               [{"Value": "Lambda.1", "Comparison": "EQUALS"}] and
               filters["RecordState"] == [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
               f"filters: {filters}")
        drain_notifications(2)
    finally:
        server.stop()


def alarms_and_cloudwatch():
    """A person asks for a control asr has no runbook for: NO_RUNBOOK, the ASR-NoRunbook alarm
    goes to the alarm topic once; outcomes reach CloudWatch metrics (namespace ASR) and the
    SO0111-ASR log group."""
    server = Server()
    try:
        event = event_for("no-such-fn")
        f = event["detail"]["findings"][0]
        # A Security Hub control of the SC playbook that asr has no native remediation for.
        f["Compliance"]["SecurityControlId"] = NO_RUNBOOK_CONTROL
        f["GeneratorId"] = "security-control/" + NO_RUNBOOK_CONTROL
        f["ProductFields"]["ControlId"] = NO_RUNBOOK_CONTROL
        code, body = server.request("POST", "/v1/events", event)
        expect(code == 202, f"POST: {code} {body}")
        job = server.wait_job(body["findings"][0]["job_id"])
        expect(job["state"] == "NO_RUNBOOK", f"job: {json.dumps(job)[:2000]}")
        alarms = [json.loads(json.loads(m["Body"])["Message"])
                  for m in receive_all(alarm_queue_url, 1, timeout=40)]
        expect([a["AlarmName"] for a in alarms] == ["ASR-NoRunbook"] and
               alarms[0]["NewStateValue"] == "ALARM", f"alarms: {alarms}")
        code, health = server.request("GET", "/healthz")
        expect("ASR-NoRunbook" in health.get("alarms_in_alarm", []), f"healthz: {health}")
        # The alarm does not fire again for the next NO_RUNBOOK.
        event2 = json.loads(json.dumps(event))
        event2["id"] = str(uuid.uuid4())
        event2["detail"]["findings"][0]["Id"] += "-2"
        code, body = server.request("POST", "/v1/events", event2)
        server.wait_job(body["findings"][0]["job_id"])
        again = receive_all(alarm_queue_url, 1, timeout=5)
        expect(again == [], f"the alarm fired twice: {again}")
        # CloudWatch: metrics and the finding log.
        deadline = time.time() + 30
        outcomes = set()
        while time.time() < deadline and "NO_RUNBOOK" not in outcomes:
            for m in cloudwatch.list_metrics(Namespace="ASR",
                                             MetricName="RemediationOutcome")["Metrics"]:
                outcomes.update(d["Value"] for d in m["Dimensions"] if d["Name"] == "Outcome")
            time.sleep(0.5)
        expect("NO_RUNBOOK" in outcomes, f"CloudWatch outcomes: {outcomes}")
        lines = []
        deadline = time.time() + 30
        while time.time() < deadline and not any(NO_RUNBOOK_CONTROL in l for l in lines):
            lines = []
            try:
                for st in logs.describe_log_streams(logGroupName="SO0111-ASR")["logStreams"]:
                    lines += [e["message"] for e in logs.get_log_events(
                        logGroupName="SO0111-ASR", logStreamName=st["logStreamName"])["events"]]
            except logs.exceptions.ResourceNotFoundException:
                pass
            time.sleep(0.5)
        expect(any(l.startswith("ERROR: asr has no native remediation") and
                   NO_RUNBOOK_CONTROL in l for l in lines), f"log lines: {lines[:20]}")
        drain_notifications(4)
    finally:
        server.stop()


check("serve: the tutorial through POST /v1/events, notifications and finding update",
      tutorial_through_the_service)
check("serve: bad input on the endpoints is refused with a reason", bad_input_is_refused)
check("serve: approval gate, asr jobs/approve/undo against the server and the local store",
      approval_through_the_cli)
check("serve: Imported events: skipped with the reason in manual mode, remediated in auto",
      imported_events_in_auto_mode_and_skips)
check("serve: ssm backend runs the member account's control runbook and reports it",
      ssm_backend_through_the_service)
check("serve: ssm backend: crash after starting the runbook, one execution, one outcome",
      ssm_crash_after_start)
check("serve: SQS intake: committed then deleted, poison left for the DLQ", sqs_intake)
check("serve: Security Hub sweep at start-up remediates an auto control's finding",
      securityhub_sweep)
check("serve: NO_RUNBOOK raises ASR-NoRunbook once; CloudWatch metrics and logs",
      alarms_and_cloudwatch)
check("serve: crash after admit, restart, exactly one outcome",
      lambda: crash_and_restart("admit", "crash-admit-fn"))
check("serve: crash after apply, restart, exactly one outcome",
      lambda: crash_and_restart("apply", "crash-apply-fn"))
check("serve: crash after the outcome commit, restart, reported once",
      lambda: crash_and_restart("outcome", "crash-outcome-fn"))

securityhub.shutdown()
ssm_standin.shutdown()
if RESULTS["failed"]:
    with open(os.path.join(WORK, "serve.log")) as f:
        print("---- asr serve log (tail) ----")
        print("".join(f.readlines()[-80:]))
shutil.rmtree(WORK, ignore_errors=True)
print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed, {RESULTS['skipped']} skipped",
      flush=True)
sys.exit(1 if RESULTS["failed"] else 0)
