#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "remediation/registry.h"

namespace asr::remediation {

struct MemberRolesOptions {
  // Defaults of the template's parameters; "" leaves the parameter without a default.
  std::string remediation_namespace;
  std::string admin_account;
  std::string admin_role_name = "SO0111-ASR-Orchestrator-Admin";
  std::string member_role_name = "SO0111-ASR-Orchestrator-Member";
  std::string generator = "asr";  // named in the Description
};

// The CloudFormation template (JSON) for a member account, generated from the registry:
//   * the member role (options.member_role_name) trusted by the admin account's engine role,
//     allowed to assume the remediation roles, read Config rules (control parameters) and run
//     SSM automations (the ssm backend);
//   * one role SO0111-<Id>-<Namespace> per remediation, trusted by the member role (and SSM, as
//     the reference), whose inline policy allows exactly the remediation's declared permissions,
//     plus the reference's base policy (SSM parameters under /Solutions/SO0111/) and, for
//     remediations with IAM permissions, a Deny on changing the SO0111-* roles themselves.
// Deterministic: the same registry gives the same bytes.
nlohmann::json MemberRolesTemplate(const Registry& registry, const MemberRolesOptions& options);

}  // namespace asr::remediation
