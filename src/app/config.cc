#include "app/config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include "common/strings.h"

namespace asr::app {
namespace {

// Turns yaml-cpp's exceptions and node checks into Status with "source:line:col: path: ...".
class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  [[nodiscard]] Status Error(const YAML::Node& node, std::string_view path,
                             std::string_view problem) const {
    // Built with append(): g++ 12 reports a false -Wrestrict on chained operator+ at -O2.
    std::string message(source_);
    if (node.IsDefined() && node.Mark().line >= 0) {
      message.append(":").append(std::to_string(node.Mark().line + 1));
      message.append(":").append(std::to_string(node.Mark().column + 1));
    }
    message.append(": ").append(path).append(": ").append(problem);
    return InvalidArgumentError(std::move(message));
  }

  // Every key of `map` must be one of `known`.
  [[nodiscard]] Status CheckKeys(const YAML::Node& map, std::string_view path,
                                 std::initializer_list<std::string_view> known) const {
    if (!map.IsMap()) {
      return Error(map, path, "must be a mapping");
    }
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      bool found = false;
      std::string list;
      for (const std::string_view k : known) {
        found = found || key == k;
        list += list.empty() ? "" : ", ";
        list += k;
      }
      if (!found) {
        const std::string full = path.empty() ? key : std::string(path) + "." + key;
        return Error(kv.first, full, "unknown key; known keys here: " + list);
      }
    }
    return Status::Ok();
  }

  [[nodiscard]] Result<std::string> Scalar(const YAML::Node& node, std::string_view path) const {
    if (!node.IsScalar()) {
      return Error(node, path, "must be a single value (string)");
    }
    return node.Scalar();
  }

  [[nodiscard]] Result<std::vector<std::string>> StringList(const YAML::Node& node,
                                                            std::string_view path) const {
    std::vector<std::string> out;
    if (node.IsNull()) {
      return out;
    }
    if (!node.IsSequence()) {
      return Error(node, path, "must be a list, e.g. [a, b]");
    }
    for (size_t i = 0; i < node.size(); ++i) {
      ASR_ASSIGN_OR_RETURN(std::string value,
                           Scalar(node[i], std::string(path) + "[" + std::to_string(i) + "]"));
      out.push_back(std::move(value));
    }
    return out;
  }

 private:
  std::string source_;
};

Status ReadIncludeExclude(const Reader& r, const YAML::Node& node, const std::string& path,
                          routing::IncludeExclude<std::string>& out) {
  ASR_RETURN_IF_ERROR(r.CheckKeys(node, path, {"include", "exclude"}));
  if (node["include"]) {
    ASR_ASSIGN_OR_RETURN(out.include, r.StringList(node["include"], path + ".include"));
  }
  if (node["exclude"]) {
    ASR_ASSIGN_OR_RETURN(out.exclude, r.StringList(node["exclude"], path + ".exclude"));
  }
  return Status::Ok();
}

std::vector<routing::TagCondition> ToTagConditions(const std::vector<std::string>& values) {
  std::vector<routing::TagCondition> out;
  out.reserve(values.size());
  for (const std::string& v : values) {
    const size_t eq = v.find('=');
    if (eq == std::string::npos) {
      out.push_back({.key = std::string(TrimAscii(v)), .value = std::nullopt});
    } else {
      out.push_back({.key = std::string(TrimAscii(std::string_view(v).substr(0, eq))),
                     .value = v.substr(eq + 1)});
    }
  }
  return out;
}

Status ReadFilters(const Reader& r, const YAML::Node& node, routing::Filters& out) {
  ASR_RETURN_IF_ERROR(r.CheckKeys(node, "filters", {"accounts", "regions", "tags", "resources"}));
  if (node["accounts"]) {
    ASR_RETURN_IF_ERROR(ReadIncludeExclude(r, node["accounts"], "filters.accounts", out.accounts));
  }
  if (node["regions"]) {
    ASR_RETURN_IF_ERROR(ReadIncludeExclude(r, node["regions"], "filters.regions", out.regions));
  }
  if (node["resources"]) {
    ASR_RETURN_IF_ERROR(
        ReadIncludeExclude(r, node["resources"], "filters.resources", out.resources));
  }
  if (node["tags"]) {
    routing::IncludeExclude<std::string> tags;
    ASR_RETURN_IF_ERROR(ReadIncludeExclude(r, node["tags"], "filters.tags", tags));
    out.tags.include = ToTagConditions(tags.include);
    out.tags.exclude = ToTagConditions(tags.exclude);
  }
  return Status::Ok();
}

Status ReadControls(const Reader& r, const YAML::Node& node, routing::RoutingConfig& out) {
  if (!node.IsMap()) {
    return r.Error(node, "controls", "must be a mapping of control id to off|manual|approve|auto");
  }
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string path = "controls." + key;
    ASR_ASSIGN_OR_RETURN(const std::string text, r.Scalar(kv.second, path));
    Result<routing::ControlMode> mode = routing::ParseControlMode(text);
    if (!mode.ok()) {
      return r.Error(kv.second, path, mode.status().message());
    }
    if (key == "default") {
      out.default_mode = *mode;
    } else if (!out.control_modes.emplace(key, *mode).second) {
      return r.Error(kv.first, path, "listed twice (control ids compare case-insensitively)");
    }
  }
  return Status::Ok();
}

Status ReadRoles(const Reader& r, const YAML::Node& node, remediation::RoleOptions& out) {
  ASR_RETURN_IF_ERROR(r.CheckKeys(node, "roles", {"member_role", "namespace", "external_id"}));
  if (node["member_role"]) {
    ASR_ASSIGN_OR_RETURN(out.member_role_name, r.Scalar(node["member_role"], "roles.member_role"));
    if (Status s = remediation::ValidateRoleName(out.member_role_name); !s.ok()) {
      return r.Error(node["member_role"], "roles.member_role", s.message());
    }
  }
  if (node["namespace"]) {
    ASR_ASSIGN_OR_RETURN(out.remediation_namespace, r.Scalar(node["namespace"], "roles.namespace"));
    if (Status s = remediation::ValidateNamespace(out.remediation_namespace); !s.ok()) {
      return r.Error(node["namespace"], "roles.namespace",
                     s.message() +
                         " (the namespace of the SO0111-<Remediation>-<namespace> "
                         "roles in the member accounts)");
    }
  }
  if (node["external_id"]) {
    ASR_ASSIGN_OR_RETURN(out.external_id, r.Scalar(node["external_id"], "roles.external_id"));
  }
  return Status::Ok();
}

}  // namespace

Result<Config> ParseConfigYaml(std::string_view yaml_text, std::string_view source_name,
                               const catalog::Catalog& catalog) {
  const Reader r(source_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(std::string(source_name) + ":" + std::to_string(e.mark.line + 1) +
                                ":" + std::to_string(e.mark.column + 1) +
                                ": not valid YAML: " + e.msg);
  }
  Config config;
  config.source = std::string(source_name);
  if (root.IsNull()) {
    return config;  // an empty file means the defaults
  }
  try {
    ASR_RETURN_IF_ERROR(r.CheckKeys(root, "", {"playbooks", "controls", "filters", "roles"}));
    if (root["playbooks"]) {
      ASR_ASSIGN_OR_RETURN(config.routing.playbooks, r.StringList(root["playbooks"], "playbooks"));
    }
    if (root["controls"]) {
      ASR_RETURN_IF_ERROR(ReadControls(r, root["controls"], config.routing));
    }
    if (root["filters"]) {
      ASR_RETURN_IF_ERROR(ReadFilters(r, root["filters"], config.routing.filters));
    }
    if (root["roles"]) {
      ASR_RETURN_IF_ERROR(ReadRoles(r, root["roles"], config.roles));
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(std::string(source_name) + ": " + e.what());
  }
  const Status valid = routing::Validate(config.routing, catalog);
  if (!valid.ok()) {
    return valid.Annotate(source_name);
  }
  return config;
}

Result<Config> LoadConfigFile(const std::string& path, const catalog::Catalog& catalog) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return NotFoundError("config file " + Quote(path) + " does not exist or is not a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return PermissionDeniedError("cannot read config file " + Quote(path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfigYaml(text.str(), path, catalog);
}

Result<Config> ResolveConfig(const std::optional<std::string>& explicit_path,
                             const catalog::Catalog& catalog) {
  if (explicit_path.has_value()) {
    return LoadConfigFile(*explicit_path, catalog);
  }
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once at start-up, before any thread exists.
  if (const char* env = std::getenv("ASR_CONFIG"); env != nullptr && *env != '\0') {
    return LoadConfigFile(env, catalog);
  }
  std::error_code ec;
  if (std::filesystem::is_regular_file("asr.yaml", ec)) {
    return LoadConfigFile("asr.yaml", catalog);
  }
  return Config{};
}

}  // namespace asr::app
