#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace asr::remediation {

// The cross-account role names (DESIGN.md §3, spec §0 "Names"): asr assumes the member role in
// the finding's account and, when a namespace is configured, the remediation's own role
// SO0111-<RemediationId>-<namespace> from there.
struct RoleOptions {
  std::string member_role_name = "SO0111-ASR-Orchestrator-Member";
  // "" → remediations run with the member role's permissions (no per-remediation role).
  std::string remediation_namespace;
  std::string external_id;  // sent with the member-role AssumeRole when not empty
};

// "SO0111-<remediation_id>-<namespace>".
std::string RemediationRoleName(std::string_view remediation_id, std::string_view ns);

// "arn:<partition>:iam::<account>:role/<name>".
std::string RoleArn(std::string_view partition, std::string_view account, std::string_view name);

// The roles to assume, in order, to run `remediation_id` in `account`: the member role, then the
// remediation role when options.remediation_namespace is set. An empty remediation_id gives the
// member role alone (for the orchestrator's own reads, e.g. Config rule parameters).
std::vector<std::string> RoleChain(const RoleOptions& options, std::string_view partition,
                                   std::string_view account, std::string_view remediation_id);

// Namespace rules of the reference (3–9 characters of [a-z0-9-]); InvalidArgument otherwise.
Status ValidateNamespace(std::string_view ns);
// IAM role name rules (1–64 characters of [A-Za-z0-9+=,.@_-]); InvalidArgument otherwise.
Status ValidateRoleName(std::string_view name);

}  // namespace asr::remediation
