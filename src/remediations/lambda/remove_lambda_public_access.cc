// RemoveLambdaPublicAccess (Lambda.1): removes the statements of a function's resource policy
// that let anyone invoke it, and leaves every other statement in place.
//
// Reference: ASR-RemoveLambdaPublicAccess removes statements whose principal is "*" (or
// {"AWS": "*"}) and S3 service-principal statements without an AWS:SourceAccount condition, then
// re-reads the policy. Same here; undo re-adds the removed statements with AddPermission.

#include <algorithm>
#include <string>
#include <vector>

#include "common/strings.h"
#include "remediation/registry.h"
#include "remediation/resource.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

bool IsWildcard(const json& v) {
  if (v.is_string()) {
    return v.get<std::string>() == "*";
  }
  if (v.is_array()) {
    for (const json& item : v) {
      if (IsWildcard(item)) {
        return true;
      }
    }
  }
  return false;
}

bool HasConditionKey(const json& statement, std::string_view key) {
  const auto cond = statement.find("Condition");
  if (cond == statement.end() || !cond->is_object()) {
    return false;
  }
  for (const auto& [op, body] : cond->items()) {
    if (body.is_object()) {
      for (const auto& [k, v] : body.items()) {
        if (EqualsIgnoreCase(k, key)) {
          return true;
        }
      }
    }
  }
  return false;
}

// Why a statement is public, or "" when it is not.
std::string PublicReason(const json& statement) {
  if (statement.value("Effect", "") != "Allow") {
    return "";
  }
  const json principal = statement.value("Principal", json());
  if (IsWildcard(principal)) {
    return "Principal *";
  }
  if (principal.is_object()) {
    if (IsWildcard(principal.value("AWS", json()))) {
      return "Principal {\"AWS\": \"*\"}";
    }
    const json service = principal.value("Service", json());
    const bool s3 = service.is_string() ? service.get<std::string>() == "s3.amazonaws.com"
                                        : service.is_array() &&
                                              std::find(service.begin(), service.end(),
                                                        json("s3.amazonaws.com")) != service.end();
    if (s3 && !HasConditionKey(statement, "AWS:SourceAccount")) {
      return "S3 service principal without an AWS:SourceAccount condition";
    }
  }
  return "";
}

// The condition value for `key` under any operator, or "" when absent or not a string.
std::string ConditionValue(const json& statement, std::string_view key) {
  const json cond = statement.value("Condition", json::object());
  for (const auto& [op, body] : cond.items()) {
    if (!body.is_object()) {
      continue;
    }
    for (const auto& [k, v] : body.items()) {
      if (EqualsIgnoreCase(k, key) && v.is_string()) {
        return v.get<std::string>();
      }
    }
  }
  return "";
}

// AddPermission parameters that recreate `statement`, or an error when the statement uses
// something AddPermission cannot express.
Result<json> AddPermissionFor(const std::string& function_name, const json& statement) {
  const std::string sid = statement.value("Sid", "");
  if (sid.empty()) {
    return FailedPreconditionError("a removed statement has no Sid; AddPermission needs one");
  }
  json action = statement.value("Action", json());
  if (action.is_array() && action.size() == 1) {
    action = action[0];
  }
  if (!action.is_string()) {
    return FailedPreconditionError("statement " + Quote(sid) +
                                   " has several actions; AddPermission takes one");
  }
  json params = {
      {"FunctionName", function_name}, {"StatementId", sid}, {"Action", action.get<std::string>()}};
  const json principal = statement.value("Principal", json());
  if (IsWildcard(principal) ||
      (principal.is_object() && IsWildcard(principal.value("AWS", json())))) {
    params["Principal"] = "*";
  } else if (principal.is_object() && principal.value("Service", json()).is_string()) {
    params["Principal"] = principal["Service"];
  } else {
    return FailedPreconditionError("statement " + Quote(sid) +
                                   " has a principal AddPermission cannot express");
  }
  if (std::string v = ConditionValue(statement, "AWS:SourceArn"); !v.empty()) {
    params["SourceArn"] = v;
  }
  if (std::string v = ConditionValue(statement, "AWS:SourceAccount"); !v.empty()) {
    params["SourceAccount"] = v;
  }
  if (std::string v = ConditionValue(statement, "aws:PrincipalOrgID"); !v.empty()) {
    params["PrincipalOrgID"] = v;
  }
  if (std::string v = ConditionValue(statement, "lambda:FunctionUrlAuthType"); !v.empty()) {
    params["FunctionUrlAuthType"] = v;
  }
  return params;
}

class RemoveLambdaPublicAccess final : public Remediation {
 public:
  const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "RemoveLambdaPublicAccess",
        .title = "Remove the statements of a Lambda function's policy that allow public access",
        .controls = {{.control_id = "Lambda.1"}},
        .resource_type = "AwsLambdaFunction",
        .permissions = {"lambda:GetPolicy", "lambda:RemovePermission", "lambda:AddPermission"},
        .risk = Risk::kDisruptive,
        .reversible = Reversible::kYes,
        .reversibility_note = "undo re-adds the removed statements with AddPermission",
        .example_resource_id = "arn:aws:lambda:us-east-1:111111111111:function:my-function",
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_ASSIGN_OR_RETURN(
        std::string name,
        ArnResourceAfter(target, "lambda", "function:", spec().example_resource_id));
    // A qualified ARN (function:name:alias) names the function's alias; the policy the finding
    // is about is the unqualified function's.
    if (const size_t colon = name.find(':'); colon != std::string::npos) {
      name.resize(colon);
    }
    ASR_RETURN_IF_ERROR(CheckPattern("function name", name, "[A-Za-z0-9_-]{1,64}"));
    return json{{"FunctionName", name}};
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    const std::string name = inv.resource["FunctionName"];
    ASR_ASSIGN_OR_RETURN(const json policy, ReadPolicy(ctx, name));
    Plan plan;
    plan.current = {{"FunctionName", name}, {"Policy", policy}};
    for (const json& statement : policy.value("Statement", json::array())) {
      if (const std::string why = PublicReason(statement); !why.empty()) {
        plan.changes.push_back(
            {.action = "lambda:RemovePermission",
             .summary = "remove statement " + Quote(statement.value("Sid", "")) + " (" + why + ")",
             .detail = {{"FunctionName", name}, {"Statement", statement}}});
      }
    }
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& plan) const override {
    const std::string name = inv.resource["FunctionName"];
    Applied applied;
    applied.before = {{"FunctionName", name}, {"Removed", json::array()}};
    for (const Change& change : plan.changes) {
      const json& statement = change.detail["Statement"];
      const std::string sid = statement.value("Sid", "");
      Result<json> out =
          ctx.Call("lambda", "RemovePermission", {{"FunctionName", name}, {"StatementId", sid}});
      if (!out.ok() && out.status().code() == StatusCode::kNotFound) {
        continue;  // already removed (a rerun after a crash)
      }
      ASR_RETURN_IF_ERROR(out.status().Annotate("remove statement " + Quote(sid)));
      applied.before["Removed"].push_back(statement);
      applied.changes.push_back(change);
    }
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& inv,
                                   const json& before) const override {
    const std::string name = inv.resource["FunctionName"];
    ASR_ASSIGN_OR_RETURN(const json policy, ReadPolicy(ctx, name));
    std::vector<Change> changes;
    for (const json& statement : before.value("Removed", json::array())) {
      ASR_ASSIGN_OR_RETURN(const json params, AddPermissionFor(name, statement));
      const bool present = [&] {
        for (const json& s : policy.value("Statement", json::array())) {
          if (s.value("Sid", "") == params["StatementId"]) {
            return true;
          }
        }
        return false;
      }();
      if (present) {
        continue;  // already restored
      }
      ASR_RETURN_IF_ERROR(ctx.Call("lambda", "AddPermission", params).status());
      changes.push_back(
          {.action = "lambda:AddPermission",
           .summary = "re-add statement " + Quote(params["StatementId"].get<std::string>()),
           .detail = params});
    }
    return changes;
  }

 private:
  // The function's resource policy as JSON; an empty policy when the function has none.
  static Result<json> ReadPolicy(Context& ctx, const std::string& name) {
    Result<json> out = ctx.Call("lambda", "GetPolicy", {{"FunctionName", name}});
    if (!out.ok()) {
      // ResourceNotFoundException means "no policy" when the function exists, and "no such
      // function" otherwise; Lambda says which in the message.
      if (out.status().code() == StatusCode::kNotFound &&
          out.status().message().find("Function not found") == std::string::npos) {
        return json{{"Statement", json::array()}};
      }
      return out.status().Annotate("read the policy of function " + Quote(name));
    }
    const json policy =
        json::parse(out->value("Policy", std::string("{}")), nullptr, /*allow_exceptions=*/false);
    if (!policy.is_object()) {
      return InternalError("function " + Quote(name) + " returned a policy that is not JSON");
    }
    return policy;
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(RemoveLambdaPublicAccess);
