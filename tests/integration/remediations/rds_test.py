#!/usr/bin/env python3
"""MakeRDSSnapshotPrivate (RDS.1) against moto, for DB snapshots and DB cluster snapshots.

Run through run_with_moto.py:  rds_test.py PATH/TO/asr
"""
from harness import (MEMBER, REGION, check, client, expect, expect_no_mutating_call,
                     expect_outcome, finding, main, remediate, undo)

OTHER = "123456789012"
_instance = None
_cluster = None


def rds():
    return client("rds")


def db_snapshot(name, shared=()):
    """A manual DB snapshot shared with `shared` ("all" = public); returns its ARN."""
    global _instance
    if _instance is None:
        _instance = rds().create_db_instance(
            DBInstanceIdentifier="rds1-db", DBInstanceClass="db.t3.micro", Engine="postgres",
            MasterUsername="admin1", MasterUserPassword="password-password",
            AllocatedStorage=20)["DBInstance"]["DBInstanceIdentifier"]
    arn = rds().create_db_snapshot(DBSnapshotIdentifier=name,
                                   DBInstanceIdentifier=_instance)["DBSnapshot"]["DBSnapshotArn"]
    if shared:
        rds().modify_db_snapshot_attribute(DBSnapshotIdentifier=name, AttributeName="restore",
                                           ValuesToAdd=list(shared))
    return arn


def cluster_snapshot(name, shared=()):
    global _cluster
    if _cluster is None:
        _cluster = rds().create_db_cluster(
            DBClusterIdentifier="rds1-cluster", Engine="aurora-postgresql",
            MasterUsername="admin1",
            MasterUserPassword="password-password")["DBCluster"]["DBClusterIdentifier"]
    arn = rds().create_db_cluster_snapshot(
        DBClusterSnapshotIdentifier=name,
        DBClusterIdentifier=_cluster)["DBClusterSnapshot"]["DBClusterSnapshotArn"]
    if shared:
        rds().modify_db_cluster_snapshot_attribute(DBClusterSnapshotIdentifier=name,
                                                   AttributeName="restore",
                                                   ValuesToAdd=list(shared))
    return arn


def restore_of(name, cluster=False):
    if cluster:
        attrs = rds().describe_db_cluster_snapshot_attributes(DBClusterSnapshotIdentifier=name)[
            "DBClusterSnapshotAttributesResult"]["DBClusterSnapshotAttributes"]
    else:
        attrs = rds().describe_db_snapshot_attributes(DBSnapshotIdentifier=name)[
            "DBSnapshotAttributesResult"]["DBSnapshotAttributes"]
    return sorted(next((a["AttributeValues"] for a in attrs if a["AttributeName"] == "restore"),
                       []))


def rds1(arn, cluster=False):
    return finding("RDS.1", "AwsRdsDbClusterSnapshot" if cluster else "AwsRdsDbSnapshot", arn)


def public_snapshot_made_private_account_kept_then_undo(cluster):
    def run_check():
        name = "rds1-c-main" if cluster else "rds1-main"
        make = cluster_snapshot if cluster else db_snapshot
        arn = make(name, ["all", OTHER])
        expect(restore_of(name, cluster) == sorted(["all", OTHER]), "setup")
        dry = remediate(rds1(arn, cluster), "--dry-run")
        expect_outcome(dry, "DRY_RUN")
        expect_no_mutating_call(dry)
        expect(restore_of(name, cluster) == sorted(["all", OTHER]), "dry run changed sharing")

        run = remediate(rds1(arn, cluster))
        expect(run.code == 0, run)
        expect_outcome(run, "SUCCESS")
        rec = run.record()
        want = "rds:ModifyDBClusterSnapshotAttribute" if cluster else "rds:ModifyDBSnapshotAttribute"
        expect([c["action"] for c in rec["plan"]["changes"]] == [want], rec["plan"])
        expect(rec["verify"]["compliant"] is True, rec)
        expect(all(c["region"] == REGION for c in run.calls()), run.calls())
        expect(restore_of(name, cluster) == [OTHER], restore_of(name, cluster))

        again = remediate(rds1(arn, cluster))
        expect_outcome(again, "ALREADY_COMPLIANT")
        expect_no_mutating_call(again)
        expect(restore_of(name, cluster) == [OTHER], restore_of(name, cluster))

        u = undo(run.record_path())
        expect(u.code == 0, u)
        expect(u.out["record"]["outcome"] == "UNDONE", u)
        expect(restore_of(name, cluster) == sorted(["all", OTHER]), restore_of(name, cluster))
        expect(undo(run.record_path()).code == 5, "second undo should be refused")
    return run_check


def private_snapshots_are_compliant():
    for cluster, name, shared in [(False, "rds1-private", ()), (False, "rds1-shared", [OTHER]),
                                  (True, "rds1-c-private", ())]:
        arn = (cluster_snapshot if cluster else db_snapshot)(name, shared)
        run = remediate(rds1(arn, cluster))
        expect_outcome(run, "ALREADY_COMPLIANT")
        expect_no_mutating_call(run)
        expect(restore_of(name, cluster) == sorted(shared), restore_of(name, cluster))


def missing_snapshot_is_not_found():
    arn = f"arn:aws:rds:{REGION}:{MEMBER}:snapshot:rds1-missing"
    run = remediate(rds1(arn))
    expect(run.code == 5, run)
    expect_outcome(run, "FAILED")
    err = run.record()["error"]
    expect(err["code"] == "NOT_FOUND" and not err["retryable"], err)
    expect_no_mutating_call(run)


def resources_that_do_not_fit_fail_in_resolve():
    arn = db_snapshot("rds1-fit", ["all"])
    for rtype, rid, words in [
            ("AwsRdsDbClusterSnapshot", arn, "resource type is AwsRdsDbClusterSnapshot"),
            ("AwsRdsDbSnapshot", f"arn:aws:rds:{REGION}:{MEMBER}:db:rds1-db", "snapshot:"),
            ("AwsRdsDbClusterSnapshot",
             f"arn:aws:rds:{REGION}:{MEMBER}:dbclustersnapshot:rds:database-1-2021-10-27-04-10",
             "snapshot:"),
            ("AwsRdsDbSnapshot", f"arn:aws:ec2:{REGION}:{MEMBER}:snapshot:snap-0123",
             "not a rds ARN")]:
        run = remediate(finding("RDS.1", rtype, rid))
        expect(run.code == 5, run)
        expect_outcome(run, "FAILED")
        rec = run.record()
        expect(rec["failed_phase"] == "resolve", rec)
        expect(words in rec["error"]["message"], rec["error"])
        expect(rec["calls"] == [], rec["calls"])
    expect(restore_of("rds1-fit") == ["all"], "a refused run changed sharing")


check("RDS.1: public DB snapshot made private (account share kept); dry run; rerun; undo",
      public_snapshot_made_private_account_kept_then_undo(cluster=False))
check("RDS.1: public DB cluster snapshot made private (account share kept); dry run; rerun; undo",
      public_snapshot_made_private_account_kept_then_undo(cluster=True))
check("RDS.1: private and account-shared snapshots are compliant", private_snapshots_are_compliant)
check("RDS.1: a missing snapshot is a clear, non-retryable failure", missing_snapshot_is_not_found)
check("RDS.1: resources that are not snapshots fail in resolve with no AWS call",
      resources_that_do_not_fit_fail_in_resolve)
main()
