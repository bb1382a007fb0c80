// MakeEBSSnapshotsPrivate (EC2.1): removes public "create volume" permission from every EBS
// snapshot the account owns in the region. Sharing with specific accounts is kept.
//
// Reference: ASR-MakeEBSSnapshotsPrivate lists DescribeSnapshots(OwnerIds=[account],
// RestorableByUserIds=["all"]) and calls ModifySnapshotAttribute(remove group "all") on each, with
// no read-back. Here each candidate is confirmed public with DescribeSnapshotAttribute before it
// is planned (so a listing that over-reports never leads to a change), Verify re-reads every
// snapshot's attribute, and undo re-shares exactly the snapshots this run made private. The
// reference's TestMode parameter (a fixed list of snapshot ids for its own tests) is not kept.

#include <optional>
#include <string>
#include <vector>

#include "common/strings.h"
#include "remediation/registry.h"
#include "remediations/ec2/common.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

constexpr std::string_view kAttribute = "createVolumePermission";

bool IsPublic(const json& attribute) {
  for (const json& p : attribute.value("CreateVolumePermissions", json::array())) {
    if (p.value("Group", "") == "all") {
      return true;
    }
  }
  return false;
}

// The snapshot's createVolumePermission attribute, or nullopt when the snapshot no longer exists.
Result<std::optional<json>> ReadAttribute(Context& ctx, const std::string& snapshot_id) {
  Result<json> out = ctx.Call("ec2", "DescribeSnapshotAttribute",
                              {{"SnapshotId", snapshot_id}, {"Attribute", kAttribute}});
  if (!out.ok()) {
    if (out.status().code() == StatusCode::kNotFound) {
      return std::optional<json>();
    }
    return out.status().Annotate("read the sharing of snapshot " + snapshot_id);
  }
  return std::optional<json>(*out);
}

// Adds or removes the public group. NotFound when the snapshot is gone.
Status ModifyPublic(Context& ctx, const std::string& snapshot_id, std::string_view operation) {
  return ctx
      .Call("ec2", "ModifySnapshotAttribute",
            {{"SnapshotId", snapshot_id},
             {"Attribute", kAttribute},
             {"OperationType", operation},
             {"GroupNames", json::array({"all"})}})
      .status();
}

class MakeEBSSnapshotsPrivate final : public Remediation {
 public:
  const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "MakeEBSSnapshotsPrivate",
        .title = "Stop sharing the account's EBS snapshots publicly",
        .controls = {{.control_id = "EC2.1"}},
        .resource_type = "AwsAccount",
        .permissions = {"ec2:DescribeSnapshots", "ec2:DescribeSnapshotAttribute",
                        "ec2:ModifySnapshotAttribute"},
        .risk = Risk::kDisruptive,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "undo makes public again exactly the snapshots this run made "
            "private (those deleted since are skipped)",
        .example_resource_id = "AWS::::Account:111111111111",
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_RETURN_IF_ERROR(Ec2CheckAccountResource(target));
    return json{{"AccountId", target.account_id}};
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    const std::string account = inv.resource.value("AccountId", "");
    Result<json> listed = ctx.CallAll(
        "ec2", "DescribeSnapshots",
        {{"OwnerIds", json::array({account})}, {"RestorableByUserIds", json::array({"all"})}});
    if (!listed.ok()) {
      return listed.status().Annotate("list the public snapshots of account " + account);
    }
    Plan plan;
    json public_ids = json::array();
    for (const json& snapshot : listed->value("Snapshots", json::array())) {
      const std::string id = snapshot.value("SnapshotId", "");
      // The listing is only a candidate list: the attribute is the truth, and only the
      // account's own snapshots can be changed.
      if (id.empty() || snapshot.value("OwnerId", account) != account) {
        continue;
      }
      ASR_ASSIGN_OR_RETURN(const std::optional<json> attribute, ReadAttribute(ctx, id));
      if (!attribute || !IsPublic(*attribute)) {
        continue;
      }
      public_ids.push_back(id);
      plan.changes.push_back(
          {.action = "ec2:ModifySnapshotAttribute",
           .summary = "remove public create-volume permission from snapshot " + id +
                      (snapshot.value("Description", "").empty()
                           ? ""
                           : " (" + snapshot.value("Description", "") + ")"),
           .detail = {{"SnapshotId", id},
                      {"Attribute", kAttribute},
                      {"OperationType", "remove"},
                      {"GroupNames", json::array({"all"})},
                      {"CreateVolumePermissions",
                       attribute->value("CreateVolumePermissions", json::array())}}});
    }
    plan.current = {{"AccountId", account}, {"PublicSnapshotIds", public_ids}};
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& plan) const override {
    Applied applied;
    applied.before = {{"AccountId", inv.resource.value("AccountId", "")},
                      {"PublicSnapshotIds", json::array()}};
    for (const Change& change : plan.changes) {
      const std::string id = change.detail.value("SnapshotId", "");
      const Status s = ModifyPublic(ctx, id, "remove");
      if (s.code() == StatusCode::kNotFound) {
        continue;  // deleted since the plan: nothing public left to remove
      }
      ASR_RETURN_IF_ERROR(s.Annotate("make snapshot " + id + " private"));
      applied.before["PublicSnapshotIds"].push_back(id);
      applied.changes.push_back(change);
    }
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& /*inv*/,
                                   const json& before) const override {
    std::vector<Change> changes;
    for (const json& id_json : before.value("PublicSnapshotIds", json::array())) {
      if (!id_json.is_string()) {
        return InvalidArgumentError("the record's PublicSnapshotIds holds a non-string: " +
                                    id_json.dump());
      }
      const std::string id = id_json.get<std::string>();
      ASR_ASSIGN_OR_RETURN(const std::optional<json> attribute, ReadAttribute(ctx, id));
      if (!attribute || IsPublic(*attribute)) {
        continue;  // deleted since, or already public again
      }
      const Status s = ModifyPublic(ctx, id, "add");
      if (s.code() == StatusCode::kNotFound) {
        continue;
      }
      ASR_RETURN_IF_ERROR(s.Annotate("make snapshot " + id + " public again"));
      changes.push_back({.action = "ec2:ModifySnapshotAttribute",
                         .summary = "share snapshot " + id + " publicly again",
                         .detail = {{"SnapshotId", id},
                                    {"Attribute", kAttribute},
                                    {"OperationType", "add"},
                                    {"GroupNames", json::array({"all"})}}});
    }
    return changes;
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(MakeEBSSnapshotsPrivate);
