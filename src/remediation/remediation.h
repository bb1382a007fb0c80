#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "remediation/context.h"
#include "remediation/params.h"
#include "remediation/spec.h"

namespace asr::remediation {

// Where a remediation acts: the finding's account, region and first resource (from routing).
struct Target {
  std::string account_id;           // 12 digits
  std::string region;               // the resource's region
  std::string partition;            // "aws", "aws-cn", "aws-us-gov"
  std::string control_id;           // security control id ("S3.2"), else the playbook's control
  std::string resource_type;        // Resources[0].Type
  std::string resource_id;          // Resources[0].Id
  nlohmann::json resource_details;  // Resources[0].Details, null when absent
};
nlohmann::json ToJson(const Target& target);
Result<Target> TargetFromJson(const nlohmann::json& json);

// One remediation run's inputs after resolution.
struct Invocation {
  Target target;
  Params params;
  // The identifiers Resolve extracted, e.g. {"FunctionName": "f"}.
  nlohmann::json resource = nlohmann::json::object();
};

// One intended or completed change, as data.
struct Change {
  std::string action;   // the IAM action that makes it: "lambda:RemovePermission"
  std::string summary;  // for a person: "remove statement \"public-invoke\" (Principal *)"
  nlohmann::json detail = nlohmann::json::object();  // the request, or what it acts on
};
nlohmann::json ToJson(const Change& change);
Result<Change> ChangeFromJson(const nlohmann::json& json);

// What MakePlan found. No changes means the resource is already compliant.
struct Plan {
  nlohmann::json current = nlohmann::json::object();  // the state read (relevant parts)
  std::vector<Change> changes;
  [[nodiscard]] bool compliant() const { return changes.empty(); }
};
// {"compliant", "current", "changes"}, as in run records.
nlohmann::json ToJson(const Plan& plan);

// What Apply did.
struct Applied {
  // The before-state of everything changed, enough for Undo (null when not reversible).
  nlohmann::json before;
  std::vector<Change> changes;  // what was actually changed (may be fewer than planned)
};

// A remediation (DESIGN.md §3, STYLE.md "Remediations"). Implementations are stateless,
// registered once, and shared by concurrent jobs: every method is const and thread-safe.
//
// Contract:
//   Resolve  — pure: the finding's resource → identifiers, or InvalidArgument naming what
//              does not fit (never a guess).
//   MakePlan — read-only: the current state and the changes Apply would make; empty when
//              already compliant.
//   Apply    — idempotent: converges from any state, including a partly applied earlier run;
//              returns the before-state of what it changed. `plan` is a plan made just before
//              in the same job; Apply may re-read anything it depends on.
//   Verify   — read-only: reads the resource back; the default runs MakePlan again and the
//              caller treats a non-empty plan as "still non-compliant".
//   Undo     — restores `before` (Applied::before) for reversible remediations;
//              FailedPrecondition for the others.
// AWS errors propagate with their code and retryable flag (AccessDenied is not retryable,
// throttling is).
class Remediation {
 public:
  virtual ~Remediation() = default;

  [[nodiscard]] virtual const RemediationSpec& spec() const = 0;
  [[nodiscard]] virtual Result<nlohmann::json> Resolve(const Target& target) const = 0;
  virtual Result<Plan> MakePlan(Context& ctx, const Invocation& inv) const = 0;
  virtual Result<Applied> Apply(Context& ctx, const Invocation& inv, const Plan& plan) const = 0;
  virtual Result<Plan> Verify(Context& ctx, const Invocation& inv) const;
  virtual Result<std::vector<Change>> Undo(Context& ctx, const Invocation& inv,
                                           const nlohmann::json& before) const;
};

}  // namespace asr::remediation
