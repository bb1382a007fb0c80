#!/usr/bin/env python3
"""BlockSSMDocumentPublicAccess (SSM.4) against moto: boto3 creates SSM documents shared publicly in
the member account and checks their Share permission after `asr remediate` / `asr undo`.

Run through run_with_moto.py:  ssm_test.py PATH/TO/asr
"""
import json

from harness import (MEMBER, REGION, check, client, expect, expect_no_mutating_call,
                     expect_outcome, finding, main, remediate, skip, undo)

CONTENT = json.dumps({
    "schemaVersion": "2.2", "description": "asr test document",
    "mainSteps": [{"action": "aws:runShellScript", "name": "hello",
                   "inputs": {"runCommand": ["echo hello"]}}]})


def ssm():
    return client("ssm")


def make_document(name, share_with=(), version=None):
    ssm().create_document(Name=name, Content=CONTENT, DocumentType="Command")
    if share_with:
        kwargs = {"SharedDocumentVersion": version} if version else {}
        ssm().modify_document_permission(Name=name, PermissionType="Share",
                                         AccountIdsToAdd=list(share_with), **kwargs)
    return f"arn:aws:ssm:{REGION}:{MEMBER}:document/{name}"


def sharing_of(name):
    out = ssm().describe_document_permission(Name=name, PermissionType="Share")
    return out["AccountIds"], out.get("AccountSharingInfoList", [])


def ssm4(arn):
    return finding("SSM.4", "AwsSsmDocument", arn)


def public_document_is_made_private():
    arn = make_document("AsrPublicDoc", ["all"])
    run = remediate(ssm4(arn))
    expect(run.code == 0, run)
    expect_outcome(run, "SUCCESS")
    rec = run.record()
    expect([c["action"] for c in rec["plan"]["changes"]] == ["ssm:ModifyDocumentPermission"], rec)
    expect(rec["verify"]["compliant"] is True, rec)
    expect(sharing_of("AsrPublicDoc")[0] == [], sharing_of("AsrPublicDoc"))
    # The document itself is untouched.
    doc = ssm().get_document(Name="AsrPublicDoc")
    expect(json.loads(doc["Content"]) == json.loads(CONTENT), doc["Content"])
    expect(all(c["region"] == REGION for c in run.calls()), run.calls())


def private_or_account_shared_documents_are_compliant():
    for name, share in (("AsrPrivateDoc", ()), ("AsrAccountSharedDoc", ["444444444444"])):
        arn = make_document(name, share)
        before = sharing_of(name)
        run = remediate(ssm4(arn))
        expect_outcome(run, "ALREADY_COMPLIANT")
        expect_no_mutating_call(run)
        expect(sharing_of(name) == before, (name, sharing_of(name)))


def second_run_is_harmless():
    arn = make_document("AsrTwiceDoc", ["all"])
    expect_outcome(remediate(ssm4(arn)), "SUCCESS")
    run = remediate(ssm4(arn))
    expect_outcome(run, "ALREADY_COMPLIANT")
    expect_no_mutating_call(run)
    expect(sharing_of("AsrTwiceDoc")[0] == [], sharing_of("AsrTwiceDoc"))


def dry_run_changes_nothing():
    arn = make_document("AsrDryDoc", ["all"])
    run = remediate(ssm4(arn), "--dry-run")
    expect(run.code == 0, run)
    expect_outcome(run, "DRY_RUN")
    expect_no_mutating_call(run)
    expect(sharing_of("AsrDryDoc")[0] == ["all"], sharing_of("AsrDryDoc"))


def undo_shares_publicly_again_at_the_same_version():
    arn = make_document("AsrUndoDoc", ["all"], version="$LATEST")
    run = remediate(ssm4(arn))
    expect_outcome(run, "SUCCESS")
    expect(run.record()["applied"]["before"] == {"Public": True,
                                                 "SharedDocumentVersion": "$LATEST"}, run)
    u = undo(run.record_path())
    expect(u.code == 0 and u.out["record"]["outcome"] == "UNDONE", u)
    ids, info = sharing_of("AsrUndoDoc")
    expect(ids == ["all"], ids)
    expect(info == [{"AccountId": "all", "SharedDocumentVersion": "$LATEST"}], info)
    expect(undo(run.record_path()).code == 5, "second undo should be refused")


def resource_that_does_not_fit_fails_before_any_call():
    for resource in (f"arn:aws:ssm:{REGION}:{MEMBER}:parameter/not-a-document",
                     "AsrPublicDoc",
                     f"arn:aws:ssm:{REGION}:{MEMBER}:document/bad name"):
        run = remediate(ssm4(resource))
        expect(run.code == 5, run)
        expect_outcome(run, "FAILED")
        rec = run.record()
        expect(rec["failed_phase"] == "resolve" and rec["error"]["code"] == "INVALID_ARGUMENT",
               (resource, rec))
        expect(rec["calls"] == [], rec["calls"])


def missing_document_is_a_clear_failure():
    run = remediate(ssm4(f"arn:aws:ssm:{REGION}:{MEMBER}:document/AsrNoSuchDoc"))
    expect(run.code == 5, run)
    expect_outcome(run, "FAILED")
    err = run.record()["error"]
    expect(err["code"] == "NOT_FOUND" and not err["retryable"], err)
    expect("AsrNoSuchDoc" in err["message"], err)


def document_in_another_account_is_refused():
    run = remediate(ssm4(f"arn:aws:ssm:{REGION}:999999999999:document/AsrPublicDoc"))
    expect(run.code == 5, run)
    expect(run.result()["decision"] == "SKIP" and run.result()["reason"] == "ACCOUNT_MISMATCH",
           run)


check("a public document is made private; its content is untouched",
      public_document_is_made_private)
check("private and account-shared documents are compliant",
      private_or_account_shared_documents_are_compliant)
check("second run is harmless", second_run_is_harmless)
check("dry run changes nothing", dry_run_changes_nothing)
check("undo shares the document publicly again at the same version; second undo refused",
      undo_shares_publicly_again_at_the_same_version)
check("a resource that is not a document ARN fails in resolve with no call",
      resource_that_does_not_fit_fails_before_any_call)
check("a missing document is a clear, non-retryable failure", missing_document_is_a_clear_failure)
check("a document in another account is refused (confused deputy)",
      document_in_another_account_is_refused)
skip("public sharing together with named accounts",
     "moto clears every named account when \"all\" is added (and drops \"all\" when an account "
     "is added), so a document shared with both cannot be set up; removing only \"all\" is "
     "checked by SsmRemediationTest.ReadsEveryPageOfThePermission (plan removes exactly \"all\")")
skip("more than one page of document permissions",
     "moto ignores MaxResults/NextToken of DescribeDocumentPermission; paging is covered by "
     "SsmRemediationTest.ReadsEveryPageOfThePermission")
main()
