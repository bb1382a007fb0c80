// EnableCloudTrailEncryption (CloudTrail.2): makes CloudTrail encrypt a trail's log files with a
// KMS key (SSE-KMS) instead of the bucket's default SSE-S3.
//
// Reference: ASR-EnableCloudTrailEncryption calls UpdateTrail(Name=TrailArn,
// KmsKeyId=KMSKeyArn) in the trail's region, KMSKeyArn defaulting to the ASR member stack's key
// (SSM /Solutions/SO0111/CMK_REMEDIATION_ARN), and never checks the result. Here:
//   * the key is the KMSKeyArn parameter or, when that is empty, the same SSM parameter (so
//     accounts with ASR's member stack behave as before); when neither is set the plan fails and
//     says what to configure: there is no sane built-in key, since the key policy must let
//     CloudTrail encrypt (kms:GenerateDataKey*) and log readers decrypt;
//   * a trail that already has a key is compliant and left alone (its key is not replaced);
//   * verify reads the trail back (GetTrail KmsKeyId set).
// Undo sends UpdateTrail KmsKeyId "" (the API takes an empty key id as "no SSE-KMS"; Terraform's
// aws_cloudtrail removes kms_key_id the same way), but only while the trail still uses the key
// this run set.

#include <string>
#include <vector>

#include "common/strings.h"
#include "remediation/registry.h"
#include "remediations/cloudtrail/common.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

class EnableCloudTrailEncryption final : public Remediation {
 public:
  const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "EnableCloudTrailEncryption",
        .title = "Encrypt a CloudTrail trail's log files with a KMS key (SSE-KMS)",
        .controls = {{.control_id = "CloudTrail.2"}},
        .resource_type = "AwsCloudTrailTrail",
        .permissions = {"cloudtrail:GetTrail", "cloudtrail:UpdateTrail", "ssm:GetParameter"},
        .parameters = {CtKmsKeyParameter(
            "KMS key (key or alias ARN) CloudTrail encrypts the log files with; its key policy "
            "must let cloudtrail.amazonaws.com use kms:GenerateDataKey* and log readers "
            "kms:Decrypt. Empty: the ASR member key from SSM parameter "
            "/Solutions/SO0111/CMK_REMEDIATION_ARN, and the plan fails when that does not exist")},
        // Readers of the log files (SIEMs, Athena, people) need kms:Decrypt on the key afterwards.
        .risk = Risk::kDisruptive,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "undo sets the trail back to no SSE-KMS (UpdateTrail KmsKeyId \"\") "
            "if it still uses the key this run set; files delivered meanwhile "
            "stay encrypted with that key",
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
                    {"KmsKeyId", CtTrailKmsKey(current)}};
    if (!CtTrailKmsKey(current).empty()) {
      return plan;
    }
    ASR_ASSIGN_OR_RETURN(const CtKmsKey key, CtResolveKmsKey(ctx, inv.params.String("KMSKeyArn"),
                                                             inv.target.partition, trail.region));
    if (key.arn.empty()) {
      return FailedPreconditionError(
          "trail " + Quote(trail.arn) +
          " has no KMS key and none is configured: configure KMSKeyArn (a KMS key whose policy "
          "lets CloudTrail encrypt), or deploy ASR's member stack, which stores its key in SSM "
          "parameter " +
          std::string(kCtAsrKeyParameter));
    }
    plan.current["KeyToUse"] = {{"KmsKeyId", key.arn}, {"Source", key.source}};
    plan.changes.push_back({.action = "cloudtrail:UpdateTrail",
                            .summary = "encrypt the log files of trail " + Quote(trail.name) +
                                       " with KMS key " + Quote(key.arn) + " (from " + key.source +
                                       ")",
                            .detail = {{"Name", trail.arn}, {"KmsKeyId", key.arn}}});
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& plan) const override {
    const CtTrail trail = CtTrailFromJson(inv.resource);
    ASR_ASSIGN_OR_RETURN(const json current, CtGetTrail(ctx, trail));
    Applied applied;
    applied.before = {{"TrailArn", trail.arn}, {"KmsKeyId", CtTrailKmsKey(current)}};
    if (!CtTrailKmsKey(current).empty()) {
      return applied;  // encrypted since the plan (a rerun, or someone else)
    }
    for (const Change& change : plan.changes) {
      Result<json> out = ctx.Call("cloudtrail", "UpdateTrail", change.detail, trail.region);
      ASR_RETURN_IF_ERROR(out.status().Annotate(change.summary));
      // CloudTrail answers with the key ARN it stored (an alias is resolved to its key); undo
      // compares against that.
      const std::string stored = CtTrailKmsKey(*out);
      applied.before["AppliedKmsKeyId"] =
          stored.empty() ? change.detail["KmsKeyId"].get<std::string>() : stored;
      applied.changes.push_back(change);
    }
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& inv,
                                   const json& before) const override {
    const CtTrail trail = CtTrailFromJson(inv.resource);
    const std::string applied_key = before.value("AppliedKmsKeyId", "");
    if (applied_key.empty() || !before.value("KmsKeyId", "").empty()) {
      return std::vector<Change>{};  // the run changed nothing
    }
    ASR_ASSIGN_OR_RETURN(const json current, CtGetTrail(ctx, trail));
    const std::string now = CtTrailKmsKey(current);
    if (now.empty()) {
      return std::vector<Change>{};  // already back to no SSE-KMS
    }
    if (now != applied_key) {
      return FailedPreconditionError("trail " + Quote(trail.arn) + " now uses KMS key " +
                                     Quote(now) + ", not the key " + Quote(applied_key) +
                                     " this run set; not undoing a change made by someone else");
    }
    const json request = {{"Name", trail.arn}, {"KmsKeyId", ""}};
    ASR_RETURN_IF_ERROR(ctx.Call("cloudtrail", "UpdateTrail", request, trail.region).status());
    return std::vector<Change>{{.action = "cloudtrail:UpdateTrail",
                                .summary = "stop encrypting the log files of trail " +
                                           Quote(trail.name) + " with KMS key " +
                                           Quote(applied_key),
                                .detail = request}};
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(EnableCloudTrailEncryption);
