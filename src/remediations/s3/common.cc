#include "remediations/s3/common.h"

#include <array>
#include <utility>

#include "common/strings.h"
#include "remediation/resource.h"

namespace asr::remediation {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 4> kPabFlags = {
    "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"};

// The block as currently configured; every flag present (missing or null counts as off).
struct PabState {
  bool configured = false;
  json config = json::object();
};

json Normalized(const json& config) {
  json out = json::object();
  for (std::string_view flag : kPabFlags) {
    const std::string key(flag);
    out[key] = config.is_object() && config.contains(key) && config[key].is_boolean() &&
               config[key].get<bool>();
  }
  return out;
}

json WithId(const S3PabScope& scope, json params) {
  for (const auto& [k, v] : scope.id.items()) {
    params[k] = v;
  }
  return params;
}

std::string PutAction(const S3PabScope& scope) {
  return IamActionsFor(scope.service, "PutPublicAccessBlock").front();
}

Result<PabState> ReadPab(Context& ctx, const S3PabScope& scope) {
  Result<json> out = ctx.Call(scope.service, "GetPublicAccessBlock", scope.id);
  if (!out.ok()) {
    if (S3HasAwsError(out.status(), "NoSuchPublicAccessBlockConfiguration")) {
      return PabState{.configured = false, .config = Normalized(json::object())};
    }
    return out.status().Annotate("read the public access block of " + scope.subject);
  }
  return PabState{.configured = true,
                  .config = Normalized(out->value("PublicAccessBlockConfiguration", json()))};
}

// The flags a run must turn on: required by the parameters and currently off.
std::vector<std::string> FlagsToTurnOn(const json& config, const Params& params) {
  std::vector<std::string> out;
  for (std::string_view flag : kPabFlags) {
    const std::string key(flag);
    if (params.Bool(key) && !config[key].get<bool>()) {
      out.push_back(key);
    }
  }
  return out;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    out += (out.empty() ? "" : ", ") + n;
  }
  return out;
}

Change PutChange(const S3PabScope& scope, const json& desired,
                 const std::vector<std::string>& turn_on, std::string_view verb) {
  return {.action = PutAction(scope),
          .summary = std::string(verb) + " " + JoinNames(turn_on) +
                     " in the public access block of " + scope.subject,
          .detail = WithId(scope, {{"PublicAccessBlockConfiguration", desired}})};
}

}  // namespace

Result<std::string> S3BucketFromTarget(const Target& target, std::string_view example) {
  ASR_ASSIGN_OR_RETURN(std::string bucket, ArnResourceAfter(target, "s3", "", example));
  // Current rules: 3-63 lower-case letters, digits, dots and hyphens. Buckets created in
  // us-east-1 before 2018 may also have upper-case letters and underscores and up to 255
  // characters; they are still served, so they are accepted. A '/' means an object ARN.
  ASR_RETURN_IF_ERROR(
      CheckPattern("bucket name", bucket, "[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]")
          .Annotate("resource id " + Quote(target.resource_id)));
  return bucket;
}

std::string S3JsonString(const json& object, std::string_view key) {
  if (!object.is_object()) {
    return "";
  }
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

bool S3JsonBool(const json& object, std::string_view key, bool otherwise) {
  if (!object.is_object()) {
    return otherwise;
  }
  const auto it = object.find(key);
  return it != object.end() && it->is_boolean() ? it->get<bool>() : otherwise;
}

bool S3HasAwsError(const Status& status, std::string_view code) {
  return !status.ok() && status.aws_error_code() == code;
}

std::vector<ParamSpec> S3PabParameters() {
  std::vector<ParamSpec> out;
  out.reserve(kPabFlags.size());
  for (std::string_view flag : kPabFlags) {
    out.push_back({.name = std::string(flag),
                   .type = ParamType::kBool,
                   .default_json = "true",
                   .description = "require " + std::string(flag) +
                                  " (true turns it on; false leaves it as it is, never off)"});
  }
  return out;
}

Result<Plan> S3PabPlan(Context& ctx, const S3PabScope& scope, const Params& params) {
  ASR_ASSIGN_OR_RETURN(const PabState state, ReadPab(ctx, scope));
  Plan plan;
  plan.current = WithId(
      scope, {{"Configured", state.configured}, {"PublicAccessBlockConfiguration", state.config}});
  plan.current.erase("ExpectedBucketOwner");
  const std::vector<std::string> turn_on = FlagsToTurnOn(state.config, params);
  if (!turn_on.empty()) {
    json desired = state.config;
    for (const std::string& flag : turn_on) {
      desired[flag] = true;
    }
    plan.changes.push_back(PutChange(scope, desired, turn_on, "turn on"));
  }
  return plan;
}

Result<Applied> S3PabApply(Context& ctx, const S3PabScope& scope, const Params& params) {
  // Re-read so that a flag someone turned on or off since the plan is kept as it is now.
  ASR_ASSIGN_OR_RETURN(const PabState state, ReadPab(ctx, scope));
  const std::vector<std::string> turn_on = FlagsToTurnOn(state.config, params);
  Applied applied;
  applied.before = {{"Configured", state.configured},
                    {"PublicAccessBlockConfiguration", state.config},
                    {"TurnedOn", turn_on}};
  if (turn_on.empty()) {
    return applied;
  }
  json desired = state.config;
  for (const std::string& flag : turn_on) {
    desired[flag] = true;
  }
  ASR_RETURN_IF_ERROR(ctx.Call(scope.service, "PutPublicAccessBlock",
                               WithId(scope, {{"PublicAccessBlockConfiguration", desired}}))
                          .status()
                          .Annotate("turn on " + JoinNames(turn_on) + " for " + scope.subject));
  applied.changes.push_back(PutChange(scope, desired, turn_on, "turned on"));
  return applied;
}

Result<std::vector<Change>> S3PabUndo(Context& ctx, const S3PabScope& scope, const json& before) {
  if (!before.is_object() || !before.contains("TurnedOn") || !before["TurnedOn"].is_array()) {
    return InvalidArgumentError("the record's before-state has no TurnedOn list");
  }
  ASR_ASSIGN_OR_RETURN(const PabState state, ReadPab(ctx, scope));
  json target = state.config;
  std::vector<std::string> turn_off;
  for (const json& flag : before["TurnedOn"]) {
    const std::string key = flag.is_string() ? flag.get<std::string>() : "";
    if (!target.contains(key)) {
      return InvalidArgumentError("the record's before-state names an unknown flag " +
                                  Quote(flag.dump()));
    }
    if (target[key].get<bool>()) {
      target[key] = false;
      turn_off.push_back(key);
    }
  }
  std::vector<Change> changes;
  if (turn_off.empty()) {
    return changes;  // nothing left to turn off: already undone
  }
  const bool all_off = target == Normalized(json::object());
  if (all_off && !S3JsonBool(before, "Configured", true)) {
    // There was no configuration before; delete it rather than leave an all-false one.
    Result<json> out = ctx.Call(scope.service, "DeletePublicAccessBlock", scope.id);
    if (!out.ok() && !S3HasAwsError(out.status(), "NoSuchPublicAccessBlockConfiguration")) {
      return out.status().Annotate("delete the public access block of " + scope.subject);
    }
    changes.push_back({.action = IamActionsFor(scope.service, "DeletePublicAccessBlock").front(),
                       .summary = "deleted the public access block of " + scope.subject +
                                  " (there was none before)",
                       .detail = scope.id});
    return changes;
  }
  ASR_RETURN_IF_ERROR(ctx.Call(scope.service, "PutPublicAccessBlock",
                               WithId(scope, {{"PublicAccessBlockConfiguration", target}}))
                          .status()
                          .Annotate("turn off " + JoinNames(turn_off) + " for " + scope.subject));
  changes.push_back(PutChange(scope, target, turn_off, "turned off again"));
  return changes;
}

}  // namespace asr::remediation
