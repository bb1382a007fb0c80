// RevokeUnusedIAMUserCredentials (IAM.8 with 90 days, IAM.22 with 45): deactivates the IAM
// user's active access keys and deletes its console password when they have not been used for
// MaxCredentialUsageAge days.
//
// Reference: ASR-RevokeUnusedIAMUserCredentials deactivates access keys last used N or more
// whole days ago (never-used keys: created N or more days ago) and deletes the login profile
// when the password was last used N or more days ago (never used: the profile is N or more days
// old); it does not verify. Differences here:
//   * A credential's idle time counts from its latest use or its creation, whichever is later.
//     For keys this is the same thing; for passwords it keeps a login profile created (or
//     reset) recently from being deleted because of a use of an older password.
//   * Inactive keys are left alone (the reference "deactivates" them again).
//   * Apply re-evaluates with fresh data and acts only on the planned credentials that still
//     qualify, so a credential used between plan and apply (say, while waiting for a person to
//     confirm) is kept.
//   * The user is checked against the finding (unique id, ARN), as in RevokeUnrotatedKeys.
// Undo reactivates exactly the keys this run deactivated. A deleted password cannot be restored:
// IAM never reveals passwords, so undo can only tell the operator to issue a new one.

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
using TimePoint = std::chrono::system_clock::time_point;

// "last used 2025-01-02 (s3), idle 400 days" / "never used, created 2025-01-02, idle 400 days".
std::string Idle(std::optional<TimePoint> last_used, std::string_view used_where, TimePoint created,
                 TimePoint now) {
  std::string out;
  if (last_used) {
    out = "last used " + FormatDate(*last_used);
    if (!used_where.empty()) {
      out += " (" + std::string(used_where) + ")";
    }
    if (*last_used < created) {
      out += ", created " + FormatDate(created);
    }
  } else {
    out = "never used, created " + FormatDate(created);
  }
  const TimePoint since = std::max(last_used.value_or(created), created);
  return out + ", idle " + std::to_string(IamWholeDays(now - since)) + " days";
}

class RevokeUnusedIAMUserCredentials final : public Remediation {
 public:
  [[nodiscard]] const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "RevokeUnusedIAMUserCredentials",
        .title =
            "Deactivate an IAM user's unused access keys and delete its unused console "
            "password",
        .controls = {{.control_id = "IAM.8"},
                     {.control_id = "IAM.22", .defaults = {{"MaxCredentialUsageAge", "45"}}}},
        .resource_type = "AwsIamUser",
        .permissions = {"iam:GetUser", "iam:ListUsers", "iam:ListAccessKeys",
                        "iam:GetAccessKeyLastUsed", "iam:UpdateAccessKey", "iam:GetLoginProfile",
                        "iam:DeleteLoginProfile"},
        .parameters = {{.name = "MaxCredentialUsageAge",
                        .type = ParamType::kInt,
                        .default_json = "90",
                        .min = 0,
                        .max = 10000,
                        .description = "Credentials unused (or, never used, created) this many "
                                       "days ago or earlier are revoked (0: every active key and "
                                       "the console password)"}},
        .risk = Risk::kDisruptive,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "partly: undo reactivates exactly the access keys this run deactivated; a deleted "
            "console password cannot be restored (IAM never reveals passwords), so when the run "
            "deleted one, undo reactivates the keys and then fails, asking for a new login "
            "profile to be created",
        .example_resource_id = std::string(kIamUserExample),
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override { return IamResolveUser(target); }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    return Evaluate(ctx, inv);
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& plan) const override {
    std::vector<std::string> planned_keys;
    bool planned_login = false;
    for (const Change& c : plan.changes) {
      if (c.action == "iam:UpdateAccessKey") {
        planned_keys.push_back(c.detail.value("AccessKeyId", ""));
      } else if (c.action == "iam:DeleteLoginProfile") {
        planned_login = true;
      }
    }
    ASR_ASSIGN_OR_RETURN(const Plan fresh, Evaluate(ctx, inv));
    const std::string name = fresh.current["User"].value("UserName", "");
    Applied applied;
    applied.before = {
        {"UserName", name}, {"Deactivated", json::array()}, {"DeletedLoginProfile", json()}};
    for (const Change& c : fresh.changes) {
      if (c.action == "iam:UpdateAccessKey") {
        const std::string id = c.detail.value("AccessKeyId", "");
        if (std::find(planned_keys.begin(), planned_keys.end(), id) == planned_keys.end()) {
          continue;  // not in the plan that was confirmed
        }
        const Status updated =
            ctx.Call("iam", "UpdateAccessKey",
                     {{"UserName", name}, {"AccessKeyId", id}, {"Status", "Inactive"}})
                .status();
        if (updated.code() == StatusCode::kNotFound) {
          continue;  // deleted in the meantime
        }
        ASR_RETURN_IF_ERROR(updated.Annotate("deactivate access key " + Quote(id)));
        applied.before["Deactivated"].push_back(id);
        applied.changes.push_back(c);
      } else if (c.action == "iam:DeleteLoginProfile" && planned_login) {
        const Status deleted = ctx.Call("iam", "DeleteLoginProfile", {{"UserName", name}}).status();
        if (deleted.code() == StatusCode::kNotFound) {
          continue;  // deleted in the meantime
        }
        ASR_RETURN_IF_ERROR(
            deleted.Annotate("delete the login profile of IAM user " + Quote(name)));
        applied.before["DeletedLoginProfile"] = fresh.current["LoginProfile"];
        applied.changes.push_back(c);
      }
    }
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& /*inv*/,
                                   const json& before) const override {
    if (!before.is_object() || !before.value("UserName", json()).is_string()) {
      return InvalidArgumentError("the record's before-state names no IAM user");
    }
    const std::string name = before["UserName"];
    Result<std::vector<Change>> keys =
        IamReactivateAccessKeys(ctx, name, before.value("Deactivated", json()));
    if (before.value("DeletedLoginProfile", json()).is_null()) {
      return keys;
    }
    std::string done;
    if (keys.ok()) {
      for (const Change& c : *keys) {
        done += (done.empty() ? "" : ", ") + c.detail.value("AccessKeyId", "");
      }
      done = done.empty() ? "no access key needed reactivating" : "reactivated " + done;
    } else {
      done = keys.status().message();
    }
    return FailedPreconditionError(
        done + "; the console password of IAM user " + Quote(name) +
        " that this run deleted cannot be restored (IAM never reveals passwords): create a new "
        "one (aws iam create-login-profile --user-name " +
        name + " --password-reset-required --password ...) and give it to the user");
  }

 private:
  // The current credentials of the user and the changes that revoke the unused ones.
  static Result<Plan> Evaluate(Context& ctx, const Invocation& inv) {
    ASR_ASSIGN_OR_RETURN(const json user, IamLookUpUser(ctx, inv.resource));
    const std::string name = user.value("UserName", "");
    ASR_ASSIGN_OR_RETURN(const json keys, IamListAccessKeysWithLastUse(ctx, name, "Active"));
    ASR_ASSIGN_OR_RETURN(const json profile, ReadLoginProfile(ctx, name));
    const std::int64_t max_idle = inv.params.Int("MaxCredentialUsageAge");
    const auto limit = IamDays(max_idle);
    const auto now = ctx.clock().Now();
    Plan plan;
    plan.current = {{"User", user},
                    {"AccessKeys", keys},
                    {"LoginProfile", profile},
                    {"MaxCredentialUsageAge", max_idle}};
    for (const json& key : keys) {
      if (key.value("Status", "") != "Active") {
        continue;
      }
      const std::string id = key.value("AccessKeyId", "");
      ASR_ASSIGN_OR_RETURN(const auto created, IamParseTimestamp("CreateDate of access key " + id,
                                                                 key.value("CreateDate", "")));
      ASR_ASSIGN_OR_RETURN(const auto last_used, IamOptionalTimestamp(key, "LastUsedDate"));
      if (now - std::max(created, last_used.value_or(created)) < limit) {
        continue;
      }
      plan.changes.push_back(
          {.action = "iam:UpdateAccessKey",
           .summary = "deactivate access key " + id + " of IAM user " + name + ": " +
                      Idle(last_used, key.value("LastUsedService", ""), created, now) +
                      " (at least " + std::to_string(max_idle) + ")",
           .detail = {{"UserName", name},
                      {"AccessKeyId", id},
                      {"Status", "Inactive"},
                      {"CreateDate", key.value("CreateDate", "")},
                      {"LastUsedDate", key.value("LastUsedDate", json())}}});
    }
    if (!profile.is_null()) {
      ASR_ASSIGN_OR_RETURN(const auto created,
                           IamParseTimestamp("CreateDate of the login profile of " + name,
                                             profile.value("CreateDate", "")));
      ASR_ASSIGN_OR_RETURN(const auto last_used, IamOptionalTimestamp(user, "PasswordLastUsed"));
      if (now - std::max(created, last_used.value_or(created)) >= limit) {
        plan.changes.push_back(
            {.action = "iam:DeleteLoginProfile",
             .summary = "delete the console password (login profile) of IAM user " + name + ": " +
                        Idle(last_used, "", created, now) + " (at least " +
                        std::to_string(max_idle) + "); it cannot be restored",
             .detail = {{"UserName", name},
                        {"CreateDate", profile.value("CreateDate", "")},
                        {"PasswordLastUsed", user.value("PasswordLastUsed", json())}}});
      }
    }
    return plan;
  }

  // The user's LoginProfile object, or null when the user has no console password.
  static Result<json> ReadLoginProfile(Context& ctx, const std::string& name) {
    Result<json> out = ctx.Call("iam", "GetLoginProfile", {{"UserName", name}});
    if (!out.ok()) {
      if (out.status().code() == StatusCode::kNotFound) {
        return json();
      }
      return out.status().Annotate("read the login profile of IAM user " + Quote(name));
    }
    return out->value("LoginProfile", json());
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(RevokeUnusedIAMUserCredentials);
