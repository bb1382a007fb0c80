#include "remediation/params.h"

#include <algorithm>
#include <cctype>

#include "common/strings.h"

namespace asr::remediation {

using nlohmann::json;

std::string Params::String(std::string_view name) const {
  const auto it = values_.find(name);
  return it != values_.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t Params::Int(std::string_view name) const {
  const auto it = values_.find(name);
  return it != values_.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

bool Params::Bool(std::string_view name) const {
  const auto it = values_.find(name);
  return it != values_.end() && it->is_boolean() && it->get<bool>();
}

std::vector<std::string> Params::StringList(std::string_view name) const {
  std::vector<std::string> out;
  const auto it = values_.find(name);
  if (it != values_.end() && it->is_array()) {
    for (const json& v : *it) {
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      }
    }
  }
  return out;
}

namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

json Coerce(const json& value) {
  if (!value.is_string()) {
    return value;
  }
  const std::string text = Trim(value.get<std::string>());
  if (AllDigits(text) && text.size() < 19) {
    return std::stoll(text);
  }
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "true" || lower == "false") {
    return lower == "true";
  }
  if (text.find(',') != std::string::npos) {
    json list = json::array();
    size_t start = 0;
    while (start <= text.size()) {
      const size_t comma = text.find(',', start);
      const size_t end = comma == std::string::npos ? text.size() : comma;
      if (std::string item = Trim(std::string_view(text).substr(start, end - start));
          !item.empty()) {
        list.push_back(std::move(item));
      }
      if (comma == std::string::npos) {
        break;
      }
      start = comma + 1;
    }
    return list;
  }
  return value;
}

// Converts `value` to the declared type where the conversion is unambiguous ("5" → 5 for an
// int, "a" → ["a"] for a list) and checks bounds.
Result<json> Conform(const ParamSpec& p, const json& value, std::string_view source) {
  const auto reject = [&](std::string_view what) {
    return InvalidArgumentError("parameter " + p.name + " (" + std::string(source) +
                                "): " + value.dump() + " " + std::string(what));
  };
  switch (p.type) {
    case ParamType::kString:
      if (value.is_string()) {
        return value;
      }
      if (value.is_number_integer() || value.is_boolean()) {
        return json(value.dump());
      }
      return reject("is not a string");
    case ParamType::kInt: {
      std::int64_t n = 0;
      if (value.is_number_integer()) {
        n = value.get<std::int64_t>();
      } else if (value.is_string() && AllDigits(Trim(value.get<std::string>())) &&
                 Trim(value.get<std::string>()).size() < 19) {
        n = std::stoll(Trim(value.get<std::string>()));
      } else {
        return reject("is not an integer");
      }
      if (n < p.min || n > p.max) {
        return reject("is out of range; accepted: " + std::to_string(p.min) + ".." +
                      std::to_string(p.max));
      }
      return json(n);
    }
    case ParamType::kBool:
      if (value.is_boolean()) {
        return value;
      }
      if (value.is_string()) {
        const json coerced = Coerce(value);
        if (coerced.is_boolean()) {
          return coerced;
        }
      }
      return reject("is not a boolean; accepted: true or false");
    case ParamType::kStringList:
      if (value.is_string()) {
        const json coerced = Coerce(value);
        return coerced.is_array() ? coerced : json::array({value});
      }
      if (value.is_array() &&
          std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); })) {
        return value;
      }
      return reject("is not a list of strings");
  }
  return reject("has an unknown type");
}

}  // namespace

Result<json> CoerceControlParameters(std::string_view input_parameters) {
  if (Trim(input_parameters).empty()) {
    return json::object();
  }
  json parsed = json::parse(input_parameters, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return InvalidArgumentError("Config rule InputParameters is not a JSON object: " +
                                Quote(input_parameters.substr(0, 200)));
  }
  json out = json::object();
  for (const auto& [key, value] : parsed.items()) {
    out[key] = Coerce(value);
  }
  return out;
}

Result<Params> ResolveParams(const RemediationSpec& spec, std::string_view control_id,
                             const json& control_params, const json& overrides) {
  json values = json::object();
  const ControlBinding* binding = nullptr;
  for (const ControlBinding& b : spec.controls) {
    if (b.control_id == control_id) {
      binding = &b;
    }
  }
  for (const ParamSpec& p : spec.parameters) {
    json value = json::parse(p.default_json, nullptr, /*allow_exceptions=*/false);
    std::string source = "default";
    if (binding != nullptr) {
      for (const auto& [name, text] : binding->defaults) {
        if (name == p.name) {
          value = json::parse(text, nullptr, /*allow_exceptions=*/false);
          source = "default for " + binding->control_id;
        }
      }
    }
    if (control_params.is_object()) {
      for (const auto& [key, v] : control_params.items()) {
        if (EqualsIgnoreCase(key, p.name)) {
          value = v;
          source = "Security Hub control parameter";
        }
      }
    }
    if (overrides.is_object()) {
      if (const auto it = overrides.find(p.name); it != overrides.end()) {
        value = *it;
        source = "override";
      }
    }
    if (value.is_discarded()) {
      return InternalError("remediation " + spec.id + ": parameter " + p.name +
                           " has an invalid default");
    }
    ASR_ASSIGN_OR_RETURN(values[p.name], Conform(p, value, source));
  }
  if (overrides.is_object()) {
    for (const auto& [key, v] : overrides.items()) {
      if (!values.contains(key)) {
        std::string names;
        for (const ParamSpec& p : spec.parameters) {
          names += (names.empty() ? "" : ", ") + p.name;
        }
        return InvalidArgumentError("parameter " + Quote(key) + " is not a parameter of " +
                                    spec.id +
                                    "; accepted: " + (names.empty() ? std::string("none") : names));
      }
    }
  } else if (!overrides.is_null()) {
    return InvalidArgumentError("parameter overrides must be a JSON object");
  }
  return Params(std::move(values));
}

Result<ControlParameters> ReadControlParameters(aws::Client& client,
                                                aws::CredentialsProvider& member,
                                                const std::string& region,
                                                const std::string& config_rule,
                                                const RemediationSpec& spec) {
  ControlParameters out;
  if (config_rule.empty() || spec.parameters.empty()) {
    return out;
  }
  Result<nlohmann::json> rules = client.Call(
      "config", "DescribeConfigRules", {{"ConfigRuleNames", nlohmann::json::array({config_rule})}},
      {.region = region, .credentials = &member});
  if (!rules.ok()) {
    if (rules.status().code() == StatusCode::kNotFound) {
      out.note = "Config rule " + Quote(config_rule) + " not found; defaults used";
      return out;
    }
    return rules.status().Annotate("read the control parameters (Config rule " +
                                   Quote(config_rule) + ")");
  }
  const nlohmann::json list = rules->value("ConfigRules", nlohmann::json::array());
  if (list.empty() || !list[0].contains("InputParameters")) {
    return out;
  }
  ASR_ASSIGN_OR_RETURN(out.values, CoerceControlParameters(list[0].value("InputParameters", "")));
  return out;
}

}  // namespace asr::remediation
