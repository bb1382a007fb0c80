#!/usr/bin/env python3
"""`asr aws call` against moto for every protocol, with boto3 as the independent checker.

Run through run_with_moto.py:  aws_call_cli_test.py PATH/TO/asr
Prints one line per check and a closing "N passed, N failed" line; exits 1 on any failure.
"""
import io
import json
import os
import subprocess
import sys
import zipfile

import boto3

ASR = sys.argv[1]
ENDPOINT = os.environ["MOTO_ENDPOINT"]
results = {"passed": 0, "failed": 0}


def asr(*args, expect_ok=True):
    proc = subprocess.run([ASR, "aws", "call", *args], capture_output=True, text=True, timeout=60)
    if expect_ok and proc.returncode != 0:
        raise AssertionError(f"asr {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    if not expect_ok and proc.returncode == 0:
        raise AssertionError(f"asr {' '.join(args)} unexpectedly succeeded: {proc.stdout}")
    return json.loads(proc.stdout) if expect_ok else proc.stderr


def boto(service):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name="us-east-1")


def check(name, fn):
    try:
        fn()
        results["passed"] += 1
        print(f"PASS {name}")
    except Exception as e:  # report and go on to the next check
        results["failed"] += 1
        print(f"FAIL {name}: {e}")


def query_protocol():
    out = asr("iam", "CreateUser", "--params", '{"UserName": "cli-user"}')
    assert out["User"]["UserName"] == "cli-user", out
    names = [u["UserName"] for u in boto("iam").list_users()["Users"]]
    assert "cli-user" in names, names


def ec2_protocol():
    vpc = boto("ec2").create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    sg = boto("ec2").create_security_group(GroupName="cli-sg", Description="d", VpcId=vpc)["GroupId"]
    boto("ec2").authorize_security_group_ingress(
        GroupId=sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389,
                                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    params = {"GroupId": sg, "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 3389,
                                                "ToPort": 3389,
                                                "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}
    asr("ec2", "RevokeSecurityGroupIngress", "--params", json.dumps(params))
    perms = boto("ec2").describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissions"]
    assert perms == [], perms


def json_protocol():
    boto("logs").create_log_group(logGroupName="cli-group")
    out = asr("logs", "DescribeLogGroups", "--params", '{"logGroupNamePrefix": "cli-"}')
    assert [g["logGroupName"] for g in out["logGroups"]] == ["cli-group"], out
    asr("logs", "PutRetentionPolicy", "--params",
        '{"logGroupName": "cli-group", "retentionInDays": 365}')
    got = boto("logs").describe_log_groups(logGroupNamePrefix="cli-")["logGroups"][0]
    assert got.get("retentionInDays") == 365, got


def rest_json_protocol():
    role = boto("iam").create_role(RoleName="cli-fn-role", AssumeRolePolicyDocument="{}")
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return 1\n")
    boto("lambda").create_function(FunctionName="cli-fn", Runtime="python3.11",
                                   Role=role["Role"]["Arn"], Handler="index.handler",
                                   Code={"ZipFile": code.getvalue()})
    asr("lambda", "AddPermission", "--params", json.dumps({
        "FunctionName": "cli-fn", "StatementId": "public", "Action": "lambda:InvokeFunction",
        "Principal": "*"}))
    policy = json.loads(boto("lambda").get_policy(FunctionName="cli-fn")["Policy"])
    assert [st["Sid"] for st in policy["Statement"]] == ["public"], policy
    out = asr("lambda", "GetPolicy", "--params", '{"FunctionName": "cli-fn"}')
    assert json.loads(out["Policy"]) == policy, out
    asr("lambda", "RemovePermission", "--params",
        '{"FunctionName": "cli-fn", "StatementId": "public"}')
    try:
        left = json.loads(boto("lambda").get_policy(FunctionName="cli-fn")["Policy"])["Statement"]
    except boto("lambda").exceptions.ResourceNotFoundException:
        left = []
    assert left == [], left
    err = asr("lambda", "GetPolicy", "--params", '{"FunctionName": "nope"}', expect_ok=False)
    assert "ResourceNotFoundException" in err, err


def rest_xml_protocol():
    boto("s3").create_bucket(Bucket="cli-bucket")
    asr("s3", "PutPublicAccessBlock", "--params", json.dumps({
        "Bucket": "cli-bucket",
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                                           "BlockPublicPolicy": True,
                                           "RestrictPublicBuckets": True}}))
    got = boto("s3").get_public_access_block(Bucket="cli-bucket")["PublicAccessBlockConfiguration"]
    assert all(got.values()) and len(got) == 4, got
    out = asr("s3", "GetPublicAccessBlock", "--params", '{"Bucket": "cli-bucket"}')
    assert out["PublicAccessBlockConfiguration"] == got, out


def assume_role_and_paginate():
    out = asr("sts", "GetCallerIdentity", "--assume-role",
              "arn:aws:iam::333333333333:role/SO0111-ASR-Orchestrator-Member",
              "--session-name", "cli-job")
    assert out["Account"] == "333333333333", out
    for i in range(3):
        boto("logs").create_log_group(logGroupName=f"/cli/page/{i}")
    out = asr("logs", "DescribeLogGroups", "--params",
              '{"logGroupNamePrefix": "/cli/page/", "limit": 1}', "--paginate")
    names = [g["logGroupName"] for g in out["logGroups"]]
    assert names == ["/cli/page/0", "/cli/page/1", "/cli/page/2"], names


def bad_input():
    err = asr("s3", "PutPublicAccessBlock", "--params", '{"Bucket": "b", "Nope": 1}',
              expect_ok=False)
    assert "Nope" in err, err


for name, fn in [("query (iam)", query_protocol), ("ec2", ec2_protocol),
                 ("json (logs)", json_protocol), ("rest-json (lambda)", rest_json_protocol),
                 ("rest-xml (s3)", rest_xml_protocol),
                 ("assume role + paginate", assume_role_and_paginate),
                 ("parameter validation", bad_input)]:
    check(name, fn)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
