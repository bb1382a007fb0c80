#include "remediations/ec2/common.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "common/arn.h"
#include "common/strings.h"
#include "remediation/resource.h"

namespace asr::remediation {

using nlohmann::json;

Result<std::string> Ec2ResourceId(const Target& target, std::string_view type,
                                  const std::string& id_pattern, std::string_view example) {
  ASR_ASSIGN_OR_RETURN(std::string id,
                       ArnResourceAfter(target, "ec2", std::string(type) + "/", example));
  // ArnResourceAfter accepted the ARN, so it parses; EC2 ARNs always name a region and account.
  const std::optional<Arn> arn = ParseArn(target.resource_id);
  const auto reject = [&](const std::string& why) {
    return InvalidArgumentError("resource id " + Quote(target.resource_id) + " " + why +
                                "; expected an ARN like " + Quote(example));
  };
  if (!arn || arn->account.empty()) {
    return reject("names no account");
  }
  if (arn->region != target.region) {
    return reject("is in region " + Quote(arn->region) + ", not the finding's region " +
                  Quote(target.region));
  }
  ASR_RETURN_IF_ERROR(CheckPattern(std::string(type) + " id", id, id_pattern));
  return id;
}

Status Ec2CheckAccountResource(const Target& target) {
  ASR_RETURN_IF_ERROR(CheckAccountTarget(target));
  constexpr std::string_view kPrefix = "AWS::::Account:";
  const std::string_view id = target.resource_id;
  if (id.starts_with(kPrefix) && id.substr(kPrefix.size()) != target.account_id) {
    return InvalidArgumentError("resource id " + Quote(id) + " names account " +
                                Quote(id.substr(kPrefix.size())) + ", not the finding's account " +
                                target.account_id);
  }
  return Status::Ok();
}

std::string_view SgDirectionName(SgDirection direction) {
  return direction == SgDirection::kIngress ? "ingress" : "egress";
}

Result<json> ReadSecurityGroup(Context& ctx, const std::string& group_id) {
  Result<json> out =
      ctx.Call("ec2", "DescribeSecurityGroups", {{"GroupIds", json::array({group_id})}});
  if (!out.ok()) {
    return out.status().Annotate("read security group " + group_id);
  }
  const json groups = out->value("SecurityGroups", json::array());
  for (const json& g : groups) {
    if (g.value("GroupId", "") == group_id) {
      return g;
    }
  }
  return NotFoundError("security group " + group_id + " does not exist in region " + ctx.region());
}

std::vector<json> FlattenSgPermissions(const json& ip_permissions) {
  std::vector<json> rules;
  if (!ip_permissions.is_array()) {
    return rules;
  }
  for (const json& p : ip_permissions) {
    json base = {{"IpProtocol", p.value("IpProtocol", "")}};
    for (const char* key : {"FromPort", "ToPort"}) {
      if (const auto it = p.find(key); it != p.end() && it->is_number()) {
        base[key] = *it;
      }
    }
    for (const char* key : {"IpRanges", "Ipv6Ranges", "PrefixListIds"}) {
      for (const json& source : p.value(key, json::array())) {
        json rule = base;
        rule[key] = json::array({source});
        rules.push_back(std::move(rule));
      }
    }
    for (json pair : p.value("UserIdGroupPairs", json::array())) {
      pair.erase("PeeringStatus");
      if (pair.contains("GroupId")) {
        pair.erase("GroupName");
      }
      json rule = base;
      rule["UserIdGroupPairs"] = json::array({std::move(pair)});
      rules.push_back(std::move(rule));
    }
  }
  return rules;
}

namespace {

// EC2 accepts protocol names and numbers and reports names for the common ones.
std::string NormalizedProtocol(const json& rule) {
  const std::string p = AsciiLower(rule.value("IpProtocol", ""));
  if (p == "6") {
    return "tcp";
  }
  if (p == "17") {
    return "udp";
  }
  if (p == "1") {
    return "icmp";
  }
  if (p == "58") {
    return "icmpv6";
  }
  if (p == "all") {
    return "-1";
  }
  return p;
}

std::int64_t Port(const json& rule, const char* key) {
  const auto it = rule.find(key);
  return it != rule.end() && it->is_number_integer() ? it->get<std::int64_t>() : -1;
}

// The entry of the rule's one source list, and which list it is in.
std::pair<std::string, json> Source(const json& rule) {
  for (const char* key : {"IpRanges", "Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs"}) {
    if (const auto it = rule.find(key); it != rule.end() && it->is_array() && !it->empty()) {
      return {key, (*it)[0]};
    }
  }
  return {"", json::object()};
}

// What identifies a source, without its description.
std::string SourceKey(const json& rule) {
  const auto [kind, source] = Source(rule);
  if (kind == "IpRanges") {
    return "cidr " + source.value("CidrIp", "");
  }
  if (kind == "Ipv6Ranges") {
    return "cidr " + source.value("CidrIpv6", "");
  }
  if (kind == "PrefixListIds") {
    return "prefix list " + source.value("PrefixListId", "");
  }
  if (kind == "UserIdGroupPairs") {
    return "security group " + source.value("GroupId", source.value("GroupName", ""));
  }
  return "";
}

}  // namespace

bool SameSgRule(const json& a, const json& b) {
  const std::string protocol = NormalizedProtocol(a);
  if (protocol != NormalizedProtocol(b)) {
    return false;
  }
  if (protocol != "-1" &&
      (Port(a, "FromPort") != Port(b, "FromPort") || Port(a, "ToPort") != Port(b, "ToPort"))) {
    return false;
  }
  const std::string key = SourceKey(a);
  return !key.empty() && key == SourceKey(b);
}

std::string DescribeSgRule(const json& rule, SgDirection direction) {
  const std::string protocol = NormalizedProtocol(rule);
  const std::int64_t from = Port(rule, "FromPort");
  const std::int64_t to = Port(rule, "ToPort");
  std::string text;
  if (protocol == "-1") {
    text = "all traffic";
  } else if (protocol == "tcp" || protocol == "udp") {
    text = protocol + " " + std::to_string(from) + (from == to ? "" : "-" + std::to_string(to));
  } else if (protocol == "icmp" || protocol == "icmpv6") {
    text = protocol + (from == -1 ? " (all types)" : " type " + std::to_string(from));
  } else {
    text = "protocol " + protocol;
  }
  text += direction == SgDirection::kIngress ? " from " : " to ";
  const auto [kind, source] = Source(rule);
  if (kind == "IpRanges" || kind == "Ipv6Ranges") {
    text += source.value(kind == "IpRanges" ? "CidrIp" : "CidrIpv6", "");
  } else {
    text += SourceKey(rule);
    if (kind == "UserIdGroupPairs" && source.contains("UserId")) {
      text += " (account " + source.value("UserId", "") + ")";
    }
  }
  if (const std::string d = source.value("Description", ""); !d.empty()) {
    text += " " + Quote(d);
  }
  return text;
}

Result<bool> RevokeSgRule(Context& ctx, const std::string& group_id, SgDirection direction,
                          const json& rule) {
  const std::string_view op = direction == SgDirection::kIngress ? "RevokeSecurityGroupIngress"
                                                                 : "RevokeSecurityGroupEgress";
  Result<json> out =
      ctx.Call("ec2", op, {{"GroupId", group_id}, {"IpPermissions", json::array({rule})}});
  if (!out.ok()) {
    if (out.status().aws_error_code() == "InvalidPermission.NotFound") {
      return false;
    }
    return out.status().Annotate("revoke " + std::string(SgDirectionName(direction)) + " rule " +
                                 DescribeSgRule(rule, direction) + " of " + group_id);
  }
  // EC2 may answer 200 and list the rules it did not know instead of failing.
  return out->value("UnknownIpPermissions", json::array()).empty();
}

Result<bool> AuthorizeSgRule(Context& ctx, const std::string& group_id, SgDirection direction,
                             const json& rule) {
  const std::string_view op = direction == SgDirection::kIngress ? "AuthorizeSecurityGroupIngress"
                                                                 : "AuthorizeSecurityGroupEgress";
  Result<json> out =
      ctx.Call("ec2", op, {{"GroupId", group_id}, {"IpPermissions", json::array({rule})}});
  if (!out.ok()) {
    if (out.status().aws_error_code() == "InvalidPermission.Duplicate") {
      return false;
    }
    return out.status().Annotate("authorize " + std::string(SgDirectionName(direction)) + " rule " +
                                 DescribeSgRule(rule, direction) + " of " + group_id);
  }
  return true;
}

namespace {

constexpr const char* kIngressKey = "Ingress";
constexpr const char* kEgressKey = "Egress";

const char* BeforeKey(SgDirection direction) {
  return direction == SgDirection::kIngress ? kIngressKey : kEgressKey;
}

}  // namespace

Change RevokeSgRuleChange(const std::string& group_id, SgDirection direction, const json& rule,
                          std::string_view why) {
  const bool ingress = direction == SgDirection::kIngress;
  std::string summary = "revoke " + std::string(SgDirectionName(direction)) + " rule " +
                        DescribeSgRule(rule, direction);
  if (!why.empty()) {
    summary += " (" + std::string(why) + ")";
  }
  return {
      .action = ingress ? "ec2:RevokeSecurityGroupIngress" : "ec2:RevokeSecurityGroupEgress",
      .summary = std::move(summary),
      .detail = {{"GroupId", group_id}, {"Direction", SgDirectionName(direction)}, {"Rule", rule}}};
}

Result<Applied> ApplySgRevocations(Context& ctx, const std::string& group_id,
                                   const std::vector<Change>& changes) {
  Applied applied;
  applied.before = {
      {"GroupId", group_id}, {kIngressKey, json::array()}, {kEgressKey, json::array()}};
  for (const Change& change : changes) {
    const SgDirection direction = change.detail.value("Direction", "") == "egress"
                                      ? SgDirection::kEgress
                                      : SgDirection::kIngress;
    const json rule = change.detail.value("Rule", json());
    if (!rule.is_object()) {
      return InternalError("a planned security group change has no rule: " + change.summary);
    }
    ASR_ASSIGN_OR_RETURN(const bool revoked, RevokeSgRule(ctx, group_id, direction, rule));
    if (!revoked) {
      continue;  // already gone: a rerun after a crash, or someone removed it meanwhile
    }
    applied.before[BeforeKey(direction)].push_back(rule);
    applied.changes.push_back(change);
  }
  return applied;
}

Result<std::vector<Change>> RestoreSgRules(Context& ctx, const std::string& group_id,
                                           const json& before) {
  ASR_ASSIGN_OR_RETURN(const json group, ReadSecurityGroup(ctx, group_id));
  std::vector<Change> changes;
  for (const SgDirection direction : {SgDirection::kIngress, SgDirection::kEgress}) {
    const bool ingress = direction == SgDirection::kIngress;
    const std::vector<json> present = FlattenSgPermissions(
        group.value(ingress ? "IpPermissions" : "IpPermissionsEgress", json::array()));
    for (const json& rule : before.value(BeforeKey(direction), json::array())) {
      if (std::any_of(present.begin(), present.end(),
                      [&](const json& p) { return SameSgRule(p, rule); })) {
        continue;  // already restored
      }
      ASR_ASSIGN_OR_RETURN(const bool added, AuthorizeSgRule(ctx, group_id, direction, rule));
      if (!added) {
        continue;
      }
      changes.push_back(
          {.action =
               ingress ? "ec2:AuthorizeSecurityGroupIngress" : "ec2:AuthorizeSecurityGroupEgress",
           .summary = "re-authorize " + std::string(SgDirectionName(direction)) + " rule " +
                      DescribeSgRule(rule, direction),
           .detail = {
               {"GroupId", group_id}, {"Direction", SgDirectionName(direction)}, {"Rule", rule}}});
    }
  }
  return changes;
}

}  // namespace asr::remediation
