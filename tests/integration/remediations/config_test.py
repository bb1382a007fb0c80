#!/usr/bin/env python3
"""EnableAWSConfig (Config.1) against moto. Each scenario runs in an account of its own (the
remediation acts on the whole account and region).

What moto cannot show is covered by src/remediations/config/config_test.cc (scripted AWS):
service-linked recorders of other services, a missing custom role, AccessDenied and throttling.

Run through run_with_moto.py:  config_test.py PATH/TO/asr
"""
import json

from harness import (MEMBER, REGION, check, client, expect, expect_no_mutating_call,
                     expect_outcome, finding, main, remediate, skip, undo)

TOPIC = "SO0111-ASR-AWSConfigNotification"


def config1(account, region=REGION):
    return finding("Config.1", "AwsAccount", f"AWS::::Account:{account}", account=account,
                   region=region)


def recorders(account, region=REGION):
    return client("config", region=region, account=account).describe_configuration_recorders()[
        "ConfigurationRecorders"]


def recording(account, name="default", region=REGION):
    status = client("config", region=region,
                    account=account).describe_configuration_recorder_status()
    return {s["name"]: s["recording"] for s in status["ConfigurationRecordersStatus"]}.get(name)


def channels(account, region=REGION):
    return client("config", region=region, account=account).describe_delivery_channels()[
        "DeliveryChannels"]


def bucket_names(account):
    return {b["Name"] for b in client("s3", account=account).list_buckets()["Buckets"]}


def topic_arns(account, region=REGION):
    return {t["TopicArn"] for t in client("sns", region=region, account=account).list_topics()[
        "Topics"]}


def config_enabled_from_scratch():
    account = MEMBER
    log_bucket = f"so0111-accesslogs-{account}-{REGION}"
    config_bucket = f"so0111-aws-config-{REGION}-{account}"
    topic_arn = f"arn:aws:sns:{REGION}:{account}:{TOPIC}"

    dry = remediate(config1(account), "--dry-run")
    expect(dry.code == 0, dry)
    expect_outcome(dry, "DRY_RUN")
    expect_no_mutating_call(dry)
    actions = [c["action"] for c in dry.record()["plan"]["changes"]]
    expect(actions[0] == "iam:CreateServiceLinkedRole" and
           actions[-3:] == ["config:PutConfigurationRecorder", "config:PutDeliveryChannel",
                            "config:StartConfigurationRecorder"], actions)
    expect(recorders(account) == [] and channels(account) == [], "dry run changed Config")
    expect(bucket_names(account) == set() and topic_arns(account) == set(), "dry run made things")

    run = remediate(config1(account))
    expect(run.code == 0, run)
    expect_outcome(run, "SUCCESS")
    expect(run.record()["verify"]["compliant"] is True, run.record())
    rec = recorders(account)
    expect(len(rec) == 1 and rec[0]["name"] == "default", rec)
    expect(rec[0]["roleARN"] == f"arn:aws:iam::{account}:role/aws-service-role/"
           "config.amazonaws.com/AWSServiceRoleForConfig", rec)
    expect(rec[0]["recordingGroup"]["allSupported"] is True
           and rec[0]["recordingGroup"]["includeGlobalResourceTypes"] is True, rec)
    expect(recording(account) is True, "not recording")
    ch = channels(account)
    expect(len(ch) == 1 and ch[0]["name"] == "default" and ch[0]["s3BucketName"] == config_bucket
           and ch[0]["s3KeyPrefix"] == account and ch[0]["snsTopicARN"] == topic_arn, ch)
    expect(ch[0]["configSnapshotDeliveryProperties"]["deliveryFrequency"] == "Twelve_Hours", ch)

    # The service-linked role exists now (moto names it AWSServiceRoleForconfig).
    roles = client("iam", account=account).list_roles(
        PathPrefix="/aws-service-role/config.amazonaws.com/")["Roles"]
    expect(len(roles) == 1, roles)

    s3 = client("s3", account=account)
    for bucket in (log_bucket, config_bucket):
        pab = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        expect(all(pab.values()), (bucket, pab))
        enc = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        expect(enc["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256",
               (bucket, enc))
    policy = json.loads(s3.get_bucket_policy(Bucket=config_bucket)["Policy"])
    expect([s["Sid"] for s in policy["Statement"]] ==
           ["AWSConfigBucketPermissionsCheck", "AWSConfigBucketExistenceCheck",
            "AWSConfigBucketDelivery", "AllowSSLRequestsOnly"], policy)
    expect(policy["Statement"][2]["Resource"] ==
           f"arn:aws:s3:::{config_bucket}/{account}/AWSLogs/{account}/Config/*", policy)
    logging = s3.get_bucket_logging(Bucket=config_bucket)["LoggingEnabled"]
    expect(logging == {"TargetBucket": log_bucket,
                       "TargetPrefix": f"access-logs/{config_bucket}/"}, logging)
    topic_policy = json.loads(client("sns", account=account).get_topic_attributes(
        TopicArn=topic_arn)["Attributes"]["Policy"])
    statements = {s.get("Sid"): s for s in topic_policy["Statement"]}
    expect(statements["AWSConfigSNSPolicy"]["Principal"] == {"Service": "config.amazonaws.com"},
           topic_policy)
    expect(len(statements) >= 2, f"the topic's default statement was dropped: {topic_policy}")

    # Second run: compliant, no mutating call.
    again = remediate(config1(account))
    expect_outcome(again, "ALREADY_COMPLIANT")
    expect_no_mutating_call(again)

    # Undo: recorder stopped and deleted, channel deleted; buckets and topic kept.
    u = undo(run.record_path())
    expect(u.code == 0, u)
    expect(u.out["record"]["outcome"] == "UNDONE", u)
    expect(recorders(account) == [] and channels(account) == [], (recorders(account),
                                                                  channels(account)))
    expect({log_bucket, config_bucket} <= bucket_names(account), bucket_names(account))
    expect(topic_arn in topic_arns(account), topic_arns(account))

    # Running again converges: topic and buckets are right, only Config itself is set up again.
    rerun = remediate(config1(account))
    expect_outcome(rerun, "SUCCESS")
    ops = [c["operation"] for c in rerun.mutating_calls()]
    # moto names the service-linked role AWSServiceRoleForconfig, so GetRole does not find
    # AWSServiceRoleForConfig and CreateServiceLinkedRole is tried again (answered "exists").
    ops = [op for op in ops if op != "CreateServiceLinkedRole"]
    expect(ops == ["PutConfigurationRecorder", "PutDeliveryChannel",
                   "StartConfigurationRecorder"], ops)


def stopped_recorder_is_started_and_not_rewritten():
    account = "333333333333"
    cfg = client("config", account=account)
    s3 = client("s3", account=account)
    s3.create_bucket(Bucket="customer-config-bucket",
                     CreateBucketConfiguration={"LocationConstraint": REGION})
    group = {"allSupported": False, "includeGlobalResourceTypes": False,
             "resourceTypes": ["AWS::S3::Bucket"]}
    cfg.put_configuration_recorder(ConfigurationRecorder={
        "name": "customer", "roleARN": f"arn:aws:iam::{account}:role/customer-config",
        "recordingGroup": group})
    cfg.put_delivery_channel(DeliveryChannel={"name": "customer-channel",
                                              "s3BucketName": "customer-config-bucket"})
    run = remediate(config1(account))
    expect(run.code == 0, run)
    expect_outcome(run, "SUCCESS")
    ops = [c["operation"] for c in run.mutating_calls()]
    expect(ops == ["StartConfigurationRecorder"], ops)
    expect(recording(account, "customer") is True, "not recording")
    rec = recorders(account)
    expect(len(rec) == 1 and rec[0]["recordingGroup"]["resourceTypes"] == ["AWS::S3::Bucket"]
           and rec[0]["roleARN"].endswith("role/customer-config"), rec)
    expect(bucket_names(account) == {"customer-config-bucket"}, bucket_names(account))
    expect(topic_arns(account) == set(), topic_arns(account))

    dry = remediate(config1(account), "--dry-run")
    expect_outcome(dry, "ALREADY_COMPLIANT")
    expect_no_mutating_call(dry)

    u = undo(run.record_path())
    expect(u.code == 0, u)
    expect(recording(account, "customer") is False, "undo did not stop the recorder")
    expect(len(recorders(account)) == 1 and len(channels(account)) == 1, "undo deleted too much")


def custom_topic_name_and_kms_key():
    account = "444444444444"
    key = client("kms", account=account).create_key()["KeyMetadata"]["Arn"]
    run = remediate(config1(account), "--param", "SNSTopicName=my-config-topic", "--param",
                    f"KMSKeyArn={key}")
    expect(run.code == 0, run)
    expect_outcome(run, "SUCCESS")
    topic_arn = f"arn:aws:sns:{REGION}:{account}:my-config-topic"
    attrs = client("sns", account=account).get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    expect(attrs.get("KmsMasterKeyId") == key, attrs)
    expect(channels(account)[0]["snsTopicARN"] == topic_arn, channels(account))
    s3 = client("s3", account=account)
    enc = s3.get_bucket_encryption(Bucket=f"so0111-aws-config-{REGION}-{account}")[
        "ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    expect(enc == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}, enc)
    # The access-log bucket stays SSE-S3: S3 cannot deliver access logs into SSE-KMS buckets.
    enc = s3.get_bucket_encryption(Bucket=f"so0111-accesslogs-{account}-{REGION}")[
        "ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    expect(enc["SSEAlgorithm"] == "AES256", enc)


def regions_are_independent():
    account = "555555555555"
    expect_outcome(remediate(config1(account, region="eu-west-1")), "SUCCESS")
    # us-west-2 of the same account still has no recorder: Config.1 is per region.
    dry = remediate(config1(account), "--dry-run")
    expect_outcome(dry, "DRY_RUN")
    expect(recorders(account) == [], recorders(account))
    expect(len(recorders(account, region="eu-west-1")) == 1, "eu-west-1 recorder missing")


def bad_parameters_are_refused_before_any_change():
    account = "666666666666"
    run = remediate(config1(account), "--param", "SNSTopicName=not a topic")
    expect(run.code == 5, run)
    expect_outcome(run, "FAILED")
    expect(run.record()["error"]["code"] == "INVALID_ARGUMENT", run.record()["error"])
    expect_no_mutating_call(run)
    expect(recorders(account) == [], recorders(account))


def resource_that_does_not_fit():
    run = remediate(finding("Config.1", "AwsS3Bucket", "arn:aws:s3:::some-bucket"))
    expect(run.code == 5, run)
    expect_outcome(run, "FAILED")
    rec = run.record()
    expect(rec["failed_phase"] == "resolve", rec)
    expect("not AwsAccount" in rec["error"]["message"], rec["error"])
    expect(rec["calls"] == [], rec["calls"])


check("Config.1: dry run, set up from scratch, rerun, undo, converge",
      config_enabled_from_scratch)
check("Config.1: a stopped customer recorder is started, not rewritten; undo stops it",
      stopped_recorder_is_started_and_not_rewritten)
check("Config.1: SNSTopicName and KMSKeyArn are used", custom_topic_name_and_kms_key)
check("Config.1: each region is remediated on its own", regions_are_independent)
check("Config.1: a bad parameter fails before any change", bad_parameters_are_refused_before_any_change)
check("Config.1: a resource that is not an account fails in resolve with no call",
      resource_that_does_not_fit)
skip("Config.1: service-linked recorders of other services do not count",
     "moto does not implement service-linked configuration recorders; covered by "
     "EnableAWSConfigTest.ServiceLinkedRecordersDoNotCountAndMissingRoleIsCreated (C++)")
main()
