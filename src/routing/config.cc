#include "routing/config.h"

#include <string>

namespace asr::routing {

std::string_view ControlModeName(ControlMode mode) {
  switch (mode) {
    case ControlMode::kOff:
      return "off";
    case ControlMode::kManual:
      return "manual";
    case ControlMode::kApprove:
      return "approve";
    case ControlMode::kAuto:
      return "auto";
  }
  return "manual";
}

Result<ControlMode> ParseControlMode(std::string_view text) {
  for (const ControlMode mode :
       {ControlMode::kOff, ControlMode::kManual, ControlMode::kApprove, ControlMode::kAuto}) {
    if (EqualsIgnoreCase(text, ControlModeName(mode))) {
      return mode;
    }
  }
  return InvalidArgumentError("unknown control mode " + Quote(text) +
                              "; use one of off, manual, approve, auto");
}

std::string_view BackendName(Backend backend) {
  return backend == Backend::kSsm ? "ssm" : "native";
}

Result<Backend> ParseBackend(std::string_view text) {
  for (const Backend backend : {Backend::kNative, Backend::kSsm}) {
    if (EqualsIgnoreCase(text, BackendName(backend))) {
      return backend;
    }
  }
  return InvalidArgumentError("unknown backend " + Quote(text) + "; use native or ssm");
}

namespace {

std::string Indexed(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

Status ValidateStrings(std::string_view path, const std::vector<std::string>& values,
                       bool (*valid)(std::string_view), std::string_view expected) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!valid(values[i])) {
      return InvalidArgumentError(Indexed(path, i) + ": " + Quote(values[i]) + " is not " +
                                  std::string(expected));
    }
  }
  return Status::Ok();
}

bool IsAccountId(std::string_view s) { return IsDigits(s, 12); }

bool IsNonEmpty(std::string_view s) { return !TrimAscii(s).empty(); }

Status ValidateTags(std::string_view path, const std::vector<TagCondition>& tags) {
  for (size_t i = 0; i < tags.size(); ++i) {
    if (TrimAscii(tags[i].key).empty()) {
      return InvalidArgumentError(Indexed(path, i) + ": tag key is empty; write KEY or KEY=VALUE");
    }
  }
  return Status::Ok();
}

// A key of `controls:` or `backends:`: a control id or "<PLAYBOOK>:<control>".
Status ValidateControlKey(std::string_view section, const std::string& key,
                          const catalog::Catalog& catalog) {
  if (TrimAscii(key).empty()) {
    return InvalidArgumentError(std::string(section) + ": empty control id");
  }
  const size_t colon = key.find(':');
  if (colon != std::string::npos &&
      catalog.FindPlaybook(std::string_view(key).substr(0, colon)) == nullptr) {
    return InvalidArgumentError(std::string(section) + "." + key + ": unknown playbook " +
                                Quote(key.substr(0, colon)) +
                                " before ':'; write <PLAYBOOK>:<control> or a security control id");
  }
  return Status::Ok();
}

}  // namespace

Status Validate(const RoutingConfig& config, const catalog::Catalog& catalog) {
  for (size_t i = 0; i < config.playbooks.size(); ++i) {
    if (catalog.FindPlaybook(config.playbooks[i]) == nullptr) {
      std::string known;
      for (const catalog::Playbook& p : catalog.Playbooks()) {
        known += known.empty() ? "" : ", ";
        known += p.id;
      }
      return InvalidArgumentError(Indexed("playbooks", i) + ": unknown playbook " +
                                  Quote(config.playbooks[i]) + "; known playbooks: " + known);
    }
  }
  for (const auto& [key, mode] : config.control_modes) {
    ASR_RETURN_IF_ERROR(ValidateControlKey("controls", key, catalog));
  }
  for (const auto& [key, backend] : config.backends) {
    ASR_RETURN_IF_ERROR(ValidateControlKey("backends", key, catalog));
  }
  const Filters& f = config.filters;
  ASR_RETURN_IF_ERROR(ValidateStrings("filters.accounts.include", f.accounts.include, IsAccountId,
                                      "a 12-digit account id"));
  ASR_RETURN_IF_ERROR(ValidateStrings("filters.accounts.exclude", f.accounts.exclude, IsAccountId,
                                      "a 12-digit account id"));
  ASR_RETURN_IF_ERROR(ValidateStrings("filters.regions.include", f.regions.include, IsAwsRegionName,
                                      "a region name such as us-east-1"));
  ASR_RETURN_IF_ERROR(ValidateStrings("filters.regions.exclude", f.regions.exclude, IsAwsRegionName,
                                      "a region name such as us-east-1"));
  ASR_RETURN_IF_ERROR(ValidateTags("filters.tags.include", f.tags.include));
  ASR_RETURN_IF_ERROR(ValidateTags("filters.tags.exclude", f.tags.exclude));
  ASR_RETURN_IF_ERROR(ValidateStrings("filters.resources.include", f.resources.include, IsNonEmpty,
                                      "a non-empty resource pattern"));
  ASR_RETURN_IF_ERROR(ValidateStrings("filters.resources.exclude", f.resources.exclude, IsNonEmpty,
                                      "a non-empty resource pattern"));
  return Status::Ok();
}

}  // namespace asr::routing
