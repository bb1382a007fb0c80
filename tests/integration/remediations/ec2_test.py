#!/usr/bin/env python3
"""The EC2 remediations against moto: RemoveVPCDefaultSecurityGroupRules (EC2.2),
DisablePublicAccessForSecurityGroup (EC2.13/EC2.14), MakeEBSSnapshotsPrivate (EC2.1),
EnableEbsEncryptionByDefault (EC2.7), DisablePublicIPAutoAssign (EC2.15) and EnableVPCFlowLogs
(EC2.6). boto3 creates the insecure resources in the member account and checks them afterwards.

moto gaps (covered by src/remediations/ec2/ec2_test.cc with a scripted transport):
  * DescribeSnapshots ignores OwnerIds and RestorableByUserIds (it lists every snapshot, including
    the ~1200 of its built-in AMIs owned by other accounts); asr confirms each candidate with
    DescribeSnapshotAttribute and skips foreign snapshots, which these tests exercise.
  * RevokeSecurityGroupIngress never answers 200 with UnknownIpPermissions (real EC2 may).
  * CreateFlowLogs reports FlowLogAlreadyExists as an error, real EC2 in Unsuccessful.

Run through run_with_moto.py:  ec2_test.py PATH/TO/asr
"""
import json

from harness import (MEMBER, OTHER_MEMBER, REGION, check, client, custom_action_event, expect,
                     expect_no_mutating_call, expect_outcome, finding, main, remediate, undo)


def ec2(region=REGION):
    return client("ec2", region=region)


def arn(kind, resource_id, region=REGION, account=MEMBER):
    return f"arn:aws:ec2:{region}:{account}:{kind}/{resource_id}"


def expect_failed(run, phase, code=None, text=None):
    expect(run.code == 5, f"exit {run.code}: {run!r}")
    expect_outcome(run, "FAILED")
    rec = run.record()
    expect(rec["failed_phase"] == phase, f"failed in {rec.get('failed_phase')}, want {phase}: {rec}")
    if code is not None:
        expect(rec["error"]["code"] == code, rec["error"])
    if text is not None:
        expect(text in rec["error"]["message"], f"{text!r} not in {rec['error']['message']!r}")
    expect_no_mutating_call(run)
    return rec


# --- security groups -------------------------------------------------------------------------

def new_vpc():
    return ec2().create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def default_group(vpc):
    groups = ec2().describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    expect(len(groups) == 1, groups)
    return groups[0]["GroupId"]


def group(group_id):
    return ec2().describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]


def rules(group_id, key="IpPermissions"):
    """The group's rules as a set of (protocol, from, to, source, description) tuples."""
    out = set()
    for p in group(group_id)[key]:
        base = (p["IpProtocol"], p.get("FromPort"), p.get("ToPort"))
        for r in p.get("IpRanges", []):
            out.add(base + (r["CidrIp"], r.get("Description")))
        for r in p.get("Ipv6Ranges", []):
            out.add(base + (r["CidrIpv6"], r.get("Description")))
        for r in p.get("PrefixListIds", []):
            out.add(base + (r["PrefixListId"], r.get("Description")))
        for r in p.get("UserIdGroupPairs", []):
            out.add(base + (r["GroupId"], r.get("Description")))
    return out


def tcp(port_from, port_to, cidr=None, cidr6=None, description=None, group_id=None):
    p = {"IpProtocol": "tcp", "FromPort": port_from, "ToPort": port_to}
    if cidr:
        p["IpRanges"] = [dict({"CidrIp": cidr}, **({"Description": description} if description
                                                   else {}))]
    if cidr6:
        p["Ipv6Ranges"] = [dict({"CidrIpv6": cidr6}, **({"Description": description}
                                                       if description else {}))]
    if group_id:
        p["UserIdGroupPairs"] = [dict({"GroupId": group_id}, **({"Description": description}
                                                               if description else {}))]
    return p


def insecure_default_group():
    """A new VPC whose default group has ingress and egress rules of every source kind."""
    vpc = new_vpc()
    sg = default_group(vpc)
    ec2().authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": sg, "Description": "self"}]},
        tcp(22, 22, cidr="10.1.0.0/16", description="admin net"),
        tcp(443, 443, cidr6="::/0"),
    ])
    ec2().authorize_security_group_egress(GroupId=sg, IpPermissions=[
        tcp(5432, 5432, cidr="10.2.0.0/16", description="db")])
    return vpc, sg


def sg2(group_id, control="EC2.2", region=REGION, account=MEMBER):
    return finding(control, "AwsEc2SecurityGroup", arn("security-group", group_id, region, account))


def default_group_rules_are_all_revoked_and_other_groups_untouched():
    vpc, sg = insecure_default_group()
    other = ec2().create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    ec2().authorize_security_group_ingress(GroupId=other, IpPermissions=[
        tcp(22, 22, cidr="0.0.0.0/0", description="keep me")])
    other_before = (rules(other), rules(other, "IpPermissionsEgress"))
    expect(len(rules(sg)) == 3 and len(rules(sg, "IpPermissionsEgress")) == 2, group(sg))

    run = remediate(custom_action_event(sg2(sg)))
    expect(run.code == 0, run)
    expect_outcome(run, "SUCCESS")
    rec = run.record()
    actions = sorted(c["action"] for c in rec["plan"]["changes"])
    expect(actions == ["ec2:RevokeSecurityGroupEgress"] * 2 + ["ec2:RevokeSecurityGroupIngress"] * 3,
           actions)
    expect(rec["verify"]["compliant"] is True, rec["verify"])
    expect(rules(sg) == set() and rules(sg, "IpPermissionsEgress") == set(), group(sg))
    expect((rules(other), rules(other, "IpPermissionsEgress")) == other_before, group(other))
    expect(all(c["region"] == REGION for c in run.calls()), run.calls())


def empty_default_group_is_compliant_and_second_run_harmless():
    _, sg = insecure_default_group()
    expect_outcome(remediate(sg2(sg)), "SUCCESS")
    run = remediate(sg2(sg))
    expect(run.code == 0, run)
    expect_outcome(run, "ALREADY_COMPLIANT")
    expect_no_mutating_call(run)
    expect(rules(sg) == set() and rules(sg, "IpPermissionsEgress") == set(), group(sg))


def default_group_dry_run_changes_nothing():
    _, sg = insecure_default_group()
    before = (rules(sg), rules(sg, "IpPermissionsEgress"))
    run = remediate(sg2(sg), "--dry-run")
    expect(run.code == 0, run)
    expect_outcome(run, "DRY_RUN")
    expect_no_mutating_call(run)
    expect(len(run.record()["plan"]["changes"]) == 5, run.record()["plan"])
    expect((rules(sg), rules(sg, "IpPermissionsEgress")) == before, group(sg))


def default_group_undo_restores_every_rule_with_descriptions():
    _, sg = insecure_default_group()
    before = (rules(sg), rules(sg, "IpPermissionsEgress"))
    run = remediate(sg2(sg))
    expect_outcome(run, "SUCCESS")
    u = undo(run.record_path())
    expect(u.code == 0, u)
    expect(u.out["record"]["outcome"] == "UNDONE", u)
    after = (rules(sg), rules(sg, "IpPermissionsEgress"))
    expect(after == before, f"after undo {after}, before {before}")
    expect(("tcp", 22, 22, "10.1.0.0/16", "admin net") in after[0], after)


def non_default_group_is_refused_and_untouched():
    vpc = new_vpc()
    other = ec2().create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2().authorize_security_group_ingress(GroupId=other, IpPermissions=[tcp(80, 80, "0.0.0.0/0")])
    before = rules(other)
    run = remediate(sg2(other))
    expect_failed(run, "plan", "FAILED_PRECONDITION", 'not "default"')
    expect(rules(other) == before, group(other))


def security_group_resource_that_does_not_fit_fails_in_resolve():
    vpc = new_vpc()
    sg = default_group(vpc)
    for name, resource_id, text in [
        ("vpc arn", arn("vpc", vpc), "security-group/..."),
        ("not an arn", sg, "is not an ARN"),
    ]:
        f = finding("EC2.2", "AwsEc2SecurityGroup", resource_id)
        run = remediate(f)
        rec = expect_failed(run, "resolve", "INVALID_ARGUMENT", text)
        expect(rec["calls"] == [], f"{name}: {rec['calls']}")
    # The target's region comes from the resource ARN: a group ARN of another region is looked up
    # there (and not found), never in the finding's region.
    run = remediate(finding("EC2.2", "AwsEc2SecurityGroup",
                            arn("security-group", sg, region="eu-west-1")))
    rec = expect_failed(run, "plan", "NOT_FOUND")
    expect(all(c["region"] == "eu-west-1" for c in rec["calls"]), rec["calls"])


def missing_security_group_is_a_clear_failure():
    run = remediate(sg2("sg-0123456789abcdef0"))
    rec = expect_failed(run, "plan", "NOT_FOUND")
    expect(not rec["error"]["retryable"], rec["error"])


# --- public SSH/RDP -------------------------------------------------------------------------

def open_admin_group():
    vpc = new_vpc()
    sg = ec2().create_security_group(GroupName="admin-open", Description="x", VpcId=vpc)["GroupId"]
    ec2().authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        tcp(22, 22, cidr="0.0.0.0/0", description="ssh from anywhere"),
        tcp(3389, 3389, cidr6="::/0", description="rdp v6"),
        tcp(0, 65535, cidr="0.0.0.0/0"),
        {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0", "Description": "everything"}]},
        # Kept: narrower source, other ports, UDP, security group source.
        tcp(22, 22, cidr="10.0.0.0/8", description="office"),
        tcp(443, 443, cidr="0.0.0.0/0", description="https"),
        {"IpProtocol": "udp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        tcp(3389, 3389, group_id=sg, description="self"),
    ])
    return sg


KEPT = {("tcp", 22, 22, "10.0.0.0/8", "office"), ("tcp", 443, 443, "0.0.0.0/0", "https"),
        ("udp", 22, 22, "0.0.0.0/0", None)}


def public_admin_rules_are_revoked_and_others_kept():
    sg = open_admin_group()
    egress_before = rules(sg, "IpPermissionsEgress")
    run = remediate(sg2(sg, control="EC2.13"))
    expect(run.code == 0, run)
    expect_outcome(run, "SUCCESS")
    changes = run.record()["plan"]["changes"]
    expect(len(changes) == 4, [c["summary"] for c in changes])
    expect(all(c["action"] == "ec2:RevokeSecurityGroupIngress" for c in changes), changes)
    expect(any("not split" in c["summary"] for c in changes), [c["summary"] for c in changes])
    after = rules(sg)
    self_rule = ("tcp", 3389, 3389, sg, "self")
    expect(after == KEPT | {self_rule}, f"left: {after}")
    expect(rules(sg, "IpPermissionsEgress") == egress_before, group(sg))


def ec2_14_finding_uses_the_same_remediation_and_second_run_is_harmless():
    sg = open_admin_group()
    run = remediate(sg2(sg, control="EC2.14"))
    expect_outcome(run, "SUCCESS")
    expect(run.record()["remediation"] == "DisablePublicAccessForSecurityGroup", run.record())
    again = remediate(sg2(sg, control="EC2.14"))
    expect_outcome(again, "ALREADY_COMPLIANT")
    expect_no_mutating_call(again)


def group_without_public_admin_rules_is_compliant():
    vpc = new_vpc()
    sg = ec2().create_security_group(GroupName="fine", Description="x", VpcId=vpc)["GroupId"]
    ec2().authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        tcp(443, 443, cidr="0.0.0.0/0"), tcp(22, 22, cidr="192.168.0.0/16"),
        tcp(23, 3388, cidr="0.0.0.0/0")])
    before = rules(sg)
    run = remediate(sg2(sg, control="EC2.13"))
    expect_outcome(run, "ALREADY_COMPLIANT")
    expect_no_mutating_call(run)
    expect(rules(sg) == before, group(sg))


def public_admin_dry_run_changes_nothing():
    sg = open_admin_group()
    before = rules(sg)
    run = remediate(sg2(sg, control="EC2.13"), "--dry-run")
    expect_outcome(run, "DRY_RUN")
    expect_no_mutating_call(run)
    expect(rules(sg) == before, group(sg))


def public_admin_undo_restores_exactly_the_revoked_rules():
    sg = open_admin_group()
    before = rules(sg)
    run = remediate(sg2(sg, control="EC2.13"))
    expect_outcome(run, "SUCCESS")
    u = undo(run.record_path())
    expect(u.code == 0, u)
    expect(len(u.out["record"]["undone"]) == 4, u.out["record"]["undone"])
    expect(rules(sg) == before, f"after undo {rules(sg)}, before {before}")
    # Undo again: the record is UNDONE, so it is refused, and nothing changes.
    again = undo(run.record_path())
    expect(again.code == 5, again)
    expect(rules(sg) == before, rules(sg))


def public_admin_resource_that_does_not_fit_fails_in_resolve():
    subnet_arn = arn("subnet", "subnet-0123456789abcdef0")
    run = remediate(finding("EC2.13", "AwsEc2SecurityGroup", subnet_arn))
    rec = expect_failed(run, "resolve", "INVALID_ARGUMENT", "security-group/...")
    expect(rec["calls"] == [], rec["calls"])


# --- EBS snapshots ---------------------------------------------------------------------------

def account_finding(control, region=REGION, resource_account=MEMBER):
    return finding(control, "AwsAccount", f"AWS::::Account:{resource_account}", region=region)


_volume = None


def snapshot(description, groups=(), users=()):
    global _volume
    if _volume is None:
        _volume = ec2().create_volume(AvailabilityZone=f"{REGION}a", Size=1)["VolumeId"]
    sid = ec2().create_snapshot(VolumeId=_volume, Description=description)["SnapshotId"]
    if groups or users:
        kwargs = {"GroupNames": list(groups)} if groups else {}
        if users:
            kwargs["UserIds"] = list(users)
        ec2().modify_snapshot_attribute(SnapshotId=sid, Attribute="createVolumePermission",
                                        OperationType="add", **kwargs)
    return sid


def sharing(sid):
    perms = ec2().describe_snapshot_attribute(SnapshotId=sid, Attribute="createVolumePermission")
    return {p.get("Group") or p.get("UserId") for p in perms["CreateVolumePermissions"]}


def snapshots_compliant_account_is_already_compliant():
    # Only private snapshots of the account (and moto's built-in AMI snapshots of other owners).
    private = snapshot("private one")
    run = remediate(account_finding("EC2.1"))
    expect(run.code == 0, run)
    expect_outcome(run, "ALREADY_COMPLIANT")
    expect_no_mutating_call(run)
    expect(sharing(private) == set(), sharing(private))


def public_snapshots_made_private_sharing_with_accounts_kept_and_undone():
    public_shared = snapshot("public and shared", groups=["all"], users=[OTHER_MEMBER])
    public = snapshot("public", groups=["all"])
    shared = snapshot("shared with one account", users=[OTHER_MEMBER])

    dry = remediate(account_finding("EC2.1"), "--dry-run")
    expect_outcome(dry, "DRY_RUN")
    expect_no_mutating_call(dry)
    planned = sorted(c["detail"]["SnapshotId"] for c in dry.record()["plan"]["changes"])
    expect(planned == sorted([public_shared, public]), planned)
    expect("all" in sharing(public), "dry run changed the snapshot")

    run = remediate(account_finding("EC2.1"))
    expect(run.code == 0, run)
    expect_outcome(run, "SUCCESS")
    expect(sharing(public_shared) == {OTHER_MEMBER}, sharing(public_shared))
    expect(sharing(public) == set(), sharing(public))
    expect(sharing(shared) == {OTHER_MEMBER}, sharing(shared))

    again = remediate(account_finding("EC2.1"))
    expect_outcome(again, "ALREADY_COMPLIANT")
    expect_no_mutating_call(again)

    u = undo(run.record_path())
    expect(u.code == 0, u)
    expect(sharing(public_shared) == {"all", OTHER_MEMBER}, sharing(public_shared))
    expect(sharing(public) == {"all"}, sharing(public))
    expect(sharing(shared) == {OTHER_MEMBER}, sharing(shared))
    # Leave the region compliant for the other checks.
    expect_outcome(remediate(account_finding("EC2.1")), "SUCCESS")


def account_finding_for_another_account_is_refused():
    # Routing refuses it before any remediation runs (the resolve-level check is unit-tested).
    run = remediate(account_finding("EC2.1", resource_account=OTHER_MEMBER))
    expect(run.code == 5, run)
    expect(run.result()["decision"] == "SKIP" and run.result()["reason"] == "ACCOUNT_MISMATCH",
           run)


# --- EBS encryption by default ---------------------------------------------------------------

def ebs_default(region):
    return ec2(region).get_ebs_encryption_by_default()["EbsEncryptionByDefault"]


def ebs_encryption_turned_on_verified_and_undone():
    expect(ebs_default(REGION) is False and ebs_default("eu-west-1") is False, "setup")
    run = remediate(account_finding("EC2.7"))
    expect(run.code == 0, run)
    expect_outcome(run, "SUCCESS")
    expect(ebs_default(REGION) is True, "not enabled")
    expect(ebs_default("eu-west-1") is False, "another region was changed")
    again = remediate(account_finding("EC2.7"))
    expect_outcome(again, "ALREADY_COMPLIANT")
    expect_no_mutating_call(again)
    u = undo(run.record_path())
    expect(u.code == 0, u)
    expect(ebs_default(REGION) is False, "undo did not turn it off")


def ebs_encryption_already_on_is_compliant():
    ec2("us-east-2").enable_ebs_encryption_by_default()
    run = remediate(account_finding("EC2.7", region="us-east-2"))
    expect_outcome(run, "ALREADY_COMPLIANT")
    expect_no_mutating_call(run)
    expect(ebs_default("us-east-2") is True, "changed")


def ebs_encryption_dry_run_changes_nothing():
    run = remediate(account_finding("EC2.7", region="eu-west-1"), "--dry-run")
    expect_outcome(run, "DRY_RUN")
    expect_no_mutating_call(run)
    expect(ebs_default("eu-west-1") is False, "dry run enabled it")


# --- subnets ---------------------------------------------------------------------------------

def public_subnet(cidr):
    vpc = new_vpc()
    sid = ec2().create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"]
    ec2().modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})
    return sid


def map_public(sid):
    return ec2().describe_subnets(SubnetIds=[sid])["Subnets"][0]["MapPublicIpOnLaunch"]


def subnet_finding(sid, region=REGION):
    return finding("EC2.15", "AwsEc2Subnet", arn("subnet", sid, region=region))


def subnet_auto_assign_turned_off_others_untouched_and_undone():
    sid = public_subnet("10.0.1.0/24")
    other = public_subnet("10.0.2.0/24")
    run = remediate(subnet_finding(sid))
    expect(run.code == 0, run)
    expect_outcome(run, "SUCCESS")
    expect(map_public(sid) is False, "still public")
    expect(map_public(other) is True, "another subnet was changed")
    again = remediate(subnet_finding(sid))
    expect_outcome(again, "ALREADY_COMPLIANT")
    expect_no_mutating_call(again)
    u = undo(run.record_path())
    expect(u.code == 0, u)
    expect(map_public(sid) is True, "undo did not turn it back on")


def private_subnet_is_compliant():
    vpc = new_vpc()
    sid = ec2().create_subnet(VpcId=vpc, CidrBlock="10.0.3.0/24")["Subnet"]["SubnetId"]
    run = remediate(subnet_finding(sid))
    expect_outcome(run, "ALREADY_COMPLIANT")
    expect_no_mutating_call(run)


def subnet_dry_run_changes_nothing():
    sid = public_subnet("10.0.4.0/24")
    run = remediate(subnet_finding(sid), "--dry-run")
    expect_outcome(run, "DRY_RUN")
    expect_no_mutating_call(run)
    expect(map_public(sid) is True, "dry run changed it")


def subnet_resource_that_does_not_fit_fails():
    run = remediate(finding("EC2.15", "AwsEc2Subnet", arn("security-group", "sg-0123456789abcdef0")))
    rec = expect_failed(run, "resolve", "INVALID_ARGUMENT", "subnet/...")
    expect(rec["calls"] == [], rec["calls"])
    missing = remediate(subnet_finding("subnet-0123456789abcdef0"))
    expect_failed(missing, "plan", "NOT_FOUND")


# --- VPC flow logs ---------------------------------------------------------------------------

ROLE = "SO0111-EnableVPCFlowLogs-remediationRole-test"
ROLE_ARN = f"arn:aws:iam::{MEMBER}:role/{ROLE}"
_role_made = False


def delivery_role():
    global _role_made
    if not _role_made:
        client("iam").create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}}]}))
        _role_made = True
    return ROLE


def flow_logs(vpc):
    return ec2().describe_flow_logs(
        Filters=[{"Name": "resource-id", "Values": [vpc]}])["FlowLogs"]


def log_group(name):
    groups = client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return next((g for g in groups if g["logGroupName"] == name), None)


def vpc6(vpc):
    return finding("EC2.6", "AwsEc2Vpc", arn("vpc", vpc))


def flow_log_created_verified_and_undone_log_group_kept():
    role = delivery_role()
    vpc = new_vpc()
    run = remediate(custom_action_event(vpc6(vpc)), "--param", f"RemediationRole={role}")
    expect(run.code == 0, run)
    expect_outcome(run, "SUCCESS")
    actions = [c["action"] for c in run.record()["applied"]["changes"]]
    expect(actions == ["logs:CreateLogGroup", "ec2:CreateFlowLogs"], actions)
    logs = flow_logs(vpc)
    expect(len(logs) == 1, logs)
    fl = logs[0]
    expect(fl["TrafficType"] == "REJECT" and fl["LogDestinationType"] == "cloud-watch-logs", fl)
    expect(fl["LogGroupName"] == f"VPCFlowLogs/{vpc}", fl)
    expect(fl["DeliverLogsPermissionArn"] == ROLE_ARN, fl)
    expect(fl["FlowLogStatus"] == "ACTIVE", fl)
    # The log group existed when the flow log was created (moto marks delivery FAILED otherwise).
    expect(fl["DeliverLogsStatus"] == "SUCCESS", fl)
    expect(log_group(f"VPCFlowLogs/{vpc}") is not None, "no log group")

    again = remediate(vpc6(vpc), "--param", f"RemediationRole={role}")
    expect_outcome(again, "ALREADY_COMPLIANT")
    expect_no_mutating_call(again)
    expect(len(flow_logs(vpc)) == 1, flow_logs(vpc))

    u = undo(run.record_path())
    expect(u.code == 0, u)
    expect(flow_logs(vpc) == [], flow_logs(vpc))
    expect(log_group(f"VPCFlowLogs/{vpc}") is not None, "undo deleted the log group")


def role_arn_and_existing_log_group_with_kms_key():
    delivery_role()
    vpc = new_vpc()
    client("logs").create_log_group(logGroupName=f"VPCFlowLogs/{vpc}")
    run = remediate(vpc6(vpc), "--param", f"RemediationRole={ROLE_ARN}")
    expect_outcome(run, "SUCCESS")
    actions = [c["action"] for c in run.record()["applied"]["changes"]]
    expect(actions == ["ec2:CreateFlowLogs"], actions)
    expect(run.record()["applied"]["before"]["LogGroupCreated"] is False, run.record())

    key = client("kms").create_key()["KeyMetadata"]["Arn"]
    vpc2 = new_vpc()
    run2 = remediate(vpc6(vpc2), "--param", f"RemediationRole={ROLE}", "--param",
                     f"KMSKeyArn={key}")
    expect_outcome(run2, "SUCCESS")
    expect(log_group(f"VPCFlowLogs/{vpc2}").get("kmsKeyId") == key, log_group(f"VPCFlowLogs/{vpc2}"))


def vpc_with_active_flow_log_is_compliant_and_accept_only_is_not():
    delivery_role()
    vpc = new_vpc()
    ec2().create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL",
                           LogDestinationType="cloud-watch-logs", LogGroupName="existing-all",
                           DeliverLogsPermissionArn=ROLE_ARN)
    run = remediate(vpc6(vpc))  # no RemediationRole needed when nothing is to be created
    expect(run.code == 0, run)
    expect_outcome(run, "ALREADY_COMPLIANT")
    expect_no_mutating_call(run)
    expect(len(flow_logs(vpc)) == 1, flow_logs(vpc))

    accept_only = new_vpc()
    ec2().create_flow_logs(ResourceIds=[accept_only], ResourceType="VPC", TrafficType="ACCEPT",
                           LogDestinationType="cloud-watch-logs", LogGroupName="existing-accept",
                           DeliverLogsPermissionArn=ROLE_ARN)
    run2 = remediate(vpc6(accept_only), "--param", f"RemediationRole={ROLE}")
    expect_outcome(run2, "SUCCESS")
    kinds = sorted(fl["TrafficType"] for fl in flow_logs(accept_only))
    expect(kinds == ["ACCEPT", "REJECT"], kinds)


def flow_logs_dry_run_changes_nothing():
    delivery_role()
    vpc = new_vpc()
    run = remediate(vpc6(vpc), "--dry-run", "--param", f"RemediationRole={ROLE}")
    expect(run.code == 0, run)
    expect_outcome(run, "DRY_RUN")
    expect_no_mutating_call(run)
    actions = [c["action"] for c in run.record()["plan"]["changes"]]
    expect(actions == ["logs:CreateLogGroup", "ec2:CreateFlowLogs"], actions)
    expect(flow_logs(vpc) == [] and log_group(f"VPCFlowLogs/{vpc}") is None, "dry run changed")


def flow_logs_without_usable_role_fail_in_plan():
    vpc = new_vpc()
    expect_failed(remediate(vpc6(vpc)), "plan", "INVALID_ARGUMENT", "RemediationRole")
    expect_failed(remediate(vpc6(vpc), "--param", "RemediationRole=no-such-role"), "plan",
                  "FAILED_PRECONDITION", "does not exist")
    expect_failed(remediate(vpc6(vpc), "--param",
                            "RemediationRole=arn:aws:iam::999999999999:role/x"),
                  "plan", "INVALID_ARGUMENT", "not the finding's")
    expect(flow_logs(vpc) == [] and log_group(f"VPCFlowLogs/{vpc}") is None, "something changed")


def flow_logs_resource_that_does_not_fit_fails():
    run = remediate(finding("EC2.6", "AwsEc2Vpc", arn("subnet", "subnet-0123456789abcdef0")))
    rec = expect_failed(run, "resolve", "INVALID_ARGUMENT", "vpc/...")
    expect(rec["calls"] == [], rec["calls"])
    missing = remediate(vpc6("vpc-0123456789abcdef0"), "--param", f"RemediationRole={ROLE}")
    expect_failed(missing, "plan", "NOT_FOUND")


check("EC2.2: custom action empties the default group; other groups untouched",
      default_group_rules_are_all_revoked_and_other_groups_untouched)
check("EC2.2: an empty default group is compliant; a second run is harmless",
      empty_default_group_is_compliant_and_second_run_harmless)
check("EC2.2: dry run changes nothing", default_group_dry_run_changes_nothing)
check("EC2.2: undo restores every rule with its description",
      default_group_undo_restores_every_rule_with_descriptions)
check("EC2.2: a group not named default is refused and untouched",
      non_default_group_is_refused_and_untouched)
check("EC2.2: resources that do not fit fail in resolve with no AWS call",
      security_group_resource_that_does_not_fit_fails_in_resolve)
check("EC2.2: a missing group is a clear, non-retryable failure",
      missing_security_group_is_a_clear_failure)
check("EC2.13: world-open SSH/RDP rules revoked (ranges and all-protocol too), others kept",
      public_admin_rules_are_revoked_and_others_kept)
check("EC2.14: same remediation; second run harmless",
      ec2_14_finding_uses_the_same_remediation_and_second_run_is_harmless)
check("EC2.13: a group without world-open SSH/RDP is compliant",
      group_without_public_admin_rules_is_compliant)
check("EC2.13: dry run changes nothing", public_admin_dry_run_changes_nothing)
check("EC2.13: undo restores exactly the revoked rules; a second undo is refused",
      public_admin_undo_restores_exactly_the_revoked_rules)
check("EC2.13: a resource that does not fit fails in resolve",
      public_admin_resource_that_does_not_fit_fails_in_resolve)
check("EC2.1: an account with only private snapshots is compliant",
      snapshots_compliant_account_is_already_compliant)
check("EC2.1: dry run, apply (account sharing kept), rerun, undo",
      public_snapshots_made_private_sharing_with_accounts_kept_and_undone)
check("EC2.1: an account finding naming another account is refused",
      account_finding_for_another_account_is_refused)
check("EC2.7: encryption by default turned on in the finding's region only, rerun, undo",
      ebs_encryption_turned_on_verified_and_undone)
check("EC2.7: already on is compliant", ebs_encryption_already_on_is_compliant)
check("EC2.7: dry run changes nothing", ebs_encryption_dry_run_changes_nothing)
check("EC2.15: auto-assign turned off, other subnets untouched, rerun, undo",
      subnet_auto_assign_turned_off_others_untouched_and_undone)
check("EC2.15: a private subnet is compliant", private_subnet_is_compliant)
check("EC2.15: dry run changes nothing", subnet_dry_run_changes_nothing)
check("EC2.15: resources that do not fit, or do not exist, fail clearly",
      subnet_resource_that_does_not_fit_fails)
check("EC2.6: flow log created (log group first), rerun, undo keeps the log group",
      flow_log_created_verified_and_undone_log_group_kept)
check("EC2.6: role ARN, existing log group, KMS key for a new group",
      role_arn_and_existing_log_group_with_kms_key)
check("EC2.6: an ACTIVE ALL flow log is compliant; an ACCEPT-only one is not",
      vpc_with_active_flow_log_is_compliant_and_accept_only_is_not)
check("EC2.6: dry run changes nothing", flow_logs_dry_run_changes_nothing)
check("EC2.6: no, missing or foreign delivery role fails in plan before any change",
      flow_logs_without_usable_role_fail_in_plan)
check("EC2.6: resources that do not fit, or do not exist, fail clearly",
      flow_logs_resource_that_does_not_fit_fails)
main()
