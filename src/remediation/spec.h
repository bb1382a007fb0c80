#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace asr::remediation {

// How much a remediation can hurt the workload it protects.
enum class Risk {
  kSafe,         // tightens configuration; workloads relying on the insecure setting are rare
  kDisruptive,   // may break a workload that depends on the current setting (e.g. open ports)
  kDestructive,  // deletes something that cannot be restored exactly
};
std::string_view RiskName(Risk risk);  // "safe", "disruptive", "destructive"

enum class Reversible { kNo, kYes };

enum class ParamType { kString, kInt, kBool, kStringList };
std::string_view ParamTypeName(ParamType type);  // "string", "int", "bool", "string-list"

// One input of a remediation. Names are the reference runbook's parameter names, which are also
// the keys of the Security Hub control parameters (the Config rule's InputParameters) that
// override them (spec §c.3 step 5, get_input_params).
struct ParamSpec {
  std::string name;  // "MaxCredentialUsageAge"
  ParamType type = ParamType::kString;
  std::string default_json;  // JSON text of the default: "90", "true", "\"AES256\"", "[]"
  std::int64_t min = std::numeric_limits<std::int64_t>::min();  // kInt only, inclusive
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
  std::string description;
};

// A control served by a remediation, with the control runbook's parameter defaults where they
// differ from the remediation's (IAM.22 passes MaxCredentialUsageAge=45, IAM.8 keeps 90).
struct ControlBinding {
  std::string control_id;                                     // security control id: "IAM.22"
  std::vector<std::pair<std::string, std::string>> defaults;  // parameter name → JSON text
};

// What a remediation is, declared at compile time (DESIGN.md §3 "Remediations"). The registry
// generates the catalogue and the least-privilege member roles from it.
struct RemediationSpec {
  std::string id;     // reference runbook name without "ASR-": "RemoveLambdaPublicAccess"
  std::string title;  // one line: "Remove public access from a Lambda function's policy"
  std::vector<ControlBinding> controls;
  // ASFF Resources[0].Type it acts on: "AwsLambdaFunction"; "AwsAccount" for account-level.
  std::string resource_type;
  // Exactly the IAM actions it needs ("lambda:GetPolicy"); Context refuses any AWS call whose
  // action is not listed here.
  std::vector<std::string> permissions;
  std::vector<ParamSpec> parameters;
  Risk risk = Risk::kSafe;
  Reversible reversible = Reversible::kNo;
  // Why undo is impossible or partial, or what undo restores (shown by `asr remediations`).
  std::string reversibility_note;
  // A resource id of the kind the remediation accepts (docs and registry tests), e.g.
  // "arn:aws:lambda:us-east-1:111111111111:function:my-function".
  std::string example_resource_id;
};

}  // namespace asr::remediation
