// ConfigureS3PublicAccessBlock (S3.1): turns on the account-level S3 public access block
// (s3control, AccountId = the finding's account).
//
// Reference: ASR-ConfigureS3PublicAccessBlock puts the four flags exactly as the parameters say
// and polls GetPublicAccessBlock until they match. Here a false parameter only means "not
// required" (a flag that is on stays on), the block is re-read before the put, the runner's
// verify re-reads it (with retries for S3's eventual consistency), and undo turns off only the
// flags this run turned on (deleting the block when there was none).

#include <optional>
#include <string>

#include "common/arn.h"
#include "common/strings.h"
#include "remediation/registry.h"
#include "remediation/resource.h"
#include "remediations/s3/common.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

constexpr std::string_view kAccountPrefix = "AWS::::Account:";

class ConfigureS3PublicAccessBlock final : public Remediation {
 public:
  [[nodiscard]] const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "ConfigureS3PublicAccessBlock",
        .title = "Turn on the account-level S3 public access block",
        .controls = {{.control_id = "S3.1"}},
        .resource_type = "AwsAccount",
        .permissions = {"s3:GetAccountPublicAccessBlock", "s3:PutAccountPublicAccessBlock"},
        .parameters = S3PabParameters(),
        .risk = Risk::kDisruptive,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "undo turns off the flags the run turned on (deleting the block if there was none); "
            "flags changed by others since are left alone",
        .example_resource_id = "AWS::::Account:111111111111",
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_RETURN_IF_ERROR(CheckAccountTarget(target));
    // S3.1 findings name the account ("AWS::::Account:<id>"); some name a bucket of it. Whatever
    // the resource, it must not name another account.
    const std::string& id = target.resource_id;
    std::string named;
    if (id.starts_with(kAccountPrefix)) {
      named = id.substr(kAccountPrefix.size());
    } else if (const std::optional<Arn> arn = ParseArn(id); arn) {
      named = std::string(arn->account);
    }
    if (!named.empty() && named != target.account_id) {
      return InvalidArgumentError(
          "resource id " + Quote(id) + " names account " + Quote(named) + ", not the finding's " +
          target.account_id + "; expected a resource like " + Quote(spec().example_resource_id));
    }
    return json{{"AccountId", target.account_id}};
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
    const std::string account = S3JsonString(inv.resource, "AccountId");
    return {
        .service = "s3control", .id = {{"AccountId", account}}, .subject = "account " + account};
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(ConfigureS3PublicAccessBlock);
