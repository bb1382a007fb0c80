"""Shared harness for the remediation tests against moto (run through run_with_moto.py).

Each `<service>_test.py` imports this module, creates insecure resources in the member account
with boto3 (an independent client acting through the same AssumeRole chain asr uses), runs
`asr remediate` / `asr undo` as a subprocess, and checks the resources again with boto3.

    from harness import *
    def lambda_public_policy_is_removed(): ...
    check("lambda: public statement removed", lambda_public_policy_is_removed)
    skip("lambda: something moto lacks", "moto does not implement X")
    main()

Conventions: member account 222222222222, region us-west-2 (the seed tutorial's), one moto
server per test file (resource names must be unique within the file).
"""
import atexit
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
import uuid

import boto3

ASR = os.path.abspath(sys.argv[1])
ENDPOINT = os.environ["MOTO_ENDPOINT"]
MEMBER = "222222222222"
OTHER_MEMBER = "333333333333"
REGION = "us-west-2"
ADMIN_REGION = "us-east-1"
MEMBER_ROLE = "SO0111-ASR-Orchestrator-Member"

_results = {"passed": 0, "failed": 0, "skipped": 0}
_workdir = tempfile.mkdtemp(prefix="asr-remediation-test-")
atexit.register(shutil.rmtree, _workdir, ignore_errors=True)
_sessions = {}


def member_session(account=MEMBER):
    """A boto3 session acting in `account` through its member role (as asr does)."""
    if account not in _sessions:
        sts = boto3.client("sts", endpoint_url=ENDPOINT, region_name=ADMIN_REGION)
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{MEMBER_ROLE}",
                                RoleSessionName="asr-test-harness")["Credentials"]
        _sessions[account] = boto3.Session(aws_access_key_id=creds["AccessKeyId"],
                                           aws_secret_access_key=creds["SecretAccessKey"],
                                           aws_session_token=creds["SessionToken"])
    return _sessions[account]


def client(service, region=REGION, account=MEMBER):
    """A boto3 client for `service` in the member account."""
    return member_session(account).client(service, endpoint_url=ENDPOINT, region_name=region)


def finding(control, resource_type, resource_id, account=MEMBER, region=REGION, details=None,
            partition="aws", workflow="NEW", compliance="FAILED", config_rule=None):
    """A consolidated (security-control) ASFF finding for `control` on one resource."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    finding_id = (f"arn:{partition}:securityhub:{region}:{account}:security-control/{control}"
                  f"/finding/{uuid.uuid4()}")
    resource = {"Type": resource_type, "Id": resource_id, "Partition": partition,
                "Region": region}
    if details is not None:
        resource["Details"] = details
    product_fields = {"aws/securityhub/ProductName": "Security Hub",
                      "aws/securityhub/CompanyName": "AWS",
                      "aws/securityhub/FindingId": finding_id}
    if config_rule:
        product_fields["RelatedAWSResources:0/type"] = "AWS::Config::ConfigRule"
        product_fields["RelatedAWSResources:0/name"] = config_rule
    return {
        "SchemaVersion": "2018-10-08",
        "Id": finding_id,
        "ProductArn": f"arn:{partition}:securityhub:{region}::product/aws/securityhub",
        "ProductName": "Security Hub",
        "CompanyName": "AWS",
        "GeneratorId": f"security-control/{control}",
        "AwsAccountId": account,
        "Region": region,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "CreatedAt": now,
        "UpdatedAt": now,
        "Severity": {"Label": "HIGH", "Normalized": 70, "Original": "HIGH"},
        "Title": f"{control} test finding",
        "Description": f"{control} test finding created by the asr test harness",
        "ProductFields": product_fields,
        "Resources": [resource],
        "Compliance": {"Status": compliance, "SecurityControlId": control},
        "Workflow": {"Status": workflow},
        "WorkflowState": workflow,
        "RecordState": "ACTIVE",
    }


def custom_action_event(*findings, admin_account="111111111111"):
    """The EventBridge event Security Hub sends for the "Remediate with ASR" custom action."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Security Hub Findings - Custom Action",
        "source": "aws.securityhub",
        "account": admin_account,
        "time": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": ADMIN_REGION,
        "resources": [f"arn:aws:securityhub:{ADMIN_REGION}:{admin_account}:action/custom/"
                      "ASRRemediation"],
        "detail": {"actionName": "Remediate with ASR",
                   "actionDescription": "Submit the finding to asr",
                   "findings": list(findings)},
    }


class Run:
    """One `asr` invocation: exit code, parsed JSON output (when --json), stderr."""

    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    def result(self, index=0):
        return self.out["results"][index]

    def record(self, index=0):
        return self.result(index)["record"]

    def outcome(self, index=0):
        item = self.result(index)
        return item.get("record", {}).get("outcome", item.get("outcome", item.get("decision")))

    def record_path(self, index=0):
        return self.result(index)["record_path"]

    def calls(self, index=0):
        return self.record(index).get("calls", [])

    def mutating_calls(self, index=0):
        return [c for c in self.calls(index) if c["mutating"]]

    def __repr__(self):
        return f"Run(code={self.code}, out={json.dumps(self.out)[:3000]}, err={self.err[:2000]})"


def asr(*args, stdin=None, config=None):
    """Runs the asr binary in a scratch directory; returns (code, stdout, stderr)."""
    cmd = [ASR]
    if config is not None:
        path = os.path.join(_workdir, f"asr-{uuid.uuid4().hex[:8]}.yaml")
        with open(path, "w") as f:
            f.write(config)
        cmd += ["--config", path]
    cmd += list(args)
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=300,
                          cwd=_workdir)
    return proc.returncode, proc.stdout, proc.stderr


def remediate(event_or_finding, *flags, config=None):
    """`asr remediate FILE --yes --json [flags]` on the given event or finding."""
    path = os.path.join(_workdir, f"input-{uuid.uuid4().hex[:8]}.json")
    with open(path, "w") as f:
        json.dump(event_or_finding, f)
    code, out, err = asr("remediate", path, "--yes", "--json", *flags, config=config)
    try:
        parsed = json.loads(out) if out.strip() else None
    except json.JSONDecodeError:
        parsed = None
    return Run(code, parsed, err)


def undo(record_path, *flags):
    """`asr undo RECORD --yes --json`."""
    code, out, err = asr("undo", record_path, "--yes", "--json", *flags)
    try:
        parsed = json.loads(out) if out.strip() else None
    except json.JSONDecodeError:
        parsed = None
    return Run(code, parsed, err)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def expect_outcome(run, want, index=0):
    """Asserts the outcome of result `index` (SUCCESS, ALREADY_COMPLIANT, DRY_RUN, FAILED, ...)."""
    expect(run.out is not None, f"no JSON output: {run!r}")
    got = run.outcome(index)
    expect(got == want, f"outcome {got}, want {want}: {run!r}")


def expect_no_mutating_call(run, index=0):
    muts = run.mutating_calls(index)
    expect(not muts, f"mutating calls were made: {muts}")


def check(name, fn):
    """Runs one check; reports PASS/FAIL and goes on."""
    try:
        fn()
        _results["passed"] += 1
        print(f"PASS {name}", flush=True)
    except Exception as e:  # report and continue with the next check
        _results["failed"] += 1
        print(f"FAIL {name}: {e}", flush=True)
        traceback.print_exc()


def skip(name, reason):
    """A check that cannot run here (e.g. moto lacks the operation); the reason is printed."""
    _results["skipped"] += 1
    print(f"SKIP {name}: {reason}", flush=True)


def main():
    print(f"{_results['passed']} passed, {_results['failed']} failed, "
          f"{_results['skipped']} skipped", flush=True)
    sys.exit(1 if _results["failed"] else 0)
