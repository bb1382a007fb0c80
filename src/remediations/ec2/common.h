#pragma once

// Code shared by the EC2 remediations: resource ids from finding ARNs, account-level targets, and
// security group rules.
//
// Security group rules are handled one source at a time. DescribeSecurityGroups groups the rules
// that share protocol and ports into one IpPermission with several sources; FlattenSgPermissions
// splits them into single-source rules (an IpPermission with exactly one entry in exactly one of
// IpRanges, Ipv6Ranges, PrefixListIds or UserIdGroupPairs). One such rule is what a Revoke or
// Authorize call removes or adds, what a Change describes, and what a before-state records, so
// undo re-authorizes exactly what was revoked, descriptions included.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "remediation/context.h"
#include "remediation/remediation.h"

namespace asr::remediation {

// The id in an EC2 resource ARN "arn:<partition>:ec2:<region>:<account>:<type>/<id>", e.g.
// type "security-group" → "sg-0123456789abcdef0". The ARN's partition and account must be the
// finding's (ArnResourceAfter), its region the finding's region (a call in another region would
// act on nothing, or on the wrong thing), and the id must match `id_pattern` (ECMAScript, whole
// string). InvalidArgument naming the id, what is wrong and `example` otherwise.
Result<std::string> Ec2ResourceId(const Target& target, std::string_view type,
                                  const std::string& id_pattern, std::string_view example);

// For account-level remediations: CheckAccountTarget, and when the resource id has the Security
// Hub form "AWS::::Account:<id>", that id must be the finding's account.
Status Ec2CheckAccountResource(const Target& target);

enum class SgDirection { kIngress, kEgress };
std::string_view SgDirectionName(SgDirection direction);  // "ingress", "egress"

// The security group as DescribeSecurityGroups returns it. NotFound (InvalidGroup.NotFound) when
// it does not exist.
Result<nlohmann::json> ReadSecurityGroup(Context& ctx, const std::string& group_id);

// The single-source rules of an IpPermissions list (see the file comment). Output-only fields
// (UserIdGroupPair.PeeringStatus, and GroupName when GroupId is present) are dropped so that a
// rule can be sent back to Revoke/Authorize as it is.
std::vector<nlohmann::json> FlattenSgPermissions(const nlohmann::json& ip_permissions);

// Whether two single-source rules are the same rule: protocol, ports (not for all-protocol
// rules) and source; descriptions are ignored, as EC2 ignores them when matching.
bool SameSgRule(const nlohmann::json& a, const nlohmann::json& b);

// "tcp 22 from 0.0.0.0/0", "all traffic to 0.0.0.0/0", "tcp 0-65535 from sg-1 (account 1)",
// followed by the rule's description in quotes when it has one.
std::string DescribeSgRule(const nlohmann::json& rule, SgDirection direction);

// Revokes one single-source rule. True when it was revoked, false when it was already gone
// (InvalidPermission.NotFound, or EC2 returning the rule in UnknownIpPermissions).
Result<bool> RevokeSgRule(Context& ctx, const std::string& group_id, SgDirection direction,
                          const nlohmann::json& rule);

// Authorizes one single-source rule, with its description. True when it was added, false when it
// was already there (InvalidPermission.Duplicate).
Result<bool> AuthorizeSgRule(Context& ctx, const std::string& group_id, SgDirection direction,
                             const nlohmann::json& rule);

// A Change that revokes one single-source rule of `group_id` (action ec2:RevokeSecurityGroup...;
// detail {GroupId, Direction, Rule}); `why` (may be empty) is appended to the summary.
Change RevokeSgRuleChange(const std::string& group_id, SgDirection direction,
                          const nlohmann::json& rule, std::string_view why = {});

// Applies RevokeSgRuleChange changes in order. Applied::before is {"GroupId", "Ingress": [rules],
// "Egress": [rules]} with the rules actually revoked; rules already gone are skipped.
Result<Applied> ApplySgRevocations(Context& ctx, const std::string& group_id,
                                   const std::vector<Change>& changes);

// Undo of ApplySgRevocations: re-reads the group and re-authorizes each rule of `before` that is
// not there, with its description. Returns the changes made (none when all are present).
Result<std::vector<Change>> RestoreSgRules(Context& ctx, const std::string& group_id,
                                           const nlohmann::json& before);

}  // namespace asr::remediation
