#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "aws/client.h"
#include "common/status.h"
#include "remediation/spec.h"

namespace asr::remediation {

// Resolved parameter values of one invocation, typed by the spec that produced them.
// Accessors assume the name is declared in the spec with that type (checked by ResolveParams);
// asking for an undeclared name is a programming error and returns the type's zero value.
class Params final {
 public:
  Params() = default;
  explicit Params(nlohmann::json values) : values_(std::move(values)) {}

  [[nodiscard]] std::string String(std::string_view name) const;
  [[nodiscard]] std::int64_t Int(std::string_view name) const;
  [[nodiscard]] bool Bool(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> StringList(std::string_view name) const;
  [[nodiscard]] const nlohmann::json& values() const { return values_; }

 private:
  nlohmann::json values_ = nlohmann::json::object();
};

// Security Hub control parameters as get_input_params coerces them: "^\d+$" → integer,
// "true"/"false" (any case) → bool, a string with commas → list of trimmed strings, otherwise
// unchanged. `input_parameters` is the Config rule's InputParameters JSON text ("" → {}).
// InvalidArgument when it is not a JSON object.
Result<nlohmann::json> CoerceControlParameters(std::string_view input_parameters);

struct ControlParameters {
  nlohmann::json values = nlohmann::json::object();  // coerced; {} when there are none
  std::string note;  // set when defaults were used for a reason worth telling ("rule not found")
};

// The Security Hub control parameters of a finding (spec §c.3 step 5): the InputParameters of
// its Config rule `config_rule` (Finding::related_config_rule), read with the member account's
// credentials in `region`. "" or a spec without parameters → {} without a call. A rule that no
// longer exists means defaults (with a note); any other error is returned, because acting with
// other values than the customer configured would be wrong.
Result<ControlParameters> ReadControlParameters(aws::Client& client,
                                                aws::CredentialsProvider& member,
                                                const std::string& region,
                                                const std::string& config_rule,
                                                const RemediationSpec& spec);

// Values for every declared parameter, from lowest to highest precedence: the spec default, the
// control binding's default for `control_id`, the Security Hub control parameters
// (`control_params`, keys matched case-insensitively; keys the spec does not declare are
// ignored), and explicit `overrides` (unknown keys are an error). Each value is checked against
// the declared type and bounds; InvalidArgument names the parameter, the value and what is
// accepted.
Result<Params> ResolveParams(const RemediationSpec& spec, std::string_view control_id,
                             const nlohmann::json& control_params, const nlohmann::json& overrides);

}  // namespace asr::remediation
