// EnableAWSConfig (Config.1): makes sure AWS Config records in the finding's account and region:
// a configuration recorder exists and is recording, and a delivery channel exists.
//
// Reference: ASR-EnableAWSConfig creates an SNS topic (SNSTopicName, KMS-encrypted, policy letting
// Config publish), runs the nested ASR-CreateAccessLoggingBucket for
// so0111-accesslogs-<account>-<region>, creates the Config bucket
// so0111-aws-config-<region>-<account> (encryption, public access block, access logging, policy
// for Config plus a TLS-only deny), puts a recorder (allSupported, includeGlobalResourceTypes,
// role AWSServiceRoleForConfig) - overwriting the recording group of an existing one - creates the
// delivery channel "default" (Twelve_Hours) when there is none and starts the recorder. Here:
//   * compliant = a customer-managed recorder (service-linked recorders of other AWS services do
//     not count) that is recording, and a delivery channel; then nothing is done;
//   * an existing recorder is never rewritten (its recording group is the owner's choice): it is
//     only started. A new one gets the reference's settings;
//   * the topic and buckets are only made when a delivery channel has to be created (nothing
//     else uses them); each is planned from what exists (common.h "Buckets"), so reruns converge;
//     the S3 calls are made directly instead of through a nested automation;
//   * the topic policy and bucket policies are merged by statement Sid (the reference replaced the
//     topic's whole policy, dropping the owner's default statement), and require
//     aws:SourceAccount;
//   * the service-linked role AWSServiceRoleForConfig is created when it is the configured role and
//     does not exist yet (the reference assumed it existed; PutConfigurationRecorder fails
//     without it);
//   * KMSKeyArn is optional: empty means the ASR member key from SSM
//     /Solutions/SO0111/CMK_REMEDIATION_ARN when it exists, else SSE-S3 for the bucket and no
//     SSE for the topic; the key policy must let Config use the key.
// Undo stops the recorder if this run started it, and deletes the delivery channel and the recorder
// if this run created them. The topic, the buckets and the role are kept (the buckets hold the
// configuration history delivered meanwhile).

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "common/strings.h"
#include "remediation/registry.h"
#include "remediation/resource.h"
#include "remediations/cloudtrail/common.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

constexpr std::string_view kDefaultName = "default";  // recorder and channel, as the reference
constexpr std::string_view kDefaultRole =
    "aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig";
constexpr std::string_view kTopicSid = "AWSConfigSNSPolicy";

struct ConfigState {
  std::optional<json> recorder;  // the customer-managed recorder
  bool recording = false;
  std::optional<json> channel;
};

bool Compliant(const ConfigState& s) { return s.recorder && s.recording && s.channel; }

// The recorder to start: the existing one's name, else the one this remediation creates.
std::string RecorderName(const ConfigState& s) {
  return s.recorder ? s.recorder->value("name", std::string(kDefaultName))
                    : std::string(kDefaultName);
}

Result<ConfigState> ReadConfig(Context& ctx) {
  ConfigState state;
  ASR_ASSIGN_OR_RETURN(const json recorders,
                       ctx.Call("config", "DescribeConfigurationRecorders", json::object()));
  for (const json& r : recorders.value("ConfigurationRecorders", json::array())) {
    if (r.value("servicePrincipal", "").empty()) {
      state.recorder = r;
      break;
    }
  }
  if (state.recorder) {
    ASR_ASSIGN_OR_RETURN(
        const json status,
        ctx.Call("config", "DescribeConfigurationRecorderStatus",
                 {{"ConfigurationRecorderNames", json::array({RecorderName(state)})}}));
    for (const json& s : status.value("ConfigurationRecordersStatus", json::array())) {
      if (s.value("name", "") == RecorderName(state)) {
        state.recording = s.value("recording", false);
      }
    }
  }
  ASR_ASSIGN_OR_RETURN(const json channels,
                       ctx.Call("config", "DescribeDeliveryChannels", json::object()));
  if (const json list = channels.value("DeliveryChannels", json::array()); !list.empty()) {
    state.channel = list[0];  // at most one per account and region
  }
  return state;
}

json StateJson(const ConfigState& s) {
  return {{"ConfigurationRecorder", s.recorder ? *s.recorder : json()},
          {"Recording", s.recording},
          {"DeliveryChannel", s.channel ? *s.channel : json()},
          {"Compliant", Compliant(s)}};
}

// Names and resources the remediation builds in one account and region.
struct Layout {
  std::string topic_name;
  std::string topic_arn;
  json topic_statement;
  CtBucket log_bucket;
  CtBucket config_bucket;
  std::string role_path;  // AWSServiceRoleForConfig parameter
  std::string role_arn;
};

Layout MakeLayout(const Invocation& inv, const std::string& kms_key) {
  const Target& t = inv.target;
  const std::string& p = t.partition;
  const std::string& account = t.account_id;
  Layout l;
  l.topic_name = inv.params.String("SNSTopicName");
  l.topic_arn = "arn:" + p + ":sns:" + t.region + ":" + account + ":" + l.topic_name;
  l.topic_statement = {{"Sid", kTopicSid},
                       {"Effect", "Allow"},
                       {"Principal", {{"Service", "config.amazonaws.com"}}},
                       {"Action", "SNS:Publish"},
                       {"Resource", l.topic_arn},
                       {"Condition", {{"StringEquals", {{"AWS:SourceAccount", account}}}}}};
  const std::string log_name = "so0111-accesslogs-" + account + "-" + t.region;
  l.log_bucket = {.name = log_name,
                  .account = account,
                  .partition = p,
                  .region = t.region,
                  .statements = json::array({CtAllowAccessLogDelivery(p, log_name, account),
                                             CtDenyInsecureTransport(p, log_name)})};
  const std::string name = "so0111-aws-config-" + t.region + "-" + account;
  const json source_account = {{"AWS:SourceAccount", account}};
  l.config_bucket = {
      .name = name,
      .account = account,
      .partition = p,
      .region = t.region,
      .kms_key = kms_key,
      .statements = json::array(
          {{{"Sid", "AWSConfigBucketPermissionsCheck"},
            {"Effect", "Allow"},
            {"Principal", {{"Service", "config.amazonaws.com"}}},
            {"Action", "s3:GetBucketAcl"},
            {"Resource", CtS3Arn(p, name)},
            {"Condition", {{"StringEquals", source_account}}}},
           {{"Sid", "AWSConfigBucketExistenceCheck"},
            {"Effect", "Allow"},
            {"Principal", {{"Service", "config.amazonaws.com"}}},
            {"Action", "s3:ListBucket"},
            {"Resource", CtS3Arn(p, name)},
            {"Condition", {{"StringEquals", source_account}}}},
           {{"Sid", "AWSConfigBucketDelivery"},
            {"Effect", "Allow"},
            {"Principal", {{"Service", "config.amazonaws.com"}}},
            {"Action", "s3:PutObject"},
            {"Resource", CtS3Arn(p, name, account + "/AWSLogs/" + account + "/Config/*")},
            {"Condition",
             {{"StringEquals",
               {{"s3:x-amz-acl", "bucket-owner-full-control"}, {"AWS:SourceAccount", account}}}}}},
           CtDenyInsecureTransport(p, name)}),
      .log_bucket = log_name,
      .log_prefix = "access-logs/" + name + "/"};
  l.role_path = inv.params.String("AWSServiceRoleForConfig");
  l.role_arn = "arn:" + p + ":iam::" + account + ":role/" + l.role_path;
  return l;
}

std::string RoleName(const std::string& role_path) {
  const size_t slash = role_path.rfind('/');
  return slash == std::string::npos ? role_path : role_path.substr(slash + 1);
}

// Whether the role exists; the change creating it when it is the Config service-linked role that
// is missing; FailedPrecondition for another missing role (asr does not create arbitrary roles).
Result<std::optional<Change>> PlanRole(Context& ctx, const Layout& l) {
  Result<json> role = ctx.Call("iam", "GetRole", {{"RoleName", RoleName(l.role_path)}});
  if (role.ok()) {
    return std::optional<Change>();
  }
  if (role.status().code() != StatusCode::kNotFound) {
    return role.status().Annotate("read role " + Quote(l.role_path));
  }
  if (l.role_path != kDefaultRole) {
    return FailedPreconditionError("role " + Quote(l.role_arn) +
                                   " (parameter AWSServiceRoleForConfig) does not exist");
  }
  return std::optional<Change>(
      Change{.action = "iam:CreateServiceLinkedRole",
             .summary = "create the AWS Config service-linked role AWSServiceRoleForConfig",
             .detail = {{"AWSServiceName", "config.amazonaws.com"}}});
}

// The topic's current attributes, or null when it does not exist.
Result<json> ReadTopic(Context& ctx, const Layout& l) {
  Result<json> out = ctx.Call("sns", "GetTopicAttributes", {{"TopicArn", l.topic_arn}});
  if (!out.ok()) {
    if (out.status().code() == StatusCode::kNotFound) {
      return json();
    }
    return out.status().Annotate("read SNS topic " + Quote(l.topic_arn));
  }
  return out->value("Attributes", json::object());
}

json ParsePolicy(const json& attributes) {
  json policy = json::parse(attributes.value("Policy", std::string("{}")), nullptr,
                            /*allow_exceptions=*/false);
  return policy.is_object() ? policy : json::object();
}

bool TopicAllowsConfig(const json& attributes, const Layout& l) {
  const json statements = ParsePolicy(attributes).value("Statement", json::array());
  return statements.is_array() && std::ranges::any_of(statements, [&](const json& s) {
           return s.is_object() && s.value("Sid", "") == kTopicSid &&
                  CtSameStatement(s, l.topic_statement);
         });
}

json TopicPolicyWithConfig(const json& attributes, const Layout& l) {
  json policy = ParsePolicy(attributes);
  json existing = policy.value("Statement", json::array());
  if (!existing.is_array()) {
    existing = json::array({existing});  // a single statement not wrapped in an array
  }
  json statements = json::array();
  for (const json& s : existing) {
    if (!s.is_object() || s.value("Sid", "") != kTopicSid) {
      statements.push_back(s);
    }
  }
  statements.push_back(l.topic_statement);
  policy["Version"] = policy.value("Version", "2012-10-17");
  policy["Statement"] = statements;
  return policy;
}

json RecorderRequest(const Layout& l) {
  return {{"ConfigurationRecorder",
           {{"name", kDefaultName},
            {"roleARN", l.role_arn},
            {"recordingGroup", {{"allSupported", true}, {"includeGlobalResourceTypes", true}}}}}};
}

json ChannelRequest(const Invocation& inv, const Layout& l) {
  return {{"DeliveryChannel",
           {{"name", kDefaultName},
            {"s3BucketName", l.config_bucket.name},
            {"s3KeyPrefix", inv.target.account_id},
            {"snsTopicARN", l.topic_arn},
            {"configSnapshotDeliveryProperties", {{"deliveryFrequency", "Twelve_Hours"}}}}}};
}

class EnableAWSConfig final : public Remediation {
 public:
  const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec = [] {
      RemediationSpec s{
          .id = "EnableAWSConfig",
          .title = "Turn on AWS Config recording and delivery in an account and region",
          .controls = {{.control_id = "Config.1"}},
          .resource_type = "AwsAccount",
          .permissions = {"config:DescribeConfigurationRecorders",
                          "config:DescribeConfigurationRecorderStatus",
                          "config:DescribeDeliveryChannels", "config:PutConfigurationRecorder",
                          "config:PutDeliveryChannel", "config:StartConfigurationRecorder",
                          "config:StopConfigurationRecorder", "config:DeleteDeliveryChannel",
                          "config:DeleteConfigurationRecorder", "iam:GetRole",
                          "iam:CreateServiceLinkedRole",
                          // Not called directly: PutConfigurationRecorder passes the role.
                          "iam:PassRole", "sns:GetTopicAttributes", "sns:CreateTopic",
                          "sns:SetTopicAttributes", "ssm:GetParameter"},
          .parameters =
              {{.name = "SNSTopicName",
                .type = ParamType::kString,
                .default_json = "\"SO0111-ASR-AWSConfigNotification\"",
                .description = "SNS topic the delivery channel notifies (created when missing); "
                               "1-256 characters of A-Z, a-z, 0-9, - and _"},
               {.name = "AWSServiceRoleForConfig",
                .type = ParamType::kString,
                .default_json = "\"" + std::string(kDefaultRole) + "\"",
                .description = "path and name of the role a new recorder uses (after "
                               "arn:<partition>:iam::<account>:role/); the default service-linked "
                               "role is created when missing, another role must exist"},
               CtKmsKeyParameter(
                   "KMS key (key or alias ARN) for the new SNS topic and the Config bucket's "
                   "default encryption; its key policy must let AWS Config use it. Empty: the ASR "
                   "member key from SSM parameter /Solutions/SO0111/CMK_REMEDIATION_ARN if it "
                   "exists, else SSE-S3 for the bucket and no SSE for the topic")},
          .risk = Risk::kSafe,
          .reversible = Reversible::kYes,
          .reversibility_note =
              "undo stops the recorder if this run started it and deletes the delivery channel "
              "and recorder if this run created them; the SNS topic, the S3 buckets (with the "
              "configuration history delivered meanwhile) and the service-linked role are kept",
          .example_resource_id = "AWS::::Account:111111111111",
      };
      for (std::string& action : CtBucketPermissions()) {
        s.permissions.push_back(std::move(action));
      }
      return s;
    }();
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_RETURN_IF_ERROR(CtCheckAccountTarget(target));
    return json{{"AccountId", target.account_id}, {"Region", target.region}};
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    ASR_RETURN_IF_ERROR(CheckParams(inv));
    ASR_ASSIGN_OR_RETURN(const ConfigState state, ReadConfig(ctx));
    Plan plan;
    plan.current = StateJson(state);
    if (Compliant(state)) {
      return plan;
    }
    // The key is only used by the topic and bucket a new delivery channel needs.
    CtKmsKey key;
    if (!state.channel) {
      ASR_ASSIGN_OR_RETURN(key, CtResolveKmsKey(ctx, inv.params.String("KMSKeyArn"),
                                                inv.target.partition, inv.target.region));
    }
    const Layout l = MakeLayout(inv, key.arn);
    if (!state.recorder) {
      ASR_ASSIGN_OR_RETURN(const std::optional<Change> role, PlanRole(ctx, l));
      if (role) {
        plan.changes.push_back(*role);
      }
    }
    if (!state.channel) {
      plan.current["KmsKeyId"] = key.arn;
      plan.current["KmsKeySource"] = key.source;
      ASR_ASSIGN_OR_RETURN(const json topic, ReadTopic(ctx, l));
      plan.current["Topic"] = topic;
      if (topic.is_null()) {
        plan.changes.push_back(
            {.action = "sns:CreateTopic",
             .summary =
                 "create SNS topic " + Quote(l.topic_name) +
                 (key.arn.empty() ? std::string() : " encrypted with KMS key " + Quote(key.arn)),
             .detail = CreateTopicRequest(l, key.arn)});
      }
      if (topic.is_null() || !TopicAllowsConfig(topic, l)) {
        plan.changes.push_back(
            {.action = "sns:SetTopicAttributes",
             .summary = "let AWS Config publish to SNS topic " + Quote(l.topic_name) +
                        " (other statements are kept)",
             .detail = {{"TopicArn", l.topic_arn}, {"AddStatement", l.topic_statement}}});
      }
      for (const CtBucket* bucket : {&l.log_bucket, &l.config_bucket}) {
        ASR_ASSIGN_OR_RETURN(const Plan b, CtPlanBucket(ctx, *bucket));
        plan.current["Buckets"].push_back(b.current);
        plan.changes.insert(plan.changes.end(), b.changes.begin(), b.changes.end());
      }
    }
    if (!state.recorder) {
      plan.changes.push_back(
          {.action = "config:PutConfigurationRecorder",
           .summary = "create configuration recorder \"default\" recording all supported "
                      "resource types, global ones included, with role " +
                      Quote(l.role_arn),
           .detail = RecorderRequest(l)});
    }
    if (!state.channel) {
      plan.changes.push_back({.action = "config:PutDeliveryChannel",
                              .summary = "create delivery channel \"default\" to bucket " +
                                         Quote(l.config_bucket.name) + " and SNS topic " +
                                         Quote(l.topic_name) + ", snapshots every 12 hours",
                              .detail = ChannelRequest(inv, l)});
    }
    if (!state.recording) {
      plan.changes.push_back(
          {.action = "config:StartConfigurationRecorder",
           .summary = "start configuration recorder " + Quote(RecorderName(state)),
           .detail = {{"ConfigurationRecorderName", RecorderName(state)}}});
    }
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& plan) const override {
    ASR_ASSIGN_OR_RETURN(const ConfigState state, ReadConfig(ctx));
    Applied applied;
    applied.before = {{"RecorderName", RecorderName(state)},
                      {"RecorderExisted", state.recorder.has_value()},
                      {"WasRecording", state.recording},
                      {"ChannelExisted", state.channel.has_value()},
                      {"ChannelName", state.channel ? state.channel->value("name", "")
                                                    : std::string(kDefaultName)}};
    if (Compliant(state)) {
      return applied;  // compliant since the plan
    }
    // The key shown in the plan, not one read again: apply what was planned (and approved).
    const Layout l = MakeLayout(inv, plan.current.value("KmsKeyId", ""));
    if (!state.recorder) {
      ASR_ASSIGN_OR_RETURN(const std::optional<Change> role, PlanRole(ctx, l));
      if (role) {
        Result<json> out = ctx.Call("iam", "CreateServiceLinkedRole", role->detail);
        const bool taken = CtHasAwsError(out.status(), "EntityAlreadyExists") ||
                           (CtHasAwsError(out.status(), "InvalidInput") &&
                            out.status().message().find("taken") != std::string::npos);
        if (!out.ok() && !taken) {
          return out.status().Annotate(role->summary);
        }
        if (out.ok()) {
          applied.changes.push_back(*role);
        }
      }
    }
    if (!state.channel) {
      ASR_RETURN_IF_ERROR(ApplyTopic(ctx, l, applied));
      for (const CtBucket* bucket : {&l.log_bucket, &l.config_bucket}) {
        ASR_ASSIGN_OR_RETURN(std::vector<Change> done, CtApplyBucket(ctx, *bucket));
        applied.changes.insert(applied.changes.end(), done.begin(), done.end());
      }
    }
    if (!state.recorder) {
      const json request = RecorderRequest(l);
      ASR_RETURN_IF_ERROR(ctx.Call("config", "PutConfigurationRecorder", request)
                              .status()
                              .Annotate("create configuration recorder \"default\""));
      applied.changes.push_back({.action = "config:PutConfigurationRecorder",
                                 .summary = "create configuration recorder \"default\"",
                                 .detail = request});
    }
    if (!state.channel) {
      const json request = ChannelRequest(inv, l);
      ASR_RETURN_IF_ERROR(ctx.Call("config", "PutDeliveryChannel", request)
                              .status()
                              .Annotate("create delivery channel \"default\""));
      applied.changes.push_back({.action = "config:PutDeliveryChannel",
                                 .summary = "create delivery channel \"default\"",
                                 .detail = request});
    }
    if (!state.recording) {
      const json request = {{"ConfigurationRecorderName", RecorderName(state)}};
      ASR_RETURN_IF_ERROR(
          ctx.Call("config", "StartConfigurationRecorder", request)
              .status()
              .Annotate("start configuration recorder " + Quote(RecorderName(state))));
      applied.changes.push_back(
          {.action = "config:StartConfigurationRecorder",
           .summary = "start configuration recorder " + Quote(RecorderName(state)),
           .detail = request});
    }
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& /*inv*/,
                                   const json& before) const override {
    std::vector<Change> changes;
    ASR_ASSIGN_OR_RETURN(const ConfigState state, ReadConfig(ctx));
    const std::string recorder = before.value("RecorderName", std::string(kDefaultName));
    if (!before.value("WasRecording", true) && state.recording && RecorderName(state) == recorder) {
      const json request = {{"ConfigurationRecorderName", recorder}};
      ASR_RETURN_IF_ERROR(ctx.Call("config", "StopConfigurationRecorder", request).status());
      changes.push_back({.action = "config:StopConfigurationRecorder",
                         .summary = "stop configuration recorder " + Quote(recorder) + " again",
                         .detail = request});
    }
    if (!before.value("ChannelExisted", true) && state.channel) {
      const std::string channel = before.value("ChannelName", std::string(kDefaultName));
      const json request = {{"DeliveryChannelName", channel}};
      Result<json> out = ctx.Call("config", "DeleteDeliveryChannel", request);
      if (!out.ok() && out.status().code() != StatusCode::kNotFound) {
        return out.status().Annotate("delete delivery channel " + Quote(channel));
      }
      if (out.ok()) {
        changes.push_back({.action = "config:DeleteDeliveryChannel",
                           .summary = "delete delivery channel " + Quote(channel) +
                                      " (the bucket and topic are kept)",
                           .detail = request});
      }
    }
    if (!before.value("RecorderExisted", true) && state.recorder) {
      const json request = {{"ConfigurationRecorderName", recorder}};
      Result<json> out = ctx.Call("config", "DeleteConfigurationRecorder", request);
      if (!out.ok() && out.status().code() != StatusCode::kNotFound) {
        return out.status().Annotate("delete configuration recorder " + Quote(recorder));
      }
      if (out.ok()) {
        changes.push_back({.action = "config:DeleteConfigurationRecorder",
                           .summary = "delete configuration recorder " + Quote(recorder),
                           .detail = request});
      }
    }
    return changes;
  }

 private:
  static Status CheckParams(const Invocation& inv) {
    ASR_RETURN_IF_ERROR(CheckPattern("parameter SNSTopicName", inv.params.String("SNSTopicName"),
                                     "[A-Za-z0-9_-]{1,256}"));
    return CheckPattern("parameter AWSServiceRoleForConfig",
                        inv.params.String("AWSServiceRoleForConfig"),
                        R"(([\w+=,.@-]+/)*[\w+=,.@-]{1,64})");
  }

  static json CreateTopicRequest(const Layout& l, const std::string& kms_key) {
    json request = {{"Name", l.topic_name}};
    if (!kms_key.empty()) {
      request["Attributes"] = {{"KmsMasterKeyId", kms_key}};
    }
    return request;
  }

  // Creates the topic when missing and merges the Config statement into its policy.
  static Status ApplyTopic(Context& ctx, const Layout& l, Applied& applied) {
    ASR_ASSIGN_OR_RETURN(json topic, ReadTopic(ctx, l));
    if (topic.is_null()) {
      // The key recorded in the plan is in the layout's bucket spec; the topic uses the same one.
      const json request = CreateTopicRequest(l, l.config_bucket.kms_key);
      ASR_RETURN_IF_ERROR(ctx.Call("sns", "CreateTopic", request)
                              .status()
                              .Annotate("create SNS topic " + Quote(l.topic_name)));
      applied.changes.push_back({.action = "sns:CreateTopic",
                                 .summary = "create SNS topic " + Quote(l.topic_name),
                                 .detail = request});
      ASR_ASSIGN_OR_RETURN(topic, ReadTopic(ctx, l));
      if (topic.is_null()) {
        topic = json::object();
      }
    }
    if (TopicAllowsConfig(topic, l)) {
      return Status::Ok();
    }
    const json request = {{"TopicArn", l.topic_arn},
                          {"AttributeName", "Policy"},
                          {"AttributeValue", TopicPolicyWithConfig(topic, l).dump()}};
    ASR_RETURN_IF_ERROR(ctx.Call("sns", "SetTopicAttributes", request)
                            .status()
                            .Annotate("set the policy of SNS topic " + Quote(l.topic_name)));
    applied.changes.push_back(
        {.action = "sns:SetTopicAttributes",
         .summary = "let AWS Config publish to SNS topic " + Quote(l.topic_name),
         .detail = request});
    return Status::Ok();
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(EnableAWSConfig);
