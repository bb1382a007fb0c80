// BlockSSMDocumentPublicAccess (SSM.4): stops sharing an SSM document with everyone.
//
// Reference: ASR-BlockSSMDocumentPublicAccess reads the document's Share permission and, when its
// AccountIds contain "all", removes "all" (sharing with specific accounts is kept), then reads it
// back; a document that is not public makes the script exit with an error. Here a document that
// is not public is simply compliant, all pages of the permission are read, and undo shares the
// document with "all" again, with the document version it was shared at.

#include <algorithm>
#include <optional>
#include <string>

#include "common/arn.h"
#include "common/strings.h"
#include "remediation/registry.h"
#include "remediation/resource.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

constexpr std::string_view kAll = "all";

// object[key] when it is a string, else "" (nlohmann's value() throws on other types; records
// are read back from files).
std::string Str(const json& object, std::string_view key) {
  if (!object.is_object()) {
    return "";
  }
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// The document's Share permission: the accounts and, per account, the version shared.
struct Sharing {
  json account_ids = json::array();
  json sharing_info = json::array();
  [[nodiscard]] bool IsPublic() const {
    return std::any_of(account_ids.begin(), account_ids.end(), [](const json& id) {
      return id.is_string() && EqualsIgnoreCase(id.get<std::string>(), kAll);
    });
  }
  // The version shared publicly ("" when not reported).
  [[nodiscard]] std::string PublicVersion() const {
    for (const json& info : sharing_info) {
      if (EqualsIgnoreCase(info.value("AccountId", ""), kAll)) {
        return info.value("SharedDocumentVersion", "");
      }
    }
    return "";
  }
};

class BlockSSMDocumentPublicAccess final : public Remediation {
 public:
  [[nodiscard]] const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "BlockSSMDocumentPublicAccess",
        .title = "Stop sharing an SSM document publicly",
        .controls = {{.control_id = "SSM.4"}},
        .resource_type = "AwsSsmDocument",
        .permissions = {"ssm:DescribeDocumentPermission", "ssm:ModifyDocumentPermission"},
        .risk = Risk::kDisruptive,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "undo shares the document with \"all\" again (at the version it was shared at); it "
            "fails if the account now blocks public sharing of documents",
        .example_resource_id = "arn:aws:ssm:us-east-1:111111111111:document/my-document",
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_ASSIGN_OR_RETURN(const std::string name,
                         ArnResourceAfter(target, "ssm", "document/", spec().example_resource_id));
    const std::optional<Arn> arn = ParseArn(target.resource_id);
    if (arn && !target.region.empty() && arn->region != target.region) {
      return InvalidArgumentError("resource id " + Quote(target.resource_id) + " names region " +
                                  Quote(arn->region) + ", not the finding's " +
                                  Quote(target.region));
    }
    ASR_RETURN_IF_ERROR(CheckPattern("document name", name, "[A-Za-z0-9_.-]{3,128}")
                            .Annotate("resource id " + Quote(target.resource_id)));
    return json{{"Name", name}};
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    const std::string name = Str(inv.resource, "Name");
    ASR_ASSIGN_OR_RETURN(const Sharing sharing, Read(ctx, name));
    Plan plan;
    plan.current = {{"Name", name},
                    {"AccountIds", sharing.account_ids},
                    {"AccountSharingInfoList", sharing.sharing_info}};
    if (sharing.IsPublic()) {
      plan.changes.push_back(RemoveChange(name, "stop"));
    }
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& /*plan*/) const override {
    const std::string name = Str(inv.resource, "Name");
    ASR_ASSIGN_OR_RETURN(const Sharing sharing, Read(ctx, name));
    Applied applied;
    applied.before = {{"Public", false}, {"SharedDocumentVersion", sharing.PublicVersion()}};
    if (!sharing.IsPublic()) {
      return applied;
    }
    ASR_RETURN_IF_ERROR(
        ctx.Call("ssm", "ModifyDocumentPermission",
                 {{"Name", name}, {"PermissionType", "Share"}, {"AccountIdsToRemove", {kAll}}})
            .status()
            .Annotate("stop sharing document " + Quote(name) + " publicly"));
    applied.before["Public"] = true;
    applied.changes.push_back(RemoveChange(name, "stopped"));
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& inv,
                                   const json& before) const override {
    if (!before.is_object() || !before.contains("Public") || !before["Public"].is_boolean()) {
      return InvalidArgumentError("the record's before-state has no Public field");
    }
    std::vector<Change> changes;
    if (!before["Public"].get<bool>()) {
      return changes;  // the run changed nothing
    }
    const std::string name = Str(inv.resource, "Name");
    ASR_ASSIGN_OR_RETURN(const Sharing sharing, Read(ctx, name));
    if (sharing.IsPublic()) {
      return changes;  // already public again
    }
    json request = {{"Name", name}, {"PermissionType", "Share"}, {"AccountIdsToAdd", {kAll}}};
    if (const std::string version = Str(before, "SharedDocumentVersion"); !version.empty()) {
      request["SharedDocumentVersion"] = version;
    }
    ASR_RETURN_IF_ERROR(ctx.Call("ssm", "ModifyDocumentPermission", request)
                            .status()
                            .Annotate("share document " + Quote(name) + " publicly again"));
    changes.push_back({.action = "ssm:ModifyDocumentPermission",
                       .summary = "shared document " + Quote(name) + " with \"all\" again",
                       .detail = request});
    return changes;
  }

 private:
  static Change RemoveChange(const std::string& name, std::string_view verb) {
    return {
        .action = "ssm:ModifyDocumentPermission",
        .summary = std::string(verb) + " sharing document " + Quote(name) +
                   " with everyone (remove \"all\"; sharing with named accounts is kept)",
        .detail = {{"Name", name}, {"PermissionType", "Share"}, {"AccountIdsToRemove", {kAll}}}};
  }

  static Result<Sharing> Read(Context& ctx, const std::string& name) {
    Sharing sharing;
    json request = {{"Name", name}, {"PermissionType", "Share"}};
    // Follow NextToken by hand: the operation has no paginator in the model. The cap guards
    // against a service that keeps returning a token.
    for (int page = 0; page < 100; ++page) {
      Result<json> out = ctx.Call("ssm", "DescribeDocumentPermission", request);
      if (!out.ok()) {
        const Status& st = out.status();
        // SSM answers a missing document with InvalidDocument (HTTP 400, so InvalidArgument).
        if (st.aws_error_code() == "InvalidDocument") {
          return NotFoundError("document " + Quote(name) + " does not exist in region " +
                               ctx.region() + ": " + st.message())
              .WithAwsError(st.aws_error_code(), st.request_id());
        }
        return st.Annotate("read the sharing of document " + Quote(name));
      }
      for (const json& id : out->value("AccountIds", json::array())) {
        sharing.account_ids.push_back(id);
      }
      for (const json& info : out->value("AccountSharingInfoList", json::array())) {
        sharing.sharing_info.push_back(info);
      }
      const std::string token = out->value("NextToken", "");
      if (token.empty()) {
        return sharing;
      }
      request["NextToken"] = token;
    }
    return InternalError("DescribeDocumentPermission of document " + Quote(name) +
                         " returned more than 100 pages");
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(BlockSSMDocumentPublicAccess);
