#include <algorithm>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"
#include "common/strings.h"

namespace asr::cli {

ExitCode RunControls(const ControlsRequest& request, const catalog::Catalog& catalog,
                     std::ostream& out, std::ostream& err) {
  std::vector<const catalog::Playbook*> playbooks;
  if (request.playbook.has_value()) {
    const catalog::Playbook* p = catalog.FindPlaybook(*request.playbook);
    if (p == nullptr) {
      std::string known;
      for (const catalog::Playbook& each : catalog.Playbooks()) {
        known += known.empty() ? "" : ", ";
        known += each.id;
      }
      err << "asr controls: unknown playbook " << Quote(*request.playbook)
          << "; known playbooks: " << known << "\n";
      return ExitCode::kUsage;
    }
    playbooks.push_back(p);
  } else {
    for (const catalog::Playbook& p : catalog.Playbooks()) {
      playbooks.push_back(&p);
    }
  }

  if (request.format == OutputFormat::kJson) {
    nlohmann::json rows = nlohmann::json::array();
    for (const catalog::Playbook* p : playbooks) {
      for (const catalog::Control& c : catalog.Controls(*p)) {
        nlohmann::json candidates = nlohmann::json::array();
        for (const std::string_view s : c.security_control_candidates) {
          candidates.push_back(s);
        }
        nlohmann::json runbooks = nlohmann::json::array();
        for (const std::string_view s : c.runbooks) {
          runbooks.push_back(s);
        }
        rows.push_back({{"playbook", p->id},
                        {"standard", p->standard_long_name},
                        {"version", p->version},
                        {"control", c.control_id},
                        {"executes", c.executes},
                        {"security_control_id", c.security_control_id},
                        {"security_control_candidates", candidates},
                        {"remediation", c.remediation_id},
                        {"runbooks", runbooks},
                        {"control_runbook", catalog::Catalog::ControlRunbookName(c)},
                        {"resource_type", c.resource_type}});
      }
    }
    out << rows.dump(2) << "\n";
    return ExitCode::kOk;
  }

  size_t control_width = 7;
  size_t security_width = 16;
  for (const catalog::Playbook* p : playbooks) {
    for (const catalog::Control& c : catalog.Controls(*p)) {
      control_width = std::max(control_width, c.control_id.size());
      security_width = std::max(security_width, c.security_control_id.size());
    }
  }
  out << std::left;
  for (const catalog::Playbook* p : playbooks) {
    out << p->id << " — " << p->title << " (" << p->standard_long_name << " " << p->version << "), "
        << catalog.Controls(*p).size() << " controls\n";
    out << "  " << std::setw(static_cast<int>(control_width)) << "CONTROL"
        << "  " << std::setw(static_cast<int>(security_width)) << "SECURITY CONTROL"
        << "  REMEDIATION\n";
    for (const catalog::Control& c : catalog.Controls(*p)) {
      const std::string security = c.security_control_id.empty()
                                       ? std::string("(several)")
                                       : std::string(c.security_control_id);
      out << "  " << std::setw(static_cast<int>(control_width)) << c.control_id << "  "
          << std::setw(static_cast<int>(security_width)) << security << "  " << c.remediation_id;
      if (c.executes != c.control_id) {
        out << " (runs " << c.executes << ")";
      }
      out << "\n";
    }
    out << "\n";
  }
  return ExitCode::kOk;
}

}  // namespace asr::cli
