// DisablePublicIPAutoAssign (EC2.15): stops a subnet from giving instances launched in it a public
// IPv4 address automatically (MapPublicIpOnLaunch = false).
//
// Reference: ASR-DisablePublicIPAutoAssign calls ModifySubnetAttribute(MapPublicIpOnLaunch=false)
// and checks DescribeSubnets. Same here; the plan reads the subnet first so a compliant subnet
// gets no call, and undo turns auto-assignment back on if this run turned it off. Instances that
// already have a public address keep it; launches that ask for a public address still get one.

#include <string>
#include <vector>

#include "common/strings.h"
#include "remediation/registry.h"
#include "remediations/ec2/common.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

Result<json> ReadSubnet(Context& ctx, const std::string& subnet_id) {
  Result<json> out = ctx.Call("ec2", "DescribeSubnets", {{"SubnetIds", json::array({subnet_id})}});
  if (!out.ok()) {
    return out.status().Annotate("read subnet " + subnet_id);
  }
  for (const json& s : out->value("Subnets", json::array())) {
    if (s.value("SubnetId", "") == subnet_id) {
      return s;
    }
  }
  return NotFoundError("subnet " + subnet_id + " does not exist in region " + ctx.region());
}

enum class AutoAssign { kOff, kOn };

Status SetMapPublicIp(Context& ctx, const std::string& subnet_id, AutoAssign value) {
  const bool on = value == AutoAssign::kOn;
  return ctx
      .Call("ec2", "ModifySubnetAttribute",
            {{"SubnetId", subnet_id}, {"MapPublicIpOnLaunch", {{"Value", on}}}})
      .status()
      .Annotate(std::string("set MapPublicIpOnLaunch=") + (on ? "true" : "false") + " on subnet " +
                subnet_id);
}

class DisablePublicIPAutoAssign final : public Remediation {
 public:
  const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "DisablePublicIPAutoAssign",
        .title = "Stop a subnet from assigning public IPv4 addresses to new instances",
        .controls = {{.control_id = "EC2.15"}},
        .resource_type = "AwsEc2Subnet",
        .permissions = {"ec2:DescribeSubnets", "ec2:ModifySubnetAttribute"},
        .risk = Risk::kDisruptive,
        .reversible = Reversible::kYes,
        .reversibility_note =
            "undo turns public IP auto-assignment back on; instances launched "
            "meanwhile keep their private-only addressing",
        .example_resource_id = "arn:aws:ec2:us-east-1:111111111111:subnet/subnet-0123456789abcdef0",
    };
    return kSpec;
  }

  Result<json> Resolve(const Target& target) const override {
    ASR_ASSIGN_OR_RETURN(
        const std::string id,
        Ec2ResourceId(target, "subnet", "subnet-[0-9a-f]{8,17}", spec().example_resource_id));
    return json{{"SubnetId", id}};
  }

  Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const override {
    const std::string id = inv.resource.value("SubnetId", "");
    ASR_ASSIGN_OR_RETURN(const json subnet, ReadSubnet(ctx, id));
    const bool map_public = subnet.value("MapPublicIpOnLaunch", false);
    Plan plan;
    plan.current = {{"SubnetId", id},
                    {"VpcId", subnet.value("VpcId", "")},
                    {"MapPublicIpOnLaunch", map_public}};
    if (map_public) {
      plan.changes.push_back({.action = "ec2:ModifySubnetAttribute",
                              .summary = "turn off public IPv4 auto-assignment on " + id,
                              .detail = {{"SubnetId", id}, {"MapPublicIpOnLaunch", false}}});
    }
    return plan;
  }

  Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& plan) const override {
    const std::string id = inv.resource.value("SubnetId", "");
    Applied applied;
    applied.before = {{"SubnetId", id},
                      {"MapPublicIpOnLaunch", plan.current.value("MapPublicIpOnLaunch", false)}};
    if (plan.compliant()) {
      return applied;
    }
    ASR_RETURN_IF_ERROR(SetMapPublicIp(ctx, id, AutoAssign::kOff));
    applied.changes = plan.changes;
    return applied;
  }

  Result<std::vector<Change>> Undo(Context& ctx, const Invocation& inv,
                                   const json& before) const override {
    if (!before.value("MapPublicIpOnLaunch", false)) {
      return std::vector<Change>{};  // it was already off
    }
    const std::string id = inv.resource.value("SubnetId", "");
    ASR_ASSIGN_OR_RETURN(const json subnet, ReadSubnet(ctx, id));
    if (subnet.value("MapPublicIpOnLaunch", false)) {
      return std::vector<Change>{};  // already back on
    }
    ASR_RETURN_IF_ERROR(SetMapPublicIp(ctx, id, AutoAssign::kOn));
    return std::vector<Change>{{.action = "ec2:ModifySubnetAttribute",
                                .summary = "turn public IPv4 auto-assignment back on for " + id,
                                .detail = {{"SubnetId", id}, {"MapPublicIpOnLaunch", true}}}};
  }
};

}  // namespace
}  // namespace asr::remediation

ASR_REGISTER_REMEDIATION(DisablePublicIPAutoAssign);
