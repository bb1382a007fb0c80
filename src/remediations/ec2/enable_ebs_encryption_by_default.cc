// EnableEbsEncryptionByDefault (EC2.7): turns on EBS encryption by default for the account in the
// finding's region, so every new volume and snapshot copy is encrypted.
//
// Reference: ASR-EnableEbsEncryptionByDefault calls EnableEbsEncryptionByDefault and asserts
// GetEbsEncryptionByDefault is true. Same here; the plan reads the setting first so a compliant
// region gets no call, and undo turns it off again only if this run turned it on. The default
// KMS key (GetEbsDefaultKmsKeyId) is left as it is. Existing volumes are not encrypted by this.

#include <string>
#include <vector>

#include "common/strings.h"
#include "remediation/registry.h"
#include "remediations/ec2/common.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

Result<bool> EncryptionByDefault(Context& ctx) {
  Result<json> out = ctx.Call("ec2", "GetEbsEncryptionByDefault", json::object());
  if (!out.ok()) {
    return out.status().Annotate("read EBS encryption by default");
  }
  const auto it = out->find("EbsEncryptionByDefault");
  if (it == out->end() || !it->is_boolean()) {
    return InternalError("GetEbsEncryptionByDefault returned no EbsEncryptionByDefault flag");
  }
  return it->get<bool>();
}

class EnableEbsEncryptionByDefault final : public Remediation {
 public:
  const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "EnableEbsEncryptionByDefault",
        .title = "Turn on EBS encryption by default in the region",
        .controls = {{.control_id = "EC2.7"}},
        .resource_type = "AwsAccount",
        .permissions = {"ec2:GetEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault",
                        "ec2:DisableEbsEncryptionByDefault"},
        .risk = Risk::kSafe,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "undo turns encryption by default off again; volumes created "
            "meanwhile stay encrypted",
        .example_resource_id = "AWS::::Account:111111111111",
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_RETURN_IF_ERROR(Ec2CheckAccountResource(target));
    return json{{"AccountId", target.account_id}, {"Region", target.region}};
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    ASR_ASSIGN_OR_RETURN(const bool enabled, EncryptionByDefault(ctx));
    Plan plan;
    plan.current = {{"AccountId", inv.resource.value("AccountId", "")},
                    {"Region", ctx.region()},
                    {"EbsEncryptionByDefault", enabled}};
    if (!enabled) {
      plan.changes.push_back({.action = "ec2:EnableEbsEncryptionByDefault",
                              .summary = "turn on EBS encryption by default in " + ctx.region(),
                              .detail = {{"Region", ctx.region()}}});
    }
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& /*inv*/, const Plan& plan) const override {
    Applied applied;
    // Undo needs the value before this run; the plan read it just before.
    applied.before = {
        {"EbsEncryptionByDefault", plan.current.value("EbsEncryptionByDefault", true)}};
    if (plan.compliant()) {
      return applied;
    }
    Result<json> out = ctx.Call("ec2", "EnableEbsEncryptionByDefault", json::object());
    if (!out.ok()) {
      return out.status().Annotate("turn on EBS encryption by default");
    }
    applied.changes = plan.changes;
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& /*inv*/,
                                   const json& before) const override {
    if (before.value("EbsEncryptionByDefault", true)) {
      return std::vector<Change>{};  // it was already on: nothing of ours to undo
    }
    ASR_ASSIGN_OR_RETURN(const bool enabled, EncryptionByDefault(ctx));
    if (!enabled) {
      return std::vector<Change>{};  // already off
    }
    Result<json> out = ctx.Call("ec2", "DisableEbsEncryptionByDefault", json::object());
    if (!out.ok()) {
      return out.status().Annotate("turn off EBS encryption by default");
    }
    return std::vector<Change>{
        {.action = "ec2:DisableEbsEncryptionByDefault",
         .summary = "turn EBS encryption by default off again in " + ctx.region(),
         .detail = {{"Region", ctx.region()}}}};
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(EnableEbsEncryptionByDefault);
