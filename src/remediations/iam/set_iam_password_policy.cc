// SetIAMPasswordPolicy (IAM.7, IAM.11-IAM.17): makes the account's IAM password policy at least
// as strict as the parameters.
//
// Reference: ASR-SetIAMPasswordPolicy calls UpdateAccountPasswordPolicy with the parameters and
// never reads the policy first, so it overwrites (and can weaken) a stricter policy, and never
// verifies. Here the parameters are a floor: each setting of the current policy is kept when it
// is already at least as strict, and raised otherwise:
//   * Require*, AllowUsersToChangePassword, HardExpiry: true when either side is true;
//   * MinimumPasswordLength, PasswordReusePrevention: the larger value;
//   * MaxPasswordAge: the current value when it is set (expiry on) and not above the parameter,
//     else the parameter (no expiry counts as weaker than any age).
// The policy is compliant when that merge changes nothing. UpdateAccountPasswordPolicy replaces
// the whole policy, so every setting is sent. Undo restores the previous policy, or deletes the
// policy when the account had none.

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "common/strings.h"
#include "remediation/registry.h"
#include "remediation/resource.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

enum class Merge {
  kTrueWins,    // a bool where true is stricter
  kLargerWins,  // an int where larger is stricter
  kMaxAge,      // MaxPasswordAge: 0 (never expires) is the weakest, then larger is weaker
};

struct Setting {
  const char* name;
  Merge merge;
  int absent;  // the value IAM applies when the setting is not in the policy
};

constexpr std::array<Setting, 9> kSettings = {{
    {"MinimumPasswordLength", Merge::kLargerWins, 6},
    {"RequireSymbols", Merge::kTrueWins, 0},
    {"RequireNumbers", Merge::kTrueWins, 0},
    {"RequireUppercaseCharacters", Merge::kTrueWins, 0},
    {"RequireLowercaseCharacters", Merge::kTrueWins, 0},
    {"AllowUsersToChangePassword", Merge::kTrueWins, 0},
    {"MaxPasswordAge", Merge::kMaxAge, 0},
    {"PasswordReusePrevention", Merge::kLargerWins, 0},
    {"HardExpiry", Merge::kTrueWins, 0},
}};

// Every setting of `policy` (a PasswordPolicy object, or null for "no policy") with IAM's value
// for the ones it leaves out.
json Normalize(const json& policy) {
  json out = json::object();
  for (const Setting& s : kSettings) {
    const json v = policy.is_object() ? policy.value(s.name, json()) : json();
    if (s.merge == Merge::kTrueWins) {
      out[s.name] = v.is_boolean() && v.get<bool>();
    } else {
      out[s.name] = v.is_number_integer() ? v.get<std::int64_t>() : std::int64_t{s.absent};
    }
  }
  return out;
}

// The policy that is at least as strict as both `current` (normalized) and the parameters.
json Merged(const json& current, const Params& params) {
  json out = json::object();
  for (const Setting& s : kSettings) {
    switch (s.merge) {
      case Merge::kTrueWins:
        out[s.name] = current[s.name].get<bool>() || params.Bool(s.name);
        break;
      case Merge::kLargerWins:
        out[s.name] = std::max(current[s.name].get<std::int64_t>(), params.Int(s.name));
        break;
      case Merge::kMaxAge: {
        const std::int64_t now = current[s.name].get<std::int64_t>();
        const std::int64_t want = params.Int(s.name);
        out[s.name] = now > 0 && now <= want ? now : want;
        break;
      }
    }
  }
  return out;
}

std::string Show(const json& v) {
  return v.is_number_integer() && v.get<std::int64_t>() == 0 ? std::string("none") : v.dump();
}

// "MinimumPasswordLength 8 -> 14, RequireSymbols false -> true".
std::string Differences(const json& from, const json& to) {
  std::string out;
  for (const Setting& s : kSettings) {
    if (from[s.name] != to[s.name]) {
      out += (out.empty() ? "" : ", ") + std::string(s.name) + " " + Show(from[s.name]) + " -> " +
             Show(to[s.name]);
    }
  }
  return out;
}

// "MinimumPasswordLength 14, RequireSymbols true, ..." (settings IAM treats as unset omitted).
std::string Describe(const json& normalized) {
  std::string out;
  for (const Setting& s : kSettings) {
    if (normalized[s.name] != json(0)) {
      out += (out.empty() ? "" : ", ") + std::string(s.name) + " " + normalized[s.name].dump();
    }
  }
  return out;
}

// UpdateAccountPasswordPolicy parameters for a normalized policy: IAM rejects 0 for
// MaxPasswordAge and PasswordReusePrevention, which mean "not set".
json UpdateRequest(const json& normalized) {
  json out = normalized;
  for (const char* key : {"MaxPasswordAge", "PasswordReusePrevention"}) {
    if (out[key].get<std::int64_t>() == 0) {
      out.erase(key);
    }
  }
  return out;
}

class SetIAMPasswordPolicy final : public Remediation {
 public:
  [[nodiscard]] const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "SetIAMPasswordPolicy",
        .title = "Make the account's IAM password policy at least as strict as the parameters",
        .controls = {{.control_id = "IAM.7"},
                     {.control_id = "IAM.11"},
                     {.control_id = "IAM.12"},
                     {.control_id = "IAM.13"},
                     {.control_id = "IAM.14"},
                     {.control_id = "IAM.15"},
                     {.control_id = "IAM.16"},
                     {.control_id = "IAM.17"}},
        .resource_type = "AwsAccount",
        .permissions = {"iam:GetAccountPasswordPolicy", "iam:UpdateAccountPasswordPolicy",
                        "iam:DeleteAccountPasswordPolicy"},
        .parameters =
            {
                {.name = "AllowUsersToChangePassword",
                 .type = ParamType::kBool,
                 .default_json = "true",
                 .description = "Require that users may change their own password"},
                {.name = "HardExpiry",
                 .type = ParamType::kBool,
                 .default_json = "true",
                 .description = "Require that users cannot renew an expired password themselves "
                                "(an administrator must reset it)"},
                {.name = "MaxPasswordAge",
                 .type = ParamType::kInt,
                 .default_json = "90",
                 .min = 1,
                 .max = 1095,
                 .description = "Days after which a password expires, at most"},
                {.name = "MinimumPasswordLength",
                 .type = ParamType::kInt,
                 .default_json = "14",
                 .min = 6,
                 .max = 128,
                 .description = "Minimum password length, at least"},
                {.name = "PasswordReusePrevention",
                 .type = ParamType::kInt,
                 .default_json = "24",
                 .min = 1,
                 .max = 24,
                 .description = "Number of previous passwords that cannot be reused, at least"},
                {.name = "RequireLowercaseCharacters",
                 .type = ParamType::kBool,
                 .default_json = "true",
                 .description = "Require a lower-case letter"},
                {.name = "RequireNumbers",
                 .type = ParamType::kBool,
                 .default_json = "true",
                 .description = "Require a digit"},
                {.name = "RequireSymbols",
                 .type = ParamType::kBool,
                 .default_json = "true",
                 .description = "Require a symbol"},
                {.name = "RequireUppercaseCharacters",
                 .type = ParamType::kBool,
                 .default_json = "true",
                 .description = "Require an upper-case letter"},
            },
        // Expiry with HardExpiry locks out users whose password is older than MaxPasswordAge
        // until an administrator resets it.
        .risk = Risk::kDisruptive,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "undo restores the previous password policy exactly, or deletes "
            "the policy when the account had none",
        .example_resource_id = "AWS::::Account:111111111111",
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_RETURN_IF_ERROR(CheckAccountTarget(target));
    constexpr std::string_view kPrefix = "AWS::::Account:";
    if (target.resource_id.starts_with(kPrefix) &&
        target.resource_id.substr(kPrefix.size()) != target.account_id) {
      return InvalidArgumentError("resource id " + Quote(target.resource_id) +
                                  " names another account than the finding's " + target.account_id);
    }
    return json{{"AccountId", target.account_id}};
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    ASR_ASSIGN_OR_RETURN(const json policy, ReadPolicy(ctx));
    const json current = Normalize(policy);
    const json desired = Merged(current, inv.params);
    Plan plan;
    plan.current = {{"PasswordPolicy", policy}};
    if (policy.is_null()) {
      plan.changes.push_back(
          {.action = "iam:UpdateAccountPasswordPolicy",
           .summary =
               "create the account password policy (the account has none): " + Describe(desired),
           .detail = UpdateRequest(desired)});
    } else if (desired != current) {
      plan.changes.push_back(
          {.action = "iam:UpdateAccountPasswordPolicy",
           .summary = "tighten the account password policy: " + Differences(current, desired),
           .detail = UpdateRequest(desired)});
    }
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& /*plan*/) const override {
    // Re-read: the before-state must be the policy this call replaces.
    ASR_ASSIGN_OR_RETURN(const json policy, ReadPolicy(ctx));
    const json current = Normalize(policy);
    const json desired = Merged(current, inv.params);
    Applied applied;
    applied.before = {{"PasswordPolicy", policy}};
    if (!policy.is_null() && desired == current) {
      return applied;  // already converged (a rerun)
    }
    const json request = UpdateRequest(desired);
    ASR_RETURN_IF_ERROR(ctx.Call("iam", "UpdateAccountPasswordPolicy", request)
                            .status()
                            .Annotate("update the account password policy"));
    applied.changes.push_back(
        {.action = "iam:UpdateAccountPasswordPolicy",
         .summary = policy.is_null()
                        ? "create the account password policy: " + Describe(desired)
                        : "tighten the account password policy: " + Differences(current, desired),
         .detail = request});
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& /*inv*/,
                                   const json& before) const override {
    if (!before.is_object() || !before.contains("PasswordPolicy")) {
      return InvalidArgumentError("the record's before-state has no PasswordPolicy");
    }
    const json& previous = before["PasswordPolicy"];
    ASR_ASSIGN_OR_RETURN(const json policy, ReadPolicy(ctx));
    std::vector<Change> changes;
    if (previous.is_null()) {
      if (policy.is_null()) {
        return changes;  // already restored
      }
      const Status deleted =
          ctx.Call("iam", "DeleteAccountPasswordPolicy", json::object()).status();
      if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) {
        return deleted.Annotate("delete the account password policy");
      }
      changes.push_back({.action = "iam:DeleteAccountPasswordPolicy",
                         .summary = "delete the account password policy (the account had none)",
                         .detail = json::object()});
      return changes;
    }
    const json want = Normalize(previous);
    if (!policy.is_null() && Normalize(policy) == want) {
      return changes;  // already restored
    }
    const json request = UpdateRequest(want);
    ASR_RETURN_IF_ERROR(ctx.Call("iam", "UpdateAccountPasswordPolicy", request)
                            .status()
                            .Annotate("restore the account password policy"));
    changes.push_back({.action = "iam:UpdateAccountPasswordPolicy",
                       .summary = "restore the previous account password policy: " +
                                  Differences(Normalize(policy), want),
                       .detail = request});
    return changes;
  }

 private:
  // The account's PasswordPolicy object, or null when the account has none.
  static Result<json> ReadPolicy(Context& ctx) {
    Result<json> out = ctx.Call("iam", "GetAccountPasswordPolicy", json::object());
    if (!out.ok()) {
      if (out.status().code() == StatusCode::kNotFound) {
        return json();  // NoSuchEntity: no policy
      }
      return out.status().Annotate("read the account password policy");
    }
    const json policy = out->value("PasswordPolicy", json());
    if (!policy.is_object()) {
      return InternalError("GetAccountPasswordPolicy returned no PasswordPolicy object");
    }
    return policy;
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(SetIAMPasswordPolicy);
