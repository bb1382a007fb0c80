// EnableVPCFlowLogs (EC2.6): turns on VPC Flow Logs for rejected traffic, delivered to the
// CloudWatch Logs group "VPCFlowLogs/<vpc-id>".
//
// Reference: ASR-EnableVPCFlowLogs creates the KMS-encrypted log group (already-exists is fine),
// calls CreateFlowLogs(TrafficType REJECT, DeliverLogsPermissionArn = the member stack's role
// SO0111-EnableVPCFlowLogs-remediationRole-<namespace>), treats FlowLogAlreadyExists as success
// and waits for the flow log to be ACTIVE. Differences here:
//   * A VPC that already has an ACTIVE flow log capturing REJECT or ALL traffic (to any
//     destination) is compliant: no second flow log is created.
//   * The delivery role is the parameter RemediationRole: a role name (in the finding's account
//     and partition) or a role ARN. It has no default, because the ASR name depends on the member
//     stack's namespace and guessing it would create a flow log that silently delivers nothing;
//     when a change is needed and it is empty the plan fails and says what to pass
//     (--param RemediationRole=SO0111-EnableVPCFlowLogs-remediationRole-<namespace>). The plan
//     also checks that the role exists (iam:GetRole), before anything is created.
//   * KMSKeyArn is optional: empty creates the log group with CloudWatch Logs' default
//     encryption (the reference defaults to the member stack's key from the SSM parameter
//     /Solutions/SO0111/CMK_REMEDIATION_ARN).
//   * Undo deletes the flow log this run created; the log group stays (it holds the logs
//     delivered meanwhile, and may be shared with other flow logs).

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/arn.h"
#include "common/strings.h"
#include "remediation/registry.h"
#include "remediation/roles.h"
#include "remediations/ec2/common.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

constexpr std::string_view kRoleParam = "RemediationRole";
constexpr std::string_view kKeyParam = "KMSKeyArn";

std::string LogGroupName(const std::string& vpc_id) { return "VPCFlowLogs/" + vpc_id; }

bool IsCompliantFlowLog(const json& flow_log) {
  const std::string traffic = flow_log.value("TrafficType", "");
  return flow_log.value("FlowLogStatus", "") == "ACTIVE" &&
         (traffic == "REJECT" || traffic == "ALL");
}

// The role ARN named by the RemediationRole parameter.
Result<std::string> DeliveryRoleArn(const Invocation& inv) {
  const std::string value = inv.params.String(kRoleParam);
  const Target& t = inv.target;
  if (value.empty()) {
    return InvalidArgumentError(
        "parameter RemediationRole is empty: name the IAM role VPC Flow Logs assume to deliver "
        "to CloudWatch Logs (trusting vpc-flow-logs.amazonaws.com), as a role name or ARN in "
        "account " +
        t.account_id +
        "; in an ASR member account it is SO0111-EnableVPCFlowLogs-remediationRole-<namespace> "
        "(--param RemediationRole=<name>)");
  }
  if (!value.starts_with("arn:")) {
    ASR_RETURN_IF_ERROR(ValidateRoleName(value).Annotate("parameter RemediationRole"));
    return RoleArn(t.partition, t.account_id, value);
  }
  const std::optional<Arn> arn = ParseArn(value);
  const auto reject = [&](const std::string& why) {
    return InvalidArgumentError("parameter RemediationRole " + Quote(value) + " " + why +
                                "; expected a role name or " +
                                Quote(RoleArn(t.partition, t.account_id, "<name>")));
  };
  if (!arn || arn->service != "iam" || !arn->resource.starts_with("role/")) {
    return reject("is not an IAM role ARN");
  }
  if (arn->partition != t.partition) {
    return reject("is in partition " + Quote(arn->partition) + ", not the finding's " +
                  Quote(t.partition));
  }
  if (arn->account != t.account_id) {
    return reject("is in account " + Quote(arn->account) + ", not the finding's " + t.account_id);
  }
  return value;
}

// The role name of a role ARN (the part after the last '/': roles may have paths).
std::string RoleNameOf(const std::string& role_arn) {
  return role_arn.substr(role_arn.rfind('/') + 1);
}

Status CheckKeyParam(const Invocation& inv) {
  const std::string key = inv.params.String(kKeyParam);
  if (key.empty()) {
    return Status::Ok();
  }
  const std::optional<Arn> arn = ParseArn(key);
  const Target& t = inv.target;
  if (!arn || arn->service != "kms" || !arn->resource.starts_with("key/") ||
      arn->partition != t.partition || arn->region != t.region) {
    return InvalidArgumentError("parameter KMSKeyArn " + Quote(key) +
                                " must be a KMS key ARN in partition " + t.partition +
                                " and region " + t.region +
                                " (CloudWatch Logs needs a key in the log group's region), like " +
                                Quote(MakeArn(t.partition, "kms", t.region, t.account_id,
                                              "key/1234abcd-12ab-34cd-56ef-1234567890ab")) +
                                ", or empty for CloudWatch Logs' default encryption");
  }
  return Status::Ok();
}

Result<json> FlowLogsOf(Context& ctx, const std::string& vpc_id) {
  Result<json> out = ctx.CallAll(
      "ec2", "DescribeFlowLogs",
      {{"Filter", json::array({{{"Name", "resource-id"}, {"Values", json::array({vpc_id})}}})}});
  if (!out.ok()) {
    return out.status().Annotate("read the flow logs of " + vpc_id);
  }
  return out->value("FlowLogs", json::array());
}

bool AnyCompliant(const json& flow_logs) {
  return std::any_of(flow_logs.begin(), flow_logs.end(), IsCompliantFlowLog);
}

Result<bool> LogGroupExists(Context& ctx, const std::string& name) {
  Result<json> out = ctx.CallAll("logs", "DescribeLogGroups", {{"logGroupNamePrefix", name}});
  if (!out.ok()) {
    return out.status().Annotate("look up log group " + Quote(name));
  }
  const json groups = out->value("logGroups", json::array());
  return std::any_of(groups.begin(), groups.end(),
                     [&](const json& g) { return g.value("logGroupName", "") == name; });
}

class EnableVPCFlowLogs final : public Remediation {
 public:
  const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "EnableVPCFlowLogs",
        .title = "Turn on VPC Flow Logs for rejected traffic, to CloudWatch Logs",
        .controls = {{.control_id = "EC2.6"}},
        .resource_type = "AwsEc2Vpc",
        .permissions = {"ec2:DescribeVpcs", "ec2:DescribeFlowLogs", "ec2:CreateFlowLogs",
                        "ec2:DeleteFlowLogs", "logs:DescribeLogGroups", "logs:CreateLogGroup",
                        "iam:GetRole", "iam:PassRole"},
        .parameters =
            {{.name = std::string(kRoleParam),
              .type = ParamType::kString,
              .default_json = "\"\"",
              .description =
                  "IAM role (name or ARN, in the finding's account) that VPC Flow Logs assume to "
                  "write to CloudWatch Logs; in an ASR member account "
                  "SO0111-EnableVPCFlowLogs-remediationRole-<namespace>. Required when a flow "
                  "log must be created."},
             {.name = std::string(kKeyParam),
              .type = ParamType::kString,
              .default_json = "\"\"",
              .description = "KMS key ARN (same region) to encrypt a newly created log group; "
                             "empty: CloudWatch Logs' default encryption."}},
        .risk = Risk::kSafe,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "undo deletes the flow log this run created; the log group "
            "VPCFlowLogs/<vpc-id> and the logs in it stay",
        .example_resource_id = "arn:aws:ec2:us-east-1:111111111111:vpc/vpc-0123456789abcdef0",
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_ASSIGN_OR_RETURN(const std::string id, Ec2ResourceId(target, "vpc", "vpc-[0-9a-f]{8,17}",
                                                             spec().example_resource_id));
    return json{{"VpcId", id}};
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    const std::string vpc = inv.resource.value("VpcId", "");
    // A VPC that does not exist has no flow logs either: fail instead of planning to create one.
    ASR_RETURN_IF_ERROR(ctx.Call("ec2", "DescribeVpcs", {{"VpcIds", json::array({vpc})}})
                            .status()
                            .Annotate("read VPC " + vpc));
    ASR_ASSIGN_OR_RETURN(const json flow_logs, FlowLogsOf(ctx, vpc));
    Plan plan;
    plan.current = {{"VpcId", vpc}, {"FlowLogs", Summaries(flow_logs)}};
    if (AnyCompliant(flow_logs)) {
      return plan;
    }

    ASR_ASSIGN_OR_RETURN(const std::string role_arn, DeliveryRoleArn(inv));
    ASR_RETURN_IF_ERROR(CheckKeyParam(inv));
    if (Result<json> role = ctx.Call("iam", "GetRole", {{"RoleName", RoleNameOf(role_arn)}});
        !role.ok()) {
      if (role.status().code() == StatusCode::kNotFound) {
        return FailedPreconditionError("the flow log delivery role " + role_arn +
                                       " does not exist; deploy it (ASR member stack) or set "
                                       "the parameter RemediationRole");
      }
      return role.status().Annotate("read the flow log delivery role " + role_arn);
    }
    const std::string group = LogGroupName(vpc);
    ASR_ASSIGN_OR_RETURN(const bool group_exists, LogGroupExists(ctx, group));
    plan.current["LogGroupName"] = group;
    plan.current["LogGroupExists"] = group_exists;
    if (!group_exists) {
      const std::string key = inv.params.String(kKeyParam);
      plan.changes.push_back({.action = "logs:CreateLogGroup",
                              .summary = "create log group " + Quote(group) +
                                         (key.empty() ? "" : " encrypted with " + key),
                              .detail = CreateLogGroupParams(group, key)});
    }
    plan.changes.push_back({.action = "ec2:CreateFlowLogs",
                            .summary = "create a flow log of rejected traffic in " + vpc +
                                       " to log group " + Quote(group) + ", delivered by role " +
                                       role_arn,
                            .detail = CreateFlowLogsParams(vpc, group, role_arn)});
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& /*plan*/) const override {
    const std::string vpc = inv.resource.value("VpcId", "");
    const std::string group = LogGroupName(vpc);
    Applied applied;
    applied.before = {{"VpcId", vpc},
                      {"LogGroupName", group},
                      {"LogGroupCreated", false},
                      {"FlowLogIds", json::array()}};
    // Another run (or a person) may have fixed it since the plan; one flow log is enough.
    ASR_ASSIGN_OR_RETURN(const json existing, FlowLogsOf(ctx, vpc));
    if (AnyCompliant(existing)) {
      return applied;
    }
    ASR_ASSIGN_OR_RETURN(const std::string role_arn, DeliveryRoleArn(inv));

    // The plan's view of the log group may be stale. Without the group, delivery would depend on
    // the role being allowed to create it (and without the requested key), so look again.
    ASR_ASSIGN_OR_RETURN(const bool group_exists, LogGroupExists(ctx, group));
    if (!group_exists) {
      const std::string key = inv.params.String(kKeyParam);
      const json params = CreateLogGroupParams(group, key);
      Result<json> out = ctx.Call("logs", "CreateLogGroup", params);
      if (out.ok()) {
        applied.before["LogGroupCreated"] = true;
        applied.changes.push_back({.action = "logs:CreateLogGroup",
                                   .summary = "created log group " + Quote(group) +
                                              (key.empty() ? "" : " encrypted with " + key),
                                   .detail = params});
      } else if (out.status().code() != StatusCode::kConflict) {  // already exists is fine
        return out.status().Annotate("create log group " + Quote(group));
      }
    }

    const json params = CreateFlowLogsParams(vpc, group, role_arn);
    Result<json> out = ctx.Call("ec2", "CreateFlowLogs", params);
    std::string error_code;
    std::string error_message;
    if (!out.ok()) {
      error_code = out.status().aws_error_code();
      error_message = out.status().message();
      if (error_code != "FlowLogAlreadyExists") {
        return out.status().Annotate("create a flow log for " + vpc);
      }
    } else if (const json failed = out->value("Unsuccessful", json::array()); !failed.empty()) {
      const json error = failed[0].value("Error", json::object());
      error_code = error.value("Code", "");
      error_message = error.value("Message", "");
    }
    if (!error_code.empty()) {
      // FlowLogAlreadyExists: a flow log with this destination exists. Fine if it makes the VPC
      // compliant (an earlier run that crashed); otherwise it is in the way and a person decides.
      ASR_ASSIGN_OR_RETURN(const json now, FlowLogsOf(ctx, vpc));
      if (error_code == "FlowLogAlreadyExists" && AnyCompliant(now)) {
        return applied;
      }
      return FailedPreconditionError("CreateFlowLogs for " + vpc + " failed: " + error_code + ": " +
                                     error_message);
    }
    const json ids = out->value("FlowLogIds", json::array());
    if (ids.empty() || !ids[0].is_string()) {
      return InternalError("CreateFlowLogs for " + vpc + " returned no flow log id");
    }
    const std::string id = ids[0].get<std::string>();
    applied.before["FlowLogIds"].push_back(id);
    Change created{.action = "ec2:CreateFlowLogs",
                   .summary = "created flow log " + id + " (rejected traffic of " + vpc + " to " +
                              Quote(group) + ")",
                   .detail = params};
    created.detail["FlowLogId"] = id;
    applied.changes.push_back(std::move(created));

    // New flow logs are normally ACTIVE at once. If waiting fails, the flow log exists and the
    // record must say so (for undo): Verify then reports whether the VPC is compliant.
    const Status active = ctx.Poll(
        "flow log " + id + " to become ACTIVE", std::chrono::seconds(2), [&]() -> Result<bool> {
          ASR_ASSIGN_OR_RETURN(const json logs, FlowLogsOf(ctx, vpc));
          return std::any_of(logs.begin(), logs.end(), [&](const json& l) {
            return l.value("FlowLogId", "") == id && l.value("FlowLogStatus", "") == "ACTIVE";
          });
        });
    if (!active.ok()) {
      ctx.logger().Warn("flow log not ACTIVE yet",
                        {{"flow_log_id", id}, {"error", active.ToString()}});
    }
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& inv,
                                   const json& before) const override {
    const std::string vpc = inv.resource.value("VpcId", "");
    ASR_ASSIGN_OR_RETURN(const json flow_logs, FlowLogsOf(ctx, vpc));
    std::vector<Change> changes;
    for (const json& id_json : before.value("FlowLogIds", json::array())) {
      if (!id_json.is_string()) {
        return InvalidArgumentError("the record's FlowLogIds holds a non-string: " +
                                    id_json.dump());
      }
      const std::string id = id_json.get<std::string>();
      const bool present = std::any_of(flow_logs.begin(), flow_logs.end(), [&](const json& l) {
        return l.value("FlowLogId", "") == id;
      });
      if (!present) {
        continue;  // already deleted
      }
      Result<json> out = ctx.Call("ec2", "DeleteFlowLogs", {{"FlowLogIds", json::array({id})}});
      if (!out.ok()) {
        if (out.status().code() == StatusCode::kNotFound) {
          continue;
        }
        return out.status().Annotate("delete flow log " + id);
      }
      if (const json failed = out->value("Unsuccessful", json::array()); !failed.empty()) {
        const json error = failed[0].value("Error", json::object());
        const std::string code = error.value("Code", "");
        if (AsciiLower(code).find("notfound") == std::string::npos) {
          return FailedPreconditionError("DeleteFlowLogs " + id + " failed: " + code + ": " +
                                         error.value("Message", ""));
        }
        continue;
      }
      changes.push_back({.action = "ec2:DeleteFlowLogs",
                         .summary = "delete flow log " + id + " of " + vpc + " (the log group " +
                                    Quote(before.value("LogGroupName", "")) + " stays)",
                         .detail = {{"FlowLogIds", json::array({id})}}});
    }
    return changes;
  }

 private:
  static json Summaries(const json& flow_logs) {
    json out = json::array();
    for (const json& l : flow_logs) {
      json s = json::object();
      for (const char* key :
           {"FlowLogId", "FlowLogStatus", "TrafficType", "LogDestinationType", "LogGroupName",
            "LogDestination", "DeliverLogsStatus", "DeliverLogsPermissionArn"}) {
        if (l.contains(key)) {
          s[key] = l[key];
        }
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  static json CreateLogGroupParams(const std::string& group, const std::string& key) {
    json params = {{"logGroupName", group}};
    if (!key.empty()) {
      params["kmsKeyId"] = key;
    }
    return params;
  }

  static json CreateFlowLogsParams(const std::string& vpc, const std::string& group,
                                   const std::string& role_arn) {
    return {{"ResourceIds", json::array({vpc})},
            {"ResourceType", "VPC"},
            {"TrafficType", "REJECT"},
            {"LogDestinationType", "cloud-watch-logs"},
            {"LogGroupName", group},
            {"DeliverLogsPermissionArn", role_arn}};
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(EnableVPCFlowLogs);
