// `asr remediations` and `asr templates member-roles`: views of the remediation registry.
#include <ostream>

#include "cli/commands.h"
#include "remediation/member_roles.h"

namespace asr::cli {

using nlohmann::json;

ExitCode RunRemediations(OutputFormat format, const remediation::Registry& registry,
                         std::ostream& out) {
  const std::vector<const remediation::Remediation*> all = registry.All();
  if (format == OutputFormat::kJson) {
    json list = json::array();
    for (const remediation::Remediation* r : all) {
      const remediation::RemediationSpec& s = r->spec();
      json controls = json::array();
      for (const remediation::ControlBinding& b : s.controls) {
        json c = {{"control_id", b.control_id}};
        for (const auto& [name, value] : b.defaults) {
          c["defaults"][name] = json::parse(value, nullptr, false);
        }
        controls.push_back(std::move(c));
      }
      json params = json::array();
      for (const remediation::ParamSpec& p : s.parameters) {
        json pj = {{"name", p.name},
                   {"type", remediation::ParamTypeName(p.type)},
                   {"default", json::parse(p.default_json, nullptr, false)},
                   {"description", p.description}};
        if (p.type == remediation::ParamType::kInt) {
          pj["min"] = p.min;
          pj["max"] = p.max;
        }
        params.push_back(std::move(pj));
      }
      list.push_back({{"id", s.id},
                      {"title", s.title},
                      {"controls", controls},
                      {"resource_type", s.resource_type},
                      {"risk", remediation::RiskName(s.risk)},
                      {"reversible", s.reversible == remediation::Reversible::kYes},
                      {"reversibility_note", s.reversibility_note},
                      {"permissions", s.permissions},
                      {"parameters", params},
                      {"member_role", "SO0111-" + s.id + "-<namespace>"}});
    }
    out << json{{"remediations", list}}.dump(2) << "\n";
    return ExitCode::kOk;
  }
  out << all.size() << " remediations (native). Roles: SO0111-<id>-<namespace>.\n\n";
  for (const remediation::Remediation* r : all) {
    const remediation::RemediationSpec& s = r->spec();
    std::string controls;
    for (const remediation::ControlBinding& b : s.controls) {
      controls += (controls.empty() ? "" : ", ") + b.control_id;
    }
    std::string perms;
    for (const std::string& p : s.permissions) {
      perms += (perms.empty() ? "" : " ") + p;
    }
    out << s.id << "\n"
        << "  " << s.title << "\n"
        << "  controls:    " << controls << "\n"
        << "  resource:    " << s.resource_type << "\n"
        << "  risk:        " << remediation::RiskName(s.risk) << "\n"
        << "  reversible:  " << (s.reversible == remediation::Reversible::kYes ? "yes" : "no")
        << (s.reversibility_note.empty() ? "" : " — " + s.reversibility_note) << "\n"
        << "  permissions: " << perms << "\n";
    for (const remediation::ParamSpec& p : s.parameters) {
      out << "  parameter:   " << p.name << " (" << remediation::ParamTypeName(p.type)
          << ", default " << p.default_json << ")"
          << (p.description.empty() ? "" : " " + p.description) << "\n";
    }
    out << "\n";
  }
  return ExitCode::kOk;
}

ExitCode RunMemberRolesTemplate(const MemberRolesRequest& request,
                                const remediation::Registry& registry, std::ostream& out,
                                std::ostream& err) {
  if (!request.remediation_namespace.empty()) {
    if (Status s = remediation::ValidateNamespace(request.remediation_namespace); !s.ok()) {
      err << "asr templates member-roles: --namespace: " << s.message() << "\n";
      return ExitCode::kUsage;
    }
  }
  if (!request.admin_account.empty() &&
      (request.admin_account.size() != 12 ||
       request.admin_account.find_first_not_of("0123456789") != std::string::npos)) {
    err << "asr templates member-roles: --admin-account: " << request.admin_account
        << " is not a 12-digit account id\n";
    return ExitCode::kUsage;
  }
  for (const std::string* name : {&request.admin_role_name, &request.member_role_name}) {
    if (Status s = remediation::ValidateRoleName(*name); !s.ok()) {
      err << "asr templates member-roles: " << s.message() << "\n";
      return ExitCode::kUsage;
    }
  }
  const json tpl = remediation::MemberRolesTemplate(
      registry, {.remediation_namespace = request.remediation_namespace,
                 .admin_account = request.admin_account,
                 .admin_role_name = request.admin_role_name,
                 .member_role_name = request.member_role_name});
  out << tpl.dump(2) << "\n";
  return ExitCode::kOk;
}

}  // namespace asr::cli
