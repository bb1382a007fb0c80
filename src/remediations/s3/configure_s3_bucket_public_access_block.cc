// ConfigureS3BucketPublicAccessBlock (S3.2, S3.3, S3.8, CloudTrail.6): turns on the bucket's
// public access block flags.
//
// Reference: ASR-ConfigureS3BucketPublicAccessBlock puts the four flags exactly as the parameters
// say (a false parameter turns a flag off) and reads them back. Here a false parameter only means
// "not required": flags are never turned off, the block is re-read before the put so flags set by
// others survive, and undo turns off only the flags this run turned on (deleting the block when
// there was none).

#include <string>

#include "common/strings.h"
#include "remediation/registry.h"
#include "remediations/s3/common.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

class ConfigureS3BucketPublicAccessBlock final : public Remediation {
 public:
  [[nodiscard]] const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "ConfigureS3BucketPublicAccessBlock",
        .title = "Turn on the public access block of an S3 bucket",
        .controls = {{.control_id = "S3.2"},
                     {.control_id = "S3.3"},
                     {.control_id = "S3.8"},
                     {.control_id = "CloudTrail.6"}},
        .resource_type = "AwsS3Bucket",
        .permissions = {"s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"},
        .parameters = S3PabParameters(),
        .risk = Risk::kDisruptive,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "undo turns off the flags the run turned on (deleting the block if there was none); "
            "flags changed by others since are left alone",
        .example_resource_id = "arn:aws:s3:::my-bucket",
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_ASSIGN_OR_RETURN(const std::string bucket,
                         S3BucketFromTarget(target, spec().example_resource_id));
    return json{{"Bucket", bucket}, {"ExpectedBucketOwner", target.account_id}};
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    return S3PabPlan(ctx, Scope(inv), inv.params);
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& /*plan*/) const override {
    return S3PabApply(ctx, Scope(inv), inv.params);
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& inv,
                                   const json& before) const override {
    return S3PabUndo(ctx, Scope(inv), before);
  }

 private:
  static S3PabScope Scope(const Invocation& inv) {
    const std::string bucket = S3JsonString(inv.resource, "Bucket");
    return {.service = "s3",
            .id = {{"Bucket", bucket},
                   {"ExpectedBucketOwner", S3JsonString(inv.resource, "ExpectedBucketOwner")}},
            .subject = "bucket " + Quote(bucket)};
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(ConfigureS3BucketPublicAccessBlock);
