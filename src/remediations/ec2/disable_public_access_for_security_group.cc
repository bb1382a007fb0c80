// DisablePublicAccessForSecurityGroup (EC2.13, EC2.14): removes the inbound rules of a security
// group that open SSH (TCP 22) or RDP (TCP 3389) to the whole internet (0.0.0.0/0 or ::/0), and
// leaves every other rule alone.
//
// Reference: the AWS-owned document AWS-DisablePublicAccessForSecurityGroup (not in the ASR
// repository) revokes the world-open rules for ports 22 and 3389. Ours covers every rule through
// which the world reaches those ports:
//   * TCP rules whose port range includes 22 or 3389 (22-22, 3389-3389, but also 0-65535);
//   * all-protocol rules (IpProtocol -1).
// A rule whose range is wider than 22/3389 is revoked whole, not split: the rule is what is
// public, and re-adding the rest of its range (still open to the world) would be a new exposure
// decision that belongs to a person. The change summary says which ports made the rule match.
// Rules from other sources (narrower CIDRs, prefix lists, security groups), UDP rules and egress
// rules are not touched. Undo re-authorizes exactly the revoked rules, descriptions included.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/strings.h"
#include "remediation/registry.h"
#include "remediations/ec2/common.h"

namespace asr::remediation {
namespace {

using nlohmann::json;

struct AdminPort {
  std::int64_t port;
  std::string_view name;
};
constexpr std::array<AdminPort, 2> kAdminPorts = {{{22, "SSH"}, {3389, "RDP"}}};

// Why an ingress rule exposes SSH or RDP to the internet, or "" when it does not.
std::string PublicAdminReason(const json& rule) {
  std::string source;
  if (const json ranges = rule.value("IpRanges", json::array());
      !ranges.empty() && ranges[0].value("CidrIp", "") == "0.0.0.0/0") {
    source = "0.0.0.0/0";
  } else if (const json v6 = rule.value("Ipv6Ranges", json::array());
             !v6.empty() && v6[0].value("CidrIpv6", "") == "::/0") {
    source = "::/0";
  } else {
    return "";
  }
  const std::string protocol = AsciiLower(rule.value("IpProtocol", ""));
  if (protocol == "-1" || protocol == "all") {
    return "all traffic from " + source + " includes SSH and RDP";
  }
  if (protocol != "tcp" && protocol != "6") {
    return "";
  }
  const std::int64_t from = rule.value("FromPort", std::int64_t{-1});
  const std::int64_t to = rule.value("ToPort", std::int64_t{-1});
  std::string exposed;
  for (const AdminPort& p : kAdminPorts) {
    if (from <= p.port && p.port <= to) {
      exposed += (exposed.empty() ? "" : " and ") + std::string(p.name) + " (tcp " +
                 std::to_string(p.port) + ")";
    }
  }
  if (exposed.empty()) {
    return "";
  }
  return "opens " + exposed + " to " + source +
         (from == to ? "" : "; the whole rule is revoked, not split");
}

class DisablePublicAccessForSecurityGroup final : public Remediation {
 public:
  const RemediationSpec& spec() const override {
    static const RemediationSpec kSpec{
        .id = "DisablePublicAccessForSecurityGroup",
        .title =
            "Remove the inbound rules of a security group that open SSH or RDP to the internet",
        .controls = {{.control_id = "EC2.13"}, {.control_id = "EC2.14"}},
        .resource_type = "AwsEc2SecurityGroup",
        .permissions = {"ec2:DescribeSecurityGroups", "ec2:RevokeSecurityGroupIngress",
                        "ec2:AuthorizeSecurityGroupIngress"},
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
    const std::string id = inv.resource.value("GroupId", "");
    ASR_ASSIGN_OR_RETURN(const json group, ReadSecurityGroup(ctx, id));
    Plan plan;
    plan.current = {{"GroupId", id},
                    {"GroupName", group.value("GroupName", "")},
                    {"VpcId", group.value("VpcId", "")},
                    {"IpPermissions", group.value("IpPermissions", json::array())}};
    for (const json& rule : FlattenSgPermissions(plan.current["IpPermissions"])) {
      if (const std::string why = PublicAdminReason(rule); !why.empty()) {
        plan.changes.push_back(RevokeSgRuleChange(id, SgDirection::kIngress, rule, why));
      }
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

ASR_REGISTER_REMEDIATION(DisablePublicAccessForSecurityGroup);
