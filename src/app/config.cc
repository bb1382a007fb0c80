#include "app/config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include "common/arn.h"
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

// `controls:` and `backends:`: a mapping of control id (or "default") to a value `parse` accepts.
template <typename T>
Status ReadControlMap(const Reader& r, const YAML::Node& node, std::string_view section,
                      std::string_view values, Result<T> (*parse)(std::string_view),
                      T& default_value, std::map<std::string, T, CaseInsensitiveLess>& out) {
  if (!node.IsMap()) {
    return r.Error(node, section, "must be a mapping of control id to " + std::string(values));
  }
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string path = std::string(section) + "." + key;
    ASR_ASSIGN_OR_RETURN(const std::string text, r.Scalar(kv.second, path));
    Result<T> value = parse(text);
    if (!value.ok()) {
      return r.Error(kv.second, path, value.status().message());
    }
    if (key == "default") {
      default_value = *value;
    } else if (!out.emplace(key, *value).second) {
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

// Integer, boolean and number scalars with bounds; errors name the key and the accepted range.
Result<int64_t> ReadInt(const Reader& r, const YAML::Node& node, const std::string& path,
                        int64_t min, int64_t max) {
  ASR_ASSIGN_OR_RETURN(const std::string text, r.Scalar(node, path));
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || end == nullptr || *end != '\0' || errno != 0 || v < min || v > max) {
    return r.Error(node, path,
                   "must be a whole number from " + std::to_string(min) + " to " +
                       std::to_string(max) + ", got " + Quote(text));
  }
  return static_cast<int64_t>(v);
}

Result<double> ReadNumber(const Reader& r, const YAML::Node& node, const std::string& path,
                          double min, double max) {
  ASR_ASSIGN_OR_RETURN(const std::string text, r.Scalar(node, path));
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end == nullptr || *end != '\0' || !(v >= min && v <= max)) {
    return r.Error(node, path,
                   "must be a number from " + std::to_string(min) + " to " + std::to_string(max) +
                       ", got " + Quote(text));
  }
  return v;
}

Result<bool> ReadBool(const Reader& r, const YAML::Node& node, const std::string& path) {
  ASR_ASSIGN_OR_RETURN(const std::string text, r.Scalar(node, path));
  const std::string lower = AsciiLower(text);
  if (lower == "true" || lower == "yes") {
    return true;
  }
  if (lower == "false" || lower == "no") {
    return false;
  }
  return r.Error(node, path, "must be true or false, got " + Quote(text));
}

Status ReadTokens(const Reader& r, const YAML::Node& node, std::vector<server::Token>& out,
                  std::vector<std::string>& missing_env) {
  if (!node.IsSequence()) {
    return r.Error(node, "server.tokens",
                   "must be a list of {name, secret_env | secret, role: viewer|operator|intake}");
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string path = "server.tokens[" + std::to_string(i) + "]";
    const YAML::Node t = node[i];
    ASR_RETURN_IF_ERROR(r.CheckKeys(t, path, {"name", "secret", "secret_env", "role"}));
    server::Token token;
    if (!t["name"]) {
      return r.Error(t, path + ".name", "is required (it names the caller in logs and journals)");
    }
    ASR_ASSIGN_OR_RETURN(token.name, r.Scalar(t["name"], path + ".name"));
    if (t["secret"] && t["secret_env"]) {
      return r.Error(t, path, "give secret or secret_env, not both");
    }
    if (t["secret_env"]) {
      ASR_ASSIGN_OR_RETURN(const std::string var, r.Scalar(t["secret_env"], path + ".secret_env"));
      // NOLINTNEXTLINE(concurrency-mt-unsafe): read once at start-up, before any thread exists.
      const char* value = std::getenv(var.c_str());
      if (value == nullptr || *value == '\0') {
        // Only `asr serve` needs the secrets; other commands must work without them.
        missing_env.push_back(path + ".secret_env: environment variable " + var + " is not set");
      } else {
        token.secret = value;
      }
    } else if (t["secret"]) {
      ASR_ASSIGN_OR_RETURN(token.secret, r.Scalar(t["secret"], path + ".secret"));
    } else {
      return r.Error(t, path, "needs secret_env (preferred) or secret");
    }
    if (!token.secret.empty() && token.secret.size() < 16) {
      return r.Error(t, path, "the secret must have at least 16 characters");
    }
    const std::string role = t["role"] ? t["role"].Scalar() : "viewer";
    if (role == "viewer") {
      token.role = workflow::Principal::Role::kViewer;
    } else if (role == "operator") {
      token.role = workflow::Principal::Role::kOperator;
    } else if (role == "intake") {
      token.role = workflow::Principal::Role::kIntake;
    } else {
      return r.Error(
          t["role"], path + ".role",
          "must be viewer, operator or intake (POST /v1/events only), got " + Quote(role));
    }
    out.push_back(std::move(token));
  }
  return Status::Ok();
}

Status ReadServe(const Reader& r, const YAML::Node& root, ServeConfig& out) {
  if (const YAML::Node n = root["store"]) {
    ASR_RETURN_IF_ERROR(r.CheckKeys(n, "store", {"path"}));
    if (n["path"]) {
      ASR_ASSIGN_OR_RETURN(out.store_path, r.Scalar(n["path"], "store.path"));
    }
  }
  if (const YAML::Node n = root["server"]) {
    ASR_RETURN_IF_ERROR(
        r.CheckKeys(n, "server",
                    {"listen", "tokens", "max_body_bytes", "threads", "api_key_header",
                     "public_metrics", "allow_anonymous_loopback"}));
    if (n["listen"]) {
      ASR_ASSIGN_OR_RETURN(out.server.listen, r.Scalar(n["listen"], "server.listen"));
    }
    if (n["tokens"]) {
      ASR_RETURN_IF_ERROR(ReadTokens(r, n["tokens"], out.server.tokens, out.missing_token_secrets));
    }
    if (n["max_body_bytes"]) {
      ASR_ASSIGN_OR_RETURN(const int64_t v, ReadInt(r, n["max_body_bytes"], "server.max_body_bytes",
                                                    1024, 64LL << 20));
      out.server.max_body_bytes = static_cast<size_t>(v);
    }
    if (n["threads"]) {
      ASR_ASSIGN_OR_RETURN(const int64_t v, ReadInt(r, n["threads"], "server.threads", 1, 256));
      out.server.threads = static_cast<int>(v);
    }
    if (n["api_key_header"]) {
      ASR_ASSIGN_OR_RETURN(out.server.api_key_header,
                           r.Scalar(n["api_key_header"], "server.api_key_header"));
    }
    if (n["public_metrics"]) {
      ASR_ASSIGN_OR_RETURN(out.server.public_metrics,
                           ReadBool(r, n["public_metrics"], "server.public_metrics"));
    }
    if (n["allow_anonymous_loopback"]) {
      ASR_ASSIGN_OR_RETURN(
          out.server.allow_anonymous_loopback,
          ReadBool(r, n["allow_anonymous_loopback"], "server.allow_anonymous_loopback"));
    }
  }
  if (const YAML::Node n = root["engine"]) {
    ASR_RETURN_IF_ERROR(r.CheckKeys(n, "engine", {"workers", "home_region", "kill_switch"}));
    if (n["workers"]) {
      ASR_ASSIGN_OR_RETURN(const int64_t v, ReadInt(r, n["workers"], "engine.workers", 1, 64));
      out.workers = static_cast<int>(v);
    }
    if (n["home_region"]) {
      ASR_ASSIGN_OR_RETURN(out.home_region, r.Scalar(n["home_region"], "engine.home_region"));
    }
    if (n["kill_switch"]) {
      ASR_ASSIGN_OR_RETURN(out.kill_switch, ReadBool(r, n["kill_switch"], "engine.kill_switch"));
    }
  }
  if (const YAML::Node n = root["limits"]) {
    ASR_RETURN_IF_ERROR(
        r.CheckKeys(n, "limits",
                    {"account_region_spacing_seconds", "max_running", "max_running_per_account",
                     "max_automatic_per_control_per_hour", "circuit_breaker"}));
    workflow::LimitOptions& l = out.limits;
    if (n["account_region_spacing_seconds"]) {
      ASR_ASSIGN_OR_RETURN(const double v,
                           ReadNumber(r, n["account_region_spacing_seconds"],
                                      "limits.account_region_spacing_seconds", 0, 3600));
      l.account_region_spacing = std::chrono::milliseconds(static_cast<int64_t>(v * 1000));
    }
    const auto count = [&](const char* key, int& field) -> Status {
      if (n[key]) {
        ASR_ASSIGN_OR_RETURN(const int64_t v,
                             ReadInt(r, n[key], std::string("limits.") + key, 0, 100000));
        field = static_cast<int>(v);
      }
      return Status::Ok();
    };
    ASR_RETURN_IF_ERROR(count("max_running", l.max_running));
    ASR_RETURN_IF_ERROR(count("max_running_per_account", l.max_running_per_account));
    ASR_RETURN_IF_ERROR(
        count("max_automatic_per_control_per_hour", l.max_automatic_per_control_per_hour));
    if (const YAML::Node b = n["circuit_breaker"]) {
      ASR_RETURN_IF_ERROR(r.CheckKeys(b, "limits.circuit_breaker",
                                      {"min_outcomes", "failure_ratio", "window_minutes"}));
      if (b["min_outcomes"]) {
        ASR_ASSIGN_OR_RETURN(
            const int64_t v,
            ReadInt(r, b["min_outcomes"], "limits.circuit_breaker.min_outcomes", 0, 100000));
        l.breaker_min_outcomes = static_cast<int>(v);
      }
      if (b["failure_ratio"]) {
        ASR_ASSIGN_OR_RETURN(
            l.breaker_failure_ratio,
            ReadNumber(r, b["failure_ratio"], "limits.circuit_breaker.failure_ratio", 0.01, 1));
      }
      if (b["window_minutes"]) {
        ASR_ASSIGN_OR_RETURN(const int64_t v,
                             ReadInt(r, b["window_minutes"],
                                     "limits.circuit_breaker.window_minutes", 1, 7 * 24 * 60));
        l.breaker_window = std::chrono::minutes(v);
      }
    }
  }
  if (const YAML::Node n = root["notifications"]) {
    ASR_RETURN_IF_ERROR(r.CheckKeys(n, "notifications",
                                    {"sns_topic_arn", "alarm_topic_arn", "account_alias_lookup"}));
    for (const auto& [key, field] : {std::pair{"sns_topic_arn", &out.report.topic_arn},
                                     std::pair{"alarm_topic_arn", &out.report.alarm_topic_arn}}) {
      if (n[key]) {
        const std::string path = std::string("notifications.") + key;
        ASR_ASSIGN_OR_RETURN(*field, r.Scalar(n[key], path));
        const std::optional<Arn> arn = ParseArn(*field);
        if (!arn || arn->service != "sns" || arn->region.empty() || arn->account.empty()) {
          return r.Error(n[key], path,
                         "must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), got " +
                             Quote(*field));
        }
      }
    }
    if (n["account_alias_lookup"]) {
      ASR_ASSIGN_OR_RETURN(
          out.report.account_alias_lookup,
          ReadBool(r, n["account_alias_lookup"], "notifications.account_alias_lookup"));
    }
  }
  if (const YAML::Node n = root["securityhub"]) {
    ASR_RETURN_IF_ERROR(r.CheckKeys(n, "securityhub", {"region", "update_findings"}));
    if (n["region"]) {
      ASR_ASSIGN_OR_RETURN(out.report.securityhub_region,
                           r.Scalar(n["region"], "securityhub.region"));
    }
    if (n["update_findings"]) {
      ASR_ASSIGN_OR_RETURN(out.report.update_findings,
                           ReadBool(r, n["update_findings"], "securityhub.update_findings"));
    }
  }
  if (const YAML::Node n = root["logs"]) {
    ASR_RETURN_IF_ERROR(r.CheckKeys(n, "logs", {"findings", "cloudwatch", "cloudwatch_group"}));
    if (n["findings"]) {
      ASR_ASSIGN_OR_RETURN(out.finding_log, r.Scalar(n["findings"], "logs.findings"));
    }
    if (n["cloudwatch"]) {
      ASR_ASSIGN_OR_RETURN(out.cloudwatch_logs, ReadBool(r, n["cloudwatch"], "logs.cloudwatch"));
    }
    if (n["cloudwatch_group"]) {
      ASR_ASSIGN_OR_RETURN(out.cloudwatch_log_group,
                           r.Scalar(n["cloudwatch_group"], "logs.cloudwatch_group"));
      if (out.cloudwatch_log_group.empty() || out.cloudwatch_log_group.size() > 512) {
        return r.Error(n["cloudwatch_group"], "logs.cloudwatch_group",
                       "must be a log group name of 1 to 512 characters");
      }
    }
  }
  if (const YAML::Node n = root["metrics"]) {
    ASR_RETURN_IF_ERROR(r.CheckKeys(n, "metrics", {"cloudwatch", "enhanced", "interval_seconds"}));
    if (n["cloudwatch"]) {
      ASR_ASSIGN_OR_RETURN(out.cloudwatch_metrics,
                           ReadBool(r, n["cloudwatch"], "metrics.cloudwatch"));
    }
    if (n["enhanced"]) {
      ASR_ASSIGN_OR_RETURN(out.enhanced_metrics, ReadBool(r, n["enhanced"], "metrics.enhanced"));
    }
    if (n["interval_seconds"]) {
      ASR_ASSIGN_OR_RETURN(const int64_t v,
                           ReadInt(r, n["interval_seconds"], "metrics.interval_seconds", 1, 3600));
      out.cloudwatch_interval = std::chrono::seconds(v);
    }
  }
  if (const YAML::Node n = root["alarms"]) {
    ASR_RETURN_IF_ERROR(
        r.CheckKeys(n, "alarms", {"enabled", "failure_threshold_percent", "executions_per_day"}));
    if (n["enabled"]) {
      ASR_ASSIGN_OR_RETURN(out.alarms, ReadBool(r, n["enabled"], "alarms.enabled"));
    }
    if (n["failure_threshold_percent"]) {
      ASR_ASSIGN_OR_RETURN(out.alarm_failure_threshold_percent,
                           ReadNumber(r, n["failure_threshold_percent"],
                                      "alarms.failure_threshold_percent", 0.01, 100));
    }
    if (n["executions_per_day"]) {
      ASR_ASSIGN_OR_RETURN(
          out.alarm_executions_per_day,
          ReadInt(r, n["executions_per_day"], "alarms.executions_per_day", 0, 100000000));
    }
  }
  if (const YAML::Node n = root["intake"]) {
    ASR_RETURN_IF_ERROR(r.CheckKeys(n, "intake", {"sqs", "sweep"}));
    if (const YAML::Node q = n["sqs"]) {
      ASR_RETURN_IF_ERROR(
          r.CheckKeys(q, "intake.sqs", {"queue_url", "wait_seconds", "max_messages"}));
      if (q["queue_url"]) {
        ASR_ASSIGN_OR_RETURN(out.sqs_queue_url, r.Scalar(q["queue_url"], "intake.sqs.queue_url"));
        if (!out.sqs_queue_url.starts_with("https://") &&
            !out.sqs_queue_url.starts_with("http://")) {
          return r.Error(q["queue_url"], "intake.sqs.queue_url",
                         "must be the queue URL (https://sqs.<region>.amazonaws.com/<account>/"
                         "<name>), got " +
                             Quote(out.sqs_queue_url));
        }
      }
      if (q["wait_seconds"]) {
        ASR_ASSIGN_OR_RETURN(const int64_t v,
                             ReadInt(r, q["wait_seconds"], "intake.sqs.wait_seconds", 0, 20));
        out.sqs_wait_seconds = static_cast<int>(v);
      }
      if (q["max_messages"]) {
        ASR_ASSIGN_OR_RETURN(const int64_t v,
                             ReadInt(r, q["max_messages"], "intake.sqs.max_messages", 1, 10));
        out.sqs_max_messages = static_cast<int>(v);
      }
    }
    if (const YAML::Node w = n["sweep"]) {
      ASR_RETURN_IF_ERROR(
          r.CheckKeys(w, "intake.sweep", {"interval_hours", "on_start", "max_findings"}));
      if (w["interval_hours"]) {
        ASR_ASSIGN_OR_RETURN(const int64_t v, ReadInt(r, w["interval_hours"],
                                                      "intake.sweep.interval_hours", 0, 24 * 31));
        out.sweep_interval = std::chrono::hours(v);
      }
      if (w["on_start"]) {
        ASR_ASSIGN_OR_RETURN(out.sweep_on_start,
                             ReadBool(r, w["on_start"], "intake.sweep.on_start"));
      }
      if (w["max_findings"]) {
        ASR_ASSIGN_OR_RETURN(
            out.sweep_max_findings,
            ReadInt(r, w["max_findings"], "intake.sweep.max_findings", 1, 1000000));
      }
    }
  }
  if (const YAML::Node n = root["ssm"]) {
    ASR_RETURN_IF_ERROR(r.CheckKeys(n, "ssm", {"poll_seconds", "timeout_minutes"}));
    if (n["poll_seconds"]) {
      ASR_ASSIGN_OR_RETURN(const int64_t v,
                           ReadInt(r, n["poll_seconds"], "ssm.poll_seconds", 1, 600));
      out.ssm_poll_interval = std::chrono::seconds(v);
    }
    if (n["timeout_minutes"]) {
      ASR_ASSIGN_OR_RETURN(const int64_t v,
                           ReadInt(r, n["timeout_minutes"], "ssm.timeout_minutes", 1, 7 * 24 * 60));
      out.ssm_timeout = std::chrono::minutes(v);
    }
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
    ASR_RETURN_IF_ERROR(r.CheckKeys(
        root, "",
        {"playbooks", "controls", "backends", "filters", "roles", "store", "server", "engine",
         "limits", "notifications", "securityhub", "logs", "metrics", "alarms", "intake", "ssm"}));
    if (root["playbooks"]) {
      ASR_ASSIGN_OR_RETURN(config.routing.playbooks, r.StringList(root["playbooks"], "playbooks"));
    }
    if (root["controls"]) {
      ASR_RETURN_IF_ERROR(ReadControlMap(r, root["controls"], "controls", "off|manual|approve|auto",
                                         &routing::ParseControlMode, config.routing.default_mode,
                                         config.routing.control_modes));
    }
    if (root["backends"]) {
      ASR_RETURN_IF_ERROR(ReadControlMap(r, root["backends"], "backends", "native|ssm",
                                         &routing::ParseBackend, config.routing.default_backend,
                                         config.routing.backends));
    }
    if (root["filters"]) {
      ASR_RETURN_IF_ERROR(ReadFilters(r, root["filters"], config.routing.filters));
    }
    if (root["roles"]) {
      ASR_RETURN_IF_ERROR(ReadRoles(r, root["roles"], config.roles));
    }
    ASR_RETURN_IF_ERROR(ReadServe(r, root, config.serve));
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
  // The built-in defaults: with no tokens configured anywhere, the API is usable from this
  // machine only (the server refuses browsers' cross-site requests even then).
  Config defaults;
  defaults.serve.server.allow_anonymous_loopback = true;
  return defaults;
}

}  // namespace asr::app
