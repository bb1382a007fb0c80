#!/usr/bin/env python3
"""RemoveLambdaPublicAccess (Lambda.1) against moto, including the seed tutorial end to end:
member account 222222222222, us-west-2, a function whose policy allows public invoke, a
consolidated Lambda.1 finding delivered by the custom action; `asr remediate` removes the public
statement and leaves the others in place.

Run through run_with_moto.py:  lambda_test.py PATH/TO/asr
"""
import io
import json
import zipfile

from harness import (MEMBER, REGION, check, client, custom_action_event, expect, expect_outcome,
                     expect_no_mutating_call, finding, main, remediate, undo)

_role_arn = None


def make_function(name, statements=()):
    """Creates a function in the member account and adds `statements` (AddPermission kwargs)."""
    global _role_arn
    if _role_arn is None:
        _role_arn = client("iam").create_role(
            RoleName="asr-test-lambda-role",
            AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "lambda.amazonaws.com"}}]}),
        )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return 1\n")
    arn = client("lambda").create_function(
        FunctionName=name, Runtime="python3.11", Role=_role_arn, Handler="index.handler",
        Code={"ZipFile": code.getvalue()})["FunctionArn"]
    for s in statements:
        client("lambda").add_permission(FunctionName=name, **s)
    return arn


def statements_of(name):
    try:
        policy = client("lambda").get_policy(FunctionName=name)["Policy"]
    except client("lambda").exceptions.ResourceNotFoundException:
        return {}
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


PUBLIC = {"StatementId": "public-invoke", "Action": "lambda:InvokeFunction", "Principal": "*"}
EVENTS = {"StatementId": "events-rule", "Action": "lambda:InvokeFunction",
          "Principal": "events.amazonaws.com",
          "SourceArn": f"arn:aws:events:{REGION}:{MEMBER}:rule/nightly"}


def lambda1(arn):
    return finding("Lambda.1", "AwsLambdaFunction", arn)


def tutorial_public_statement_removed_others_kept():
    arn = make_function("tutorial-fn", [PUBLIC, EVENTS])
    expect(set(statements_of("tutorial-fn")) == {"public-invoke", "events-rule"}, "setup")
    run = remediate(custom_action_event(lambda1(arn)))
    expect(run.code == 0, f"exit {run.code}: {run!r}")
    expect_outcome(run, "SUCCESS")
    rec = run.record()
    expect(rec["target"]["account_id"] == MEMBER and rec["target"]["region"] == REGION, rec)
    expect([c["action"] for c in rec["plan"]["changes"]] == ["lambda:RemovePermission"], rec)
    expect(rec["verify"]["compliant"] is True, rec)
    after = statements_of("tutorial-fn")
    expect(set(after) == {"events-rule"}, f"statements after: {list(after)}")
    expect(after["events-rule"]["Principal"] == {"Service": "events.amazonaws.com"}, after)
    # Every call went to the member account's region.
    expect(all(c["region"] == REGION for c in run.calls()), run.calls())


def second_run_is_harmless_and_makes_no_mutating_call():
    arn = make_function("twice-fn", [PUBLIC, EVENTS])
    expect_outcome(remediate(lambda1(arn)), "SUCCESS")
    run = remediate(lambda1(arn))
    expect_outcome(run, "ALREADY_COMPLIANT")
    expect_no_mutating_call(run)
    expect(set(statements_of("twice-fn")) == {"events-rule"}, statements_of("twice-fn"))


def function_without_policy_is_compliant():
    arn = make_function("no-policy-fn")
    run = remediate(lambda1(arn))
    expect_outcome(run, "ALREADY_COMPLIANT")
    expect_no_mutating_call(run)


def dry_run_changes_nothing():
    arn = make_function("dry-fn", [PUBLIC])
    run = remediate(lambda1(arn), "--dry-run")
    expect(run.code == 0, run)
    expect_outcome(run, "DRY_RUN")
    expect_no_mutating_call(run)
    expect(len(run.record()["plan"]["changes"]) == 1, run)
    expect("public-invoke" in statements_of("dry-fn"), "dry run removed the statement")


def s3_principal_without_source_account_is_removed():
    s3_open = {"StatementId": "s3-any-bucket", "Action": "lambda:InvokeFunction",
               "Principal": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::some-bucket"}
    s3_scoped = {"StatementId": "s3-own-bucket", "Action": "lambda:InvokeFunction",
                 "Principal": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::own-bucket",
                 "SourceAccount": MEMBER}
    arn = make_function("s3-fn", [s3_open, s3_scoped])
    run = remediate(lambda1(arn))
    expect_outcome(run, "SUCCESS")
    expect(set(statements_of("s3-fn")) == {"s3-own-bucket"}, statements_of("s3-fn"))


def undo_restores_the_removed_statement():
    arn = make_function("undo-fn", [PUBLIC, EVENTS])
    run = remediate(lambda1(arn))
    expect_outcome(run, "SUCCESS")
    expect(set(statements_of("undo-fn")) == {"events-rule"}, "remediation")
    u = undo(run.record_path())
    expect(u.code == 0, u)
    expect(u.out["record"]["outcome"] == "UNDONE", u)
    after = statements_of("undo-fn")
    expect(set(after) == {"public-invoke", "events-rule"}, f"after undo: {list(after)}")
    expect(after["public-invoke"]["Principal"] == "*", after["public-invoke"])
    again = undo(run.record_path())
    expect(again.code == 5, f"second undo should be refused: {again!r}")


def resource_that_does_not_fit_fails_before_any_call():
    run = remediate(lambda1("arn:aws:s3:::not-a-function"))
    expect(run.code == 5, run)
    expect_outcome(run, "FAILED")
    rec = run.record()
    expect(rec["failed_phase"] == "resolve", rec)
    expect("not a lambda ARN" in rec["error"]["message"], rec["error"])
    expect(rec["calls"] == [], rec["calls"])


def missing_function_is_a_clear_failure():
    arn = f"arn:aws:lambda:{REGION}:{MEMBER}:function:does-not-exist"
    run = remediate(lambda1(arn))
    expect(run.code == 5, run)
    expect_outcome(run, "FAILED")
    err = run.record()["error"]
    expect(err["code"] == "NOT_FOUND" and not err["retryable"], err)


def resource_in_another_account_is_refused():
    arn = f"arn:aws:lambda:{REGION}:999999999999:function:someone-elses"
    run = remediate(lambda1(arn))
    expect(run.code == 5, run)
    expect(run.result()["decision"] == "SKIP" and run.result()["reason"] == "ACCOUNT_MISMATCH",
           run)


check("tutorial: custom action on a public function removes only the public statement",
      tutorial_public_statement_removed_others_kept)
check("second run is harmless and makes no mutating call",
      second_run_is_harmless_and_makes_no_mutating_call)
check("function without a policy is already compliant", function_without_policy_is_compliant)
check("dry run changes nothing", dry_run_changes_nothing)
check("S3 principal without SourceAccount is removed, scoped one kept",
      s3_principal_without_source_account_is_removed)
check("undo re-adds the removed statement; a second undo is refused",
      undo_restores_the_removed_statement)
check("a resource that is not a function fails in resolve with no AWS call",
      resource_that_does_not_fit_fails_before_any_call)
check("a missing function is a clear, non-retryable failure", missing_function_is_a_clear_failure)
check("a resource in another account is refused (confused deputy)",
      resource_in_another_account_is_refused)
main()
