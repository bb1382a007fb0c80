#!/usr/bin/env python3
"""EnableEncryptionForSQSQueue (SQS.1) against moto: boto3 creates unencrypted queues in the member
account and checks their encryption attributes after `asr remediate` / `asr undo`.

Run through run_with_moto.py:  sqs_test.py PATH/TO/asr
"""
from harness import (MEMBER, REGION, check, client, expect, expect_no_mutating_call,
                     expect_outcome, finding, main, remediate, undo)

ATTRS = ["KmsMasterKeyId", "SqsManagedSseEnabled", "VisibilityTimeout", "MessageRetentionPeriod"]


def sqs():
    return client("sqs")


def make_queue(name, **attributes):
    """A queue; unencrypted unless attributes say otherwise (SQS and moto default to SSE-SQS)."""
    attrs = {"SqsManagedSseEnabled": "false", "VisibilityTimeout": "45"}
    attrs.update(attributes)
    url = sqs().create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
    return url, f"arn:aws:sqs:{REGION}:{MEMBER}:{name}"


def attributes_of(url):
    return sqs().get_queue_attributes(QueueUrl=url, AttributeNames=ATTRS)["Attributes"]


def encrypted(attrs):
    return bool(attrs.get("KmsMasterKeyId")) or attrs.get("SqsManagedSseEnabled") == "true"


def sqs1(arn):
    return finding("SQS.1", "AwsSqsQueue", arn)


def expect_undone(run):
    u = undo(run.record_path())
    expect(u.code == 0, f"undo failed: {u!r}")
    expect(u.out["record"]["outcome"] == "UNDONE", u)
    return u


_keys = {}


def kms_alias(name, enabled=True):
    if name not in _keys:
        kms = client("kms")
        key = kms.create_key(Description=f"asr test {name}")["KeyMetadata"]
        kms.create_alias(AliasName=f"alias/{name}", TargetKeyId=key["KeyId"])
        if not enabled:
            kms.disable_key(KeyId=key["KeyId"])
        _keys[name] = key["Arn"]
    return _keys[name]


def sse_sqs_turned_on_by_default():
    url, arn = make_queue("asr-q-1")
    expect(not encrypted(attributes_of(url)), f"setup: {attributes_of(url)}")
    run = remediate(sqs1(arn))
    expect(run.code == 0, run)
    expect_outcome(run, "SUCCESS")
    rec = run.record()
    expect([c["action"] for c in rec["plan"]["changes"]] == ["sqs:SetQueueAttributes"], rec)
    expect(rec["verify"]["compliant"] is True, rec)
    after = attributes_of(url)
    expect(after["SqsManagedSseEnabled"] == "true" and "KmsMasterKeyId" not in after, after)
    expect(after["VisibilityTimeout"] == "45", f"unrelated attribute changed: {after}")
    expect(all(c["region"] == REGION for c in run.calls()), run.calls())


def kms_key_used_when_given_and_undo_turns_it_off():
    key_arn = kms_alias("queues")
    url, arn = make_queue("asr-q-2")
    run = remediate(sqs1(arn), "--param", f"KmsKeyArn={key_arn}")
    expect_outcome(run, "SUCCESS")
    after = attributes_of(url)
    expect(after.get("KmsMasterKeyId") == key_arn, after)
    expect(any(c["operation"] == "DescribeKey" for c in run.calls()), run.calls())
    expect_undone(run)
    after = attributes_of(url)
    expect(not encrypted(after), f"after undo: {after}")
    expect(after["VisibilityTimeout"] == "45", after)


def already_encrypted_queues_are_compliant():
    kms_alias("owner-key")
    for name, attrs in (("asr-q-3", {"SqsManagedSseEnabled": "true"}),
                        ("asr-q-4", {"KmsMasterKeyId": "alias/owner-key"})):
        url, arn = make_queue(name, **attrs)
        before = attributes_of(url)
        run = remediate(sqs1(arn), "--param", f"KmsKeyArn={kms_alias('queues')}")
        expect_outcome(run, "ALREADY_COMPLIANT")
        expect_no_mutating_call(run)
        expect(attributes_of(url) == before, (name, attributes_of(url)))


def second_run_is_harmless():
    url, arn = make_queue("asr-q-5")
    expect_outcome(remediate(sqs1(arn)), "SUCCESS")
    after_first = attributes_of(url)
    run = remediate(sqs1(arn))
    expect_outcome(run, "ALREADY_COMPLIANT")
    expect_no_mutating_call(run)
    expect(attributes_of(url) == after_first, attributes_of(url))


def dry_run_changes_nothing():
    url, arn = make_queue("asr-q-6")
    run = remediate(sqs1(arn), "--dry-run")
    expect(run.code == 0, run)
    expect_outcome(run, "DRY_RUN")
    expect_no_mutating_call(run)
    expect(run.record()["plan"]["changes"][0]["detail"]["Attributes"] ==
           {"SqsManagedSseEnabled": "true"}, run)
    expect(not encrypted(attributes_of(url)), attributes_of(url))


def undo_turns_sse_sqs_off_again():
    url, arn = make_queue("asr-q-7")
    run = remediate(sqs1(arn))
    expect_outcome(run, "SUCCESS")
    expect_undone(run)
    expect(attributes_of(url)["SqsManagedSseEnabled"] == "false", attributes_of(url))
    expect(undo(run.record_path()).code == 5, "second undo should be refused")


def undo_refuses_when_encryption_changed_since():
    url, arn = make_queue("asr-q-8")
    run = remediate(sqs1(arn))
    expect_outcome(run, "SUCCESS")
    key = kms_alias("someone-elses")
    sqs().set_queue_attributes(QueueUrl=url, Attributes={"SqsManagedSseEnabled": "false",
                                                         "KmsMasterKeyId": key})
    u = undo(run.record_path())
    expect(u.code == 5 and u.out["undone"] is False, u)
    expect("changed since" in u.out["error"], u.out)
    expect(attributes_of(url).get("KmsMasterKeyId") == key, attributes_of(url))


def missing_or_disabled_key_is_refused():
    kms_alias("off-queue-key", enabled=False)
    for name, key, want in (("asr-q-9", "alias/no-such-key", "does not exist"),
                            ("asr-q-10", "alias/off-queue-key", "Disabled")):
        url, arn = make_queue(name)
        run = remediate(sqs1(arn), "--param", f"KmsKeyArn={key}")
        expect(run.code == 5, run)
        expect_outcome(run, "FAILED")
        rec = run.record()
        expect(rec["failed_phase"] == "plan" and rec["error"]["code"] == "FAILED_PRECONDITION",
               rec)
        expect(want in rec["error"]["message"], rec["error"])
        expect_no_mutating_call(run)
        expect(not encrypted(attributes_of(url)), attributes_of(url))


def resource_that_does_not_fit_fails_before_any_call():
    for resource in ("arn:aws:s3:::not-a-queue",
                     f"https://sqs.{REGION}.amazonaws.com/{MEMBER}/asr-q-1",
                     f"arn:aws:sqs:{REGION}:{MEMBER}:bad/queue/name"):
        run = remediate(sqs1(resource))
        expect(run.code == 5, run)
        expect_outcome(run, "FAILED")
        rec = run.record()
        expect(rec["failed_phase"] == "resolve" and rec["error"]["code"] == "INVALID_ARGUMENT",
               (resource, rec))
        expect(rec["calls"] == [], rec["calls"])


def missing_queue_is_a_clear_failure():
    run = remediate(sqs1(f"arn:aws:sqs:{REGION}:{MEMBER}:asr-no-such-queue"))
    expect(run.code == 5, run)
    expect_outcome(run, "FAILED")
    rec = run.record()
    expect(rec["failed_phase"] == "plan" and rec["error"]["code"] == "NOT_FOUND" and
           not rec["error"]["retryable"], rec)
    expect("asr-no-such-queue" in rec["error"]["message"], rec["error"])
    expect_no_mutating_call(run)


def queue_in_another_account_is_refused():
    run = remediate(sqs1(f"arn:aws:sqs:{REGION}:999999999999:asr-q-1"))
    expect(run.code == 5, run)
    expect(run.result()["decision"] == "SKIP" and run.result()["reason"] == "ACCOUNT_MISMATCH",
           run)


check("SSE-SQS is turned on by default; other attributes untouched",
      sse_sqs_turned_on_by_default)
check("a given KMS key is used; undo turns SSE-KMS off again",
      kms_key_used_when_given_and_undo_turns_it_off)
check("queues with SSE-SQS or SSE-KMS are compliant; no key is replaced",
      already_encrypted_queues_are_compliant)
check("second run is harmless", second_run_is_harmless)
check("dry run changes nothing", dry_run_changes_nothing)
check("undo turns SSE-SQS off again; second undo refused", undo_turns_sse_sqs_off_again)
check("undo refuses when the encryption was changed since",
      undo_refuses_when_encryption_changed_since)
check("a missing or disabled key is refused before any change",
      missing_or_disabled_key_is_refused)
check("a resource that is not a queue ARN of the finding's region fails in resolve",
      resource_that_does_not_fit_fails_before_any_call)
check("a missing queue is a clear, non-retryable failure", missing_queue_is_a_clear_failure)
check("a queue in another account is refused (confused deputy)",
      queue_in_another_account_is_refused)
main()
