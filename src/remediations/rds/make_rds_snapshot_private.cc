// MakeRDSSnapshotPrivate (RDS.1): stops sharing an RDS DB snapshot or DB cluster snapshot with
// everyone.
//
// Reference: ASR-MakeRDSSnapshotPrivate removes "all" from the snapshot's "restore" attribute
// (ModifyDBSnapshotAttribute or ModifyDBClusterSnapshotAttribute, by the ARN's resource type)
// without reading it first and without verifying. Here the attribute is read first (plan and
// verify), so a private snapshot is reported compliant with no call that changes anything.
// Accounts the snapshot is shared with by id keep their access: RDS.1 is about public sharing.
// Undo adds "all" back.

#include <algorithm>
#include <string>
#include <vector>

#include "common/arn.h"
#include "common/strings.h"
#include "remediation/registry.h"
#include "remediation/resource.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

constexpr std::string_view kClusterPrefix = "cluster-snapshot:";
constexpr std::string_view kInstancePrefix = "snapshot:";

// The API names for one kind of snapshot.
struct Kind {
  const char* describe;       // Describe...Attributes operation
  const char* modify;         // Modify...Attribute operation
  const char* id_param;       // the identifier parameter of both
  const char* result;         // the Describe output member holding the attributes
  const char* attributes;     // the list of {AttributeName, AttributeValues} inside it
  const char* modify_action;  // IAM action of `modify`
  const char* noun;           // for messages
};

constexpr Kind kInstanceKind = {"DescribeDBSnapshotAttributes",
                                "ModifyDBSnapshotAttribute",
                                "DBSnapshotIdentifier",
                                "DBSnapshotAttributesResult",
                                "DBSnapshotAttributes",
                                "rds:ModifyDBSnapshotAttribute",
                                "DB snapshot"};
constexpr Kind kClusterKind = {"DescribeDBClusterSnapshotAttributes",
                               "ModifyDBClusterSnapshotAttribute",
                               "DBClusterSnapshotIdentifier",
                               "DBClusterSnapshotAttributesResult",
                               "DBClusterSnapshotAttributes",
                               "rds:ModifyDBClusterSnapshotAttribute",
                               "DB cluster snapshot"};

const Kind& KindOf(const json& resource) {
  return resource.value("SnapshotType", "") == "cluster-snapshot" ? kClusterKind : kInstanceKind;
}

class MakeRDSSnapshotPrivate final : public Remediation {
 public:
  [[nodiscard]] const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "MakeRDSSnapshotPrivate",
        .title = "Stop sharing an RDS DB snapshot or DB cluster snapshot publicly",
        .controls = {{.control_id = "RDS.1"}},
        // Also AwsRdsDbClusterSnapshot (cluster-snapshot ARNs).
        .resource_type = "AwsRdsDbSnapshot",
        .permissions = {"rds:DescribeDBSnapshotAttributes", "rds:ModifyDBSnapshotAttribute",
                        "rds:DescribeDBClusterSnapshotAttributes",
                        "rds:ModifyDBClusterSnapshotAttribute"},
        .risk = Risk::kSafe,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "undo shares the snapshot publicly again (adds \"all\" back to its "
            "restore attribute)",
        .example_resource_id = "arn:aws:rds:us-east-1:111111111111:snapshot:my-snapshot",
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    const std::optional<Arn> arn = ParseArn(target.resource_id);
    const bool cluster = arn && arn->resource.starts_with(kClusterPrefix);
    ASR_ASSIGN_OR_RETURN(const std::string id,
                         ArnResourceAfter(target, "rds", cluster ? kClusterPrefix : kInstancePrefix,
                                          spec().example_resource_id));
    ASR_RETURN_IF_ERROR(CheckPattern("snapshot identifier", id, "[A-Za-z][A-Za-z0-9:-]{0,254}"));
    if (!IsAwsRegionName(arn->region)) {
      return InvalidArgumentError("resource id " + Quote(target.resource_id) +
                                  " has no valid region; expected an ARN like " +
                                  Quote(spec().example_resource_id));
    }
    if ((cluster && target.resource_type == "AwsRdsDbSnapshot") ||
        (!cluster && target.resource_type == "AwsRdsDbClusterSnapshot")) {
      return InvalidArgumentError("resource id " + Quote(target.resource_id) + " names a " +
                                  (cluster ? "DB cluster snapshot" : "DB snapshot") +
                                  " but the resource type is " + target.resource_type);
    }
    return json{{"SnapshotType", cluster ? "cluster-snapshot" : "snapshot"},
                {"SnapshotId", id},
                {"SnapshotArn", target.resource_id},
                {"Region", arn->region}};
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    const Kind& kind = KindOf(inv.resource);
    const std::string id = inv.resource["SnapshotId"];
    ASR_ASSIGN_OR_RETURN(const json restore, ReadRestore(ctx, inv.resource));
    Plan plan;
    plan.current = {
        {"SnapshotType", inv.resource["SnapshotType"]}, {kind.id_param, id}, {"restore", restore}};
    if (IsPublic(restore)) {
      const size_t accounts = restore.size() - 1;
      plan.changes.push_back(
          {.action = kind.modify_action,
           .summary = "stop sharing " + std::string(kind.noun) + " " + id +
                      " publicly (remove \"all\" from its restore attribute" +
                      (accounts == 0 ? std::string()
                                     : "; the " + std::to_string(accounts) +
                                           " account(s) it is shared with keep access") +
                      ")",
           .detail = {
               {kind.id_param, id}, {"AttributeName", "restore"}, {"ValuesToRemove", {"all"}}}});
    }
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& plan) const override {
    const Kind& kind = KindOf(inv.resource);
    const std::string id = inv.resource["SnapshotId"];
    // Re-read so that undo only re-publishes what this run made private.
    ASR_ASSIGN_OR_RETURN(const json restore, ReadRestore(ctx, inv.resource));
    Applied applied;
    applied.before = {{kind.id_param, id}, {"WasPublic", IsPublic(restore)}};
    if (!IsPublic(restore)) {
      return applied;
    }
    ASR_RETURN_IF_ERROR(
        ctx.Call("rds", kind.modify,
                 {{kind.id_param, id}, {"AttributeName", "restore"}, {"ValuesToRemove", {"all"}}},
                 inv.resource["Region"].get<std::string>())
            .status()
            .Annotate("make " + std::string(kind.noun) + " " + Quote(id) + " private"));
    applied.changes = plan.changes;
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& inv,
                                   const json& before) const override {
    if (!before.is_object() || !before.value("WasPublic", json()).is_boolean()) {
      return InvalidArgumentError("the record's before-state has no WasPublic");
    }
    std::vector<Change> changes;
    if (!before["WasPublic"].get<bool>()) {
      return changes;  // the run changed nothing
    }
    const Kind& kind = KindOf(inv.resource);
    const std::string id = inv.resource["SnapshotId"];
    ASR_ASSIGN_OR_RETURN(const json restore, ReadRestore(ctx, inv.resource));
    if (IsPublic(restore)) {
      return changes;  // already restored
    }
    const json request = {
        {kind.id_param, id}, {"AttributeName", "restore"}, {"ValuesToAdd", {"all"}}};
    ASR_RETURN_IF_ERROR(
        ctx.Call("rds", kind.modify, request, inv.resource["Region"].get<std::string>())
            .status()
            .Annotate("share " + std::string(kind.noun) + " " + Quote(id) + " publicly again"));
    changes.push_back({.action = kind.modify_action,
                       .summary = "share " + std::string(kind.noun) + " " + id +
                                  " publicly again (add \"all\" to its restore attribute)",
                       .detail = request});
    return changes;
  }

 private:
  static bool IsPublic(const json& restore) {
    return std::find(restore.begin(), restore.end(), json("all")) != restore.end();
  }

  // The values of the snapshot's "restore" attribute (account ids, or "all"); empty when the
  // snapshot is not shared.
  static Result<json> ReadRestore(Context& ctx, const json& resource) {
    const Kind& kind = KindOf(resource);
    const std::string id = resource["SnapshotId"];
    Result<json> out = ctx.Call("rds", kind.describe, {{kind.id_param, id}},
                                resource["Region"].get<std::string>());
    if (!out.ok()) {
      return out.status().Annotate("read the sharing of " + std::string(kind.noun) + " " +
                                   Quote(id));
    }
    const json result = out->value(kind.result, json::object());
    for (const json& attribute : result.value(kind.attributes, json::array())) {
      if (attribute.value("AttributeName", "") == "restore") {
        const json values = attribute.value("AttributeValues", json::array());
        return values.is_array() ? values : json::array();
      }
    }
    return json::array();
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(MakeRDSSnapshotPrivate);
