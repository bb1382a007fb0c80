// RemoveVPCDefaultSecurityGroupRules (EC2.2): removes every inbound and outbound rule of a VPC's
// default security group, so resources that land in it by default get no traffic.
//
// Reference: ASR-RemoveVPCDefaultSecurityGroupRules asserts the group is named "default", revokes
// all ingress and egress permissions, and checks both lists are empty. Same here, one rule (one
// protocol/ports/source) per call, so a rerun after a crash revokes only what is left; undo
// re-authorizes exactly the revoked rules, descriptions included.

#include <string>
#include <vector>

#include "common/strings.h"
#include "remediation/registry.h"
#include "remediations/ec2/common.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

class RemoveVPCDefaultSecurityGroupRules final : public Remediation {
 public:
  const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "RemoveVPCDefaultSecurityGroupRules",
        .title = "Remove all inbound and outbound rules of a VPC's default security group",
        .controls = {{.control_id = "EC2.2"}},
        .resource_type = "AwsEc2SecurityGroup",
        .permissions = {"ec2:DescribeSecurityGroups", "ec2:RevokeSecurityGroupIngress",
                        "ec2:RevokeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress",
                        "ec2:AuthorizeSecurityGroupEgress"},
        .risk = Risk::kDisruptive,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "undo re-authorizes exactly the revoked rules, with their "
            "descriptions (rule ids change)",
        .example_resource_id =
            "arn:aws:ec2:us-east-1:111111111111:security-group/sg-0123456789abcdef0",
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_ASSIGN_OR_RETURN(
        const std::string id,
        Ec2ResourceId(target, "security-group", "sg-[0-9a-f]{8,17}", spec().example_resource_id));
    return json{{"GroupId", id}};
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    const std::string id = inv.resource["GroupId"];
    ASR_ASSIGN_OR_RETURN(const json group, ReadSecurityGroup(ctx, id));
    const std::string name = group.value("GroupName", "");
    // EC2.2 is about a VPC's default group; emptying any other group would cut off whatever uses
    // it, so refuse rather than act on a finding that points at the wrong group.
    if (name != "default") {
      return FailedPreconditionError("security group " + id + " is named " + Quote(name) +
                                     ", not \"default\"; " + spec().id +
                                     " only empties a VPC's default security group");
    }
    Plan plan;
    plan.current = {{"GroupId", id},
                    {"GroupName", name},
                    {"VpcId", group.value("VpcId", "")},
                    {"IpPermissions", group.value("IpPermissions", json::array())},
                    {"IpPermissionsEgress", group.value("IpPermissionsEgress", json::array())}};
    for (const json& rule : FlattenSgPermissions(plan.current["IpPermissions"])) {
      plan.changes.push_back(RevokeSgRuleChange(id, SgDirection::kIngress, rule));
    }
    for (const json& rule : FlattenSgPermissions(plan.current["IpPermissionsEgress"])) {
      plan.changes.push_back(RevokeSgRuleChange(id, SgDirection::kEgress, rule));
    }
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& plan) const override {
    return ApplySgRevocations(ctx, inv.resource.value("GroupId", ""), plan.changes);
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& inv,
                                   const json& before) const override {
    return RestoreSgRules(ctx, inv.resource.value("GroupId", ""), before);
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(RemoveVPCDefaultSecurityGroupRules);
