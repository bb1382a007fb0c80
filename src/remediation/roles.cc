#include "remediation/roles.h"

#include <algorithm>
#include <cctype>

#include "common/arn.h"
#include "common/strings.h"

namespace asr::remediation {

std::string RemediationRoleName(std::string_view remediation_id, std::string_view ns) {
  return "SO0111-" + std::string(remediation_id) + "-" + std::string(ns);
}

std::string RoleArn(std::string_view partition, std::string_view account, std::string_view name) {
  return MakeArn(partition, "iam", "", account, "role/" + std::string(name));
}

std::vector<std::string> RoleChain(const RoleOptions& options, std::string_view partition,
                                   std::string_view account, std::string_view remediation_id) {
  std::vector<std::string> chain = {RoleArn(partition, account, options.member_role_name)};
  if (!remediation_id.empty() && !options.remediation_namespace.empty()) {
    chain.push_back(RoleArn(partition, account,
                            RemediationRoleName(remediation_id, options.remediation_namespace)));
  }
  return chain;
}

Status ValidateNamespace(std::string_view ns) {
  const bool chars_ok = std::all_of(ns.begin(), ns.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (ns.size() < 3 || ns.size() > 9 || !chars_ok) {
    return InvalidArgumentError("namespace " + Quote(ns) +
                                " must be 3 to 9 characters of a-z, 0-9 and '-'");
  }
  return Status::Ok();
}

Status ValidateRoleName(std::string_view name) {
  const bool chars_ok = std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("+=,.@_-").find(c) != std::string_view::npos;
  });
  if (name.empty() || name.size() > 64 || !chars_ok) {
    return InvalidArgumentError("role name " + Quote(name) +
                                " must be 1 to 64 characters of A-Z, a-z, 0-9 and +=,.@_-");
  }
  return Status::Ok();
}

}  // namespace asr::remediation
