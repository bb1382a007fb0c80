// EnableCloudTrailLogFileValidation (CloudTrail.4): turns on log file integrity validation of a
// trail, so that CloudTrail delivers signed digest files with which anyone can prove the log files
// were not changed or deleted after delivery.
//
// Reference: ASR-EnableCloudTrailLogFileValidation calls UpdateTrail EnableLogFileValidation=true
// and asserts GetTrail LogFileValidationEnabled. Same here, in the trail's home region (the
// finding of a multi-region trail may come from any region; UpdateTrail elsewhere fails), and the
// plan is empty when validation is already on. Undo turns validation off again.

#include <string>
#include <vector>

#include "common/strings.h"
#include "remediation/registry.h"
#include "remediations/cloudtrail/common.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

bool ValidationOn(const json& trail) { return trail.value("LogFileValidationEnabled", false); }

class EnableCloudTrailLogFileValidation final : public Remediation {
 public:
  const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "EnableCloudTrailLogFileValidation",
        .title = "Turn on log file integrity validation of a CloudTrail trail",
        .controls = {{.control_id = "CloudTrail.4"}},
        .resource_type = "AwsCloudTrailTrail",
        .permissions = {"cloudtrail:GetTrail", "cloudtrail:UpdateTrail"},
        .risk = Risk::kSafe,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "undo turns log file validation off again if it is still on (digest "
            "files already delivered stay in the bucket)",
        .example_resource_id = "arn:aws:cloudtrail:us-east-1:111111111111:trail/my-trail",
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_ASSIGN_OR_RETURN(const CtTrail trail,
                         CtTrailFromTarget(target, spec().example_resource_id));
    return CtTrailToJson(trail);
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    const CtTrail trail = CtTrailFromJson(inv.resource);
    ASR_ASSIGN_OR_RETURN(const json current, CtGetTrail(ctx, trail));
    Plan plan;
    plan.current = {{"TrailArn", trail.arn},
                    {"HomeRegion", trail.region},
                    {"LogFileValidationEnabled", ValidationOn(current)}};
    if (!ValidationOn(current)) {
      plan.changes.push_back(
          {.action = "cloudtrail:UpdateTrail",
           .summary = "turn on log file validation of trail " + Quote(trail.name),
           .detail = {{"Name", trail.arn}, {"EnableLogFileValidation", true}}});
    }
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& plan) const override {
    const CtTrail trail = CtTrailFromJson(inv.resource);
    ASR_ASSIGN_OR_RETURN(const json current, CtGetTrail(ctx, trail));
    Applied applied;
    applied.before = {{"TrailArn", trail.arn}, {"LogFileValidationEnabled", ValidationOn(current)}};
    if (ValidationOn(current)) {
      return applied;  // already on (a rerun, or someone else fixed it since the plan)
    }
    for (const Change& change : plan.changes) {
      ASR_RETURN_IF_ERROR(ctx.Call("cloudtrail", "UpdateTrail", change.detail, trail.region)
                              .status()
                              .Annotate(change.summary));
      applied.changes.push_back(change);
    }
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& inv,
                                   const json& before) const override {
    const CtTrail trail = CtTrailFromJson(inv.resource);
    if (before.value("LogFileValidationEnabled", true)) {
      return std::vector<Change>{};  // it was on before: the run changed nothing
    }
    ASR_ASSIGN_OR_RETURN(const json current, CtGetTrail(ctx, trail));
    if (!ValidationOn(current)) {
      return std::vector<Change>{};  // already off
    }
    const json request = {{"Name", trail.arn}, {"EnableLogFileValidation", false}};
    ASR_RETURN_IF_ERROR(ctx.Call("cloudtrail", "UpdateTrail", request, trail.region).status());
    return std::vector<Change>{
        {.action = "cloudtrail:UpdateTrail",
         .summary = "turn log file validation of trail " + Quote(trail.name) + " off again",
         .detail = request}};
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(EnableCloudTrailLogFileValidation);
