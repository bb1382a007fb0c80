#pragma once

#include <cstddef>
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
  // The playbook this control belongs to. Set by Catalog: it points into the owning Catalog and
  // stays valid for that Catalog's lifetime (including after the Catalog is moved).
  const Playbook* playbook = nullptr;
  std::string_view control_id;  // as in the finding, e.g. "1.6", "S3.2", "PCI.IAM.6"
  // The control whose remediation actually runs (the reference's SSM "remap"); equal to
  // control_id when not remapped. E.g. CIS 1.2.0 "1.6" executes "1.5".
  std::string_view executes;
  // The consolidated Security Hub control id ("IAM.7"), or "" when it is not known: either the
  // standard control maps to several security controls (security_control_candidates lists them)
  // or the reference gives no mapping at all (CIS 1.4.0 4.1/4.2; candidates empty).
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
// src/catalog/data/*.csv; see tools/gen_catalog.py). Immutable after construction and therefore
// safe to share between threads. Returned pointers and spans stay valid as long as the Catalog.
class Catalog final {
 public:
  // One playbook and its controls, as given to the constructor.
  struct PlaybookEntry {
    Playbook playbook;
    std::vector<Control> controls;  // their `playbook` member is ignored and set by Catalog
  };

  // The catalogue built into the binary; built once, on first use (thread-safe).
  static const Catalog& Builtin();

  // Builds a catalogue, e.g. a small one for tests. The string_views in `entries` must outlive
  // the Catalog (string literals or other static data). Never fails: when a playbook repeats a
  // control id, FindControl returns the first. Builtin() data is validated by the generator.
  explicit Catalog(std::vector<PlaybookEntry> entries);
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;
  Catalog(Catalog&&) noexcept = default;
  Catalog& operator=(Catalog&&) noexcept = default;
  ~Catalog() = default;

  [[nodiscard]] std::span<const Playbook> Playbooks() const;
  // Case-insensitive: "sc", "AFSBP", "cis120".
  [[nodiscard]] const Playbook* FindPlaybook(std::string_view id) const;
  // By the standard in a finding: ("cis-aws-foundations-benchmark", "1.4.0"). Long names compare
  // case-insensitively, versions exactly. nullptr when asr has no such playbook.
  [[nodiscard]] const Playbook* FindPlaybookByStandard(std::string_view long_name,
                                                       std::string_view version) const;
  // Control ids compare case-insensitively ("Autoscaling.5" == "AutoScaling.5"). nullptr when
  // the playbook has no such control. `playbook` is normally one of Playbooks(); another
  // Playbook is matched by id. O(log n), no allocation (routing calls it once per finding).
  [[nodiscard]] const Control* FindControl(const Playbook& playbook,
                                           std::string_view control_id) const;
  // The playbook's controls in data order; empty for an unknown playbook.
  [[nodiscard]] std::span<const Control> Controls(const Playbook& playbook) const;
  // Every control, grouped by playbook in Playbooks() order.
  [[nodiscard]] std::span<const Control> AllControls() const;

  // The reference control runbook name: "ASR-<short>_<version>_<executes>",
  // e.g. "ASR-CIS_1.2.0_1.5".
  [[nodiscard]] static std::string ControlRunbookName(const Control& control);

 private:
  // Index of `playbook` in playbooks_, or playbooks_.size() when unknown.
  [[nodiscard]] std::size_t PlaybookIndex(const Playbook& playbook) const;

  std::vector<Playbook> playbooks_;
  std::vector<Control> controls_;  // grouped by playbook, in playbooks_ order
  // Playbook i's controls are controls_[offsets_[i], offsets_[i + 1]).
  std::vector<std::size_t> offsets_;
  // For the same ranges: indices into controls_, sorted case-insensitively by control_id.
  std::vector<std::size_t> by_id_;
};

}  // namespace asr::catalog
