#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace asr::catalog {

// A playbook = one Security Hub standard at one version, as ASR ships it.
struct Playbook {
  std::string_view id;                  // "SC", "AFSBP", "CIS120", "CIS140", "CIS300", "PCI321",
                                        // "NIST80053" (the reference's playbook folder names)
  std::string_view short_name;          // "SC", "AFSBP", "CIS", "PCI", "NIST80053R5"
  std::string_view standard_long_name;  // "security-control", "cis-aws-foundations-benchmark", ...
  std::string_view version;             // "2.0.0", "1.2.0", ...
  std::string_view title;               // "AWS Foundational Security Best Practices 1.0.0"
};

// One control of one playbook and the remediation it runs.
struct Control {
  const Playbook* playbook = nullptr;
  std::string_view control_id;  // as in the finding, e.g. "1.6", "S3.2", "PCI.IAM.6"
  // The control whose remediation actually runs (the reference's SSM "remap"); equal to
  // control_id when not remapped. E.g. CIS 1.2.0 "1.6" executes "1.5".
  std::string_view executes;
  // The consolidated Security Hub control id ("IAM.7"), or "" when the standard control maps to
  // several security controls; then security_control_candidates lists them.
  std::string_view security_control_id;
  std::vector<std::string_view> security_control_candidates;
  // asr's remediation id: the reference runbook name without "ASR-"/"AWS-", e.g.
  // "SetIAMPasswordPolicy", "DisablePublicAccessForSecurityGroup".
  std::string_view remediation_id;
  // The reference remediation runbooks, in order ("ASR-SetIAMPasswordPolicy").
  std::vector<std::string_view> runbooks;
  std::string_view resource_type;  // ASFF resource type(s) seen for the control, '|'-separated
  std::string_view version_added;  // ASR version that added the control
};

// The compiled-in catalogue of playbooks and controls (generated at build time from
// src/catalog/data/*.csv; see tools/gen_catalog.py). Immutable and thread-safe.
class Catalog final {
 public:
  // The catalogue built into the binary.
  static const Catalog& Builtin();

  [[nodiscard]] std::span<const Playbook> Playbooks() const;
  // Case-insensitive: "sc", "AFSBP", "cis120".
  [[nodiscard]] const Playbook* FindPlaybook(std::string_view id) const;
  // By the standard in a finding: ("cis-aws-foundations-benchmark", "1.4.0"). Long names compare
  // case-insensitively, versions exactly. nullptr when asr has no such playbook.
  [[nodiscard]] const Playbook* FindPlaybookByStandard(std::string_view long_name,
                                                       std::string_view version) const;
  // Control ids compare case-insensitively ("Autoscaling.5" == "AutoScaling.5").
  [[nodiscard]] const Control* FindControl(const Playbook& playbook,
                                           std::string_view control_id) const;
  [[nodiscard]] std::span<const Control> Controls(const Playbook& playbook) const;
  [[nodiscard]] std::span<const Control> AllControls() const;

  // The reference control runbook name: "ASR-<short>_<version>_<executes>",
  // e.g. "ASR-CIS_1.2.0_1.5".
  [[nodiscard]] static std::string ControlRunbookName(const Control& control);

  Catalog(std::vector<Playbook> playbooks, std::vector<Control> controls);

 private:
  std::vector<Playbook> playbooks_;
  std::vector<Control> controls_;  // grouped by playbook, in playbooks_ order
};

}  // namespace asr::catalog
