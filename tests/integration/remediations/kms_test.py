#!/usr/bin/env python3
"""EnableKeyRotation (KMS.4) against moto.

moto accepts EnableKeyRotation on asymmetric keys (real KMS refuses with
UnsupportedOperationException) and cannot create AWS managed keys, keys with imported material
or multi-Region replicas: asr refuses those from DescribeKey before any rotation call, which the
asymmetric and disabled cases check here and the unit tests (src/remediations/kms/kms_test.cc)
check for the others.

Run through run_with_moto.py:  kms_test.py PATH/TO/asr
"""
from harness import (MEMBER, REGION, check, client, expect, expect_no_mutating_call,
                     expect_outcome, finding, main, remediate, skip, undo)


def kms():
    return client("kms")


def make_key(description, **kwargs):
    return kms().create_key(Description=description, **kwargs)["KeyMetadata"]


def rotation(key):
    return kms().get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"]


def kms4(arn):
    return finding("KMS.4", "AwsKmsKey", arn)


def rotation_enabled_second_run_harmless_undo_disables():
    key = make_key("kms4-main")
    expect(rotation(key) is False, "setup")
    run = remediate(kms4(key["Arn"]))
    expect(run.code == 0, run)
    expect_outcome(run, "SUCCESS")
    rec = run.record()
    expect([c["action"] for c in rec["plan"]["changes"]] == ["kms:EnableKeyRotation"], rec)
    expect(rec["verify"]["compliant"] is True, rec)
    expect(rec["applied"]["before"]["KeyRotationEnabled"] is False, rec["applied"])
    expect(all(c["region"] == REGION for c in run.calls()), run.calls())
    expect(rotation(key) is True, "rotation still off")
    meta = kms().describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    expect(meta["KeyState"] == "Enabled" and meta["Description"] == "kms4-main", meta)

    again = remediate(kms4(key["Arn"]))
    expect_outcome(again, "ALREADY_COMPLIANT")
    expect_no_mutating_call(again)

    u = undo(run.record_path())
    expect(u.code == 0, u)
    expect(u.out["record"]["outcome"] == "UNDONE", u)
    expect(rotation(key) is False, "undo left rotation on")
    expect(undo(run.record_path()).code == 5, "second undo should be refused")


def dry_run_changes_nothing():
    key = make_key("kms4-dry")
    run = remediate(kms4(key["Arn"]), "--dry-run")
    expect(run.code == 0, run)
    expect_outcome(run, "DRY_RUN")
    expect_no_mutating_call(run)
    expect(rotation(key) is False, "dry run enabled rotation")


def rotating_key_is_compliant():
    key = make_key("kms4-on")
    kms().enable_key_rotation(KeyId=key["KeyId"])
    run = remediate(kms4(key["Arn"]))
    expect_outcome(run, "ALREADY_COMPLIANT")
    expect_no_mutating_call(run)
    expect(rotation(key) is True, "rotation changed")


def keys_kms_cannot_rotate_fail_without_a_change():
    asym = make_key("kms4-rsa", KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
    disabled = make_key("kms4-disabled")
    kms().disable_key(KeyId=disabled["KeyId"])
    for key, words in [(asym, "RSA_2048"), (disabled, "Disabled")]:
        run = remediate(kms4(key["Arn"]))
        expect(run.code == 5, run)
        expect_outcome(run, "FAILED")
        rec = run.record()
        expect(rec["failed_phase"] == "plan", rec)
        expect(rec["error"]["code"] == "FAILED_PRECONDITION", rec["error"])
        expect(words in rec["error"]["message"], rec["error"])
        expect_no_mutating_call(run)
        expect([c["operation"] for c in run.calls()] == ["DescribeKey"], run.calls())
        expect(rotation(key) is False, "rotation changed")


def missing_key_is_not_found():
    arn = f"arn:aws:kms:{REGION}:{MEMBER}:key/00000000-0000-4000-8000-000000000000"
    run = remediate(kms4(arn))
    expect(run.code == 5, run)
    expect_outcome(run, "FAILED")
    err = run.record()["error"]
    expect(err["code"] == "NOT_FOUND" and not err["retryable"], err)


def resources_that_do_not_fit_fail_in_resolve():
    key = make_key("kms4-alias")
    kms().create_alias(AliasName="alias/kms4-test", TargetKeyId=key["KeyId"])
    for rid, words in [(f"arn:aws:kms:{REGION}:{MEMBER}:alias/kms4-test", "key/"),
                       (key["KeyId"], "not an ARN"),
                       (f"arn:aws:kms:{REGION}:{MEMBER}:key/not-a-key-id", "KMS key id")]:
        run = remediate(kms4(rid))
        expect(run.code == 5, run)
        expect_outcome(run, "FAILED")
        rec = run.record()
        expect(rec["failed_phase"] == "resolve", rec)
        expect(words in rec["error"]["message"], rec["error"])
        expect(rec["calls"] == [], rec["calls"])
    expect(rotation(key) is False, "rotation changed")


check("KMS.4: rotation enabled and verified; second run harmless; undo disables it",
      rotation_enabled_second_run_harmless_undo_disables)
check("KMS.4: dry run changes nothing", dry_run_changes_nothing)
check("KMS.4: a rotating key is already compliant", rotating_key_is_compliant)
check("KMS.4: asymmetric and disabled keys fail from DescribeKey, no rotation call",
      keys_kms_cannot_rotate_fail_without_a_change)
check("KMS.4: a missing key is a clear, non-retryable failure", missing_key_is_not_found)
check("KMS.4: resources that are not key ARNs fail in resolve with no AWS call",
      resources_that_do_not_fit_fail_in_resolve)
skip("KMS.4: AWS managed keys, imported key material, multi-Region replicas",
     "moto cannot create such keys; covered by KmsTest.KeysKmsCannotRotateFailWithTheReasonAndNoChange")
main()
