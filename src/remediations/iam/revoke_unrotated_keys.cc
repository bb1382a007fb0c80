// RevokeUnrotatedKeys (IAM.3): deactivates the IAM user's active access keys that are older than
// MaxCredentialUsageAge days.
//
// Reference: ASR-RevokeUnrotatedKeys lists the user's active keys and deactivates those whose
// age, or time since last use, exceeds MaxCredentialUsageAge whole days, then checks that they
// are Inactive. A key cannot be used before it exists, so "last used more than N days ago"
// implies "created more than N days ago": the age alone decides. Ages are compared exactly
// (older than N x 24 h) rather than in whole days, so MaxCredentialUsageAge=0 means "every
// active key". The key's last use is still read, for the plan: it tells the operator whether the
// key is in use (deactivating a used key breaks whatever uses it). The user comes from the
// finding's ARN or, for findings that carry the user's unique id, from ListUsers; a finding
// about a user that was deleted and recreated under the same name is refused. Apply re-reads the
// keys and deactivates only the planned ones still Active; undo reactivates exactly the keys
// this run deactivated.

#include <algorithm>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/strings.h"
#include "remediation/registry.h"
#include "remediations/iam/common.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

class RevokeUnrotatedKeys final : public Remediation {
 public:
  [[nodiscard]] const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "RevokeUnrotatedKeys",
        .title = "Deactivate an IAM user's access keys older than MaxCredentialUsageAge days",
        .controls = {{.control_id = "IAM.3"}},
        .resource_type = "AwsIamUser",
        .permissions = {"iam:GetUser", "iam:ListUsers", "iam:ListAccessKeys",
                        "iam:GetAccessKeyLastUsed", "iam:UpdateAccessKey"},
        .parameters = {{.name = "MaxCredentialUsageAge",
                        .type = ParamType::kInt,
                        .default_json = "90",
                        .min = 0,
                        .max = 10000,
                        .description = "Active access keys created more than this many days ago "
                                       "are deactivated (0: every active key)"}},
        .risk = Risk::kDisruptive,
        .reversible = Reversible::kYes,
        .reversibility_note = "undo reactivates exactly the access keys this run deactivated",
        .example_resource_id = std::string(kIamUserExample),
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override { return IamResolveUser(target); }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    ASR_ASSIGN_OR_RETURN(const json user, IamLookUpUser(ctx, inv.resource));
    const std::string name = user.value("UserName", "");
    ASR_ASSIGN_OR_RETURN(const json keys, IamListAccessKeysWithLastUse(ctx, name, "Active"));
    const std::int64_t max_age = inv.params.Int("MaxCredentialUsageAge");
    const auto now = ctx.clock().Now();
    Plan plan;
    plan.current = {{"User", user}, {"AccessKeys", keys}, {"MaxCredentialUsageAge", max_age}};
    for (const json& key : keys) {
      if (key.value("Status", "") != "Active") {
        continue;
      }
      const std::string id = key.value("AccessKeyId", "");
      ASR_ASSIGN_OR_RETURN(const auto created, IamParseTimestamp("CreateDate of access key " + id,
                                                                 key.value("CreateDate", "")));
      if (now - created <= IamDays(max_age)) {
        continue;
      }
      ASR_ASSIGN_OR_RETURN(const auto last_used, IamOptionalTimestamp(key, "LastUsedDate"));
      const std::string use = last_used ? "last used " + FormatDate(*last_used) + " (" +
                                              key.value("LastUsedService", "") + ")"
                                        : std::string("never used");
      plan.changes.push_back(
          {.action = "iam:UpdateAccessKey",
           .summary = "deactivate access key " + id + " of IAM user " + name + ": created " +
                      FormatDate(created) + ", " + std::to_string(IamWholeDays(now - created)) +
                      " days ago (more than " + std::to_string(max_age) + "); " + use,
           .detail = {{"UserName", name},
                      {"AccessKeyId", id},
                      {"Status", "Inactive"},
                      {"CreateDate", key.value("CreateDate", "")},
                      {"LastUsedDate", key.value("LastUsedDate", json())}}});
    }
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& /*inv*/, const Plan& plan) const override {
    Applied applied;
    if (plan.changes.empty()) {
      return applied;
    }
    const std::string name = plan.changes.front().detail["UserName"];
    ASR_ASSIGN_OR_RETURN(const json keys, IamListAccessKeys(ctx, name));
    applied.before = {{"UserName", name}, {"Deactivated", json::array()}};
    for (const Change& change : plan.changes) {
      const std::string id = change.detail["AccessKeyId"];
      const auto key = std::find_if(keys.begin(), keys.end(), [&](const json& k) {
        return k.value("AccessKeyId", "") == id;
      });
      if (key == keys.end() || key->value("Status", "") != "Active") {
        continue;  // deleted or deactivated since the plan (or by an earlier run)
      }
      const Status updated =
          ctx.Call("iam", "UpdateAccessKey",
                   {{"UserName", name}, {"AccessKeyId", id}, {"Status", "Inactive"}})
              .status();
      if (updated.code() == StatusCode::kNotFound) {
        continue;  // deleted in the meantime: nothing left to deactivate
      }
      ASR_RETURN_IF_ERROR(updated.Annotate("deactivate access key " + Quote(id)));
      applied.before["Deactivated"].push_back(id);
      applied.changes.push_back(change);
    }
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& /*inv*/,
                                   const json& before) const override {
    if (!before.is_object() || !before.value("UserName", json()).is_string()) {
      return InvalidArgumentError("the record's before-state names no IAM user");
    }
    return IamReactivateAccessKeys(ctx, before["UserName"], before.value("Deactivated", json()));
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(RevokeUnrotatedKeys);
