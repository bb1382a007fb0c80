#include "report/alarms.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <ctime>
#include <set>
#include <utility>

#include "common/clock.h"
#include "common/strings.h"

namespace asr::report {
namespace {

using std::chrono::system_clock;

constexpr std::string_view kNamespace = "ASR";
constexpr std::string_view kMetricOutcome = "RemediationOutcome";
constexpr std::string_view kMetricAssumeRoleFailure = "AssumeRoleFailure";
// Not published by the reference; names what ASR-Executions counts.
constexpr std::string_view kMetricExecutions = "RemediationExecutions";
// CloudWatch's SNS messages carry this odd "- Name: <padding>value" form for TreatMissingData;
// the reference's alarms treat missing data as not breaching.
constexpr std::string_view kTreatMissingData =
    "- TreatMissingData:                    notBreaching";

constexpr std::string_view kNoRunbookDescription =
    "Remediation failed with NO_RUNBOOK result. This indicates a remediation was attempted and an "
    "ASR runbook could not be found. This can happen if the member stack is not deployed in the "
    "account & region where the finding was generated, or ASR does not support the control ID.";
constexpr std::string_view kAssumeRoleDescription =
    "ASR Runbook Failed to assume role in an account. This indicates that a remediation was "
    "attempted in an account that does not have ASR deployed.";
constexpr std::string_view kExecutionsDescription =
    "The number of remediation executions in one period (1 day) reached the configured "
    "threshold. Check whether a burst of findings or a misconfigured automation is causing "
    "unexpected remediations.";

struct RegionName {
  std::string_view code;
  std::string_view name;
};
constexpr std::array<RegionName, 34> kRegionNames = {{
    {"af-south-1", "Africa (Cape Town)"},
    {"ap-east-1", "Asia Pacific (Hong Kong)"},
    {"ap-northeast-1", "Asia Pacific (Tokyo)"},
    {"ap-northeast-2", "Asia Pacific (Seoul)"},
    {"ap-northeast-3", "Asia Pacific (Osaka)"},
    {"ap-south-1", "Asia Pacific (Mumbai)"},
    {"ap-south-2", "Asia Pacific (Hyderabad)"},
    {"ap-southeast-1", "Asia Pacific (Singapore)"},
    {"ap-southeast-2", "Asia Pacific (Sydney)"},
    {"ap-southeast-3", "Asia Pacific (Jakarta)"},
    {"ap-southeast-4", "Asia Pacific (Melbourne)"},
    {"ap-southeast-5", "Asia Pacific (Malaysia)"},
    {"ap-southeast-7", "Asia Pacific (Thailand)"},
    {"ca-central-1", "Canada (Central)"},
    {"ca-west-1", "Canada West (Calgary)"},
    {"cn-north-1", "China (Beijing)"},
    {"cn-northwest-1", "China (Ningxia)"},
    {"eu-central-1", "EU (Frankfurt)"},
    {"eu-central-2", "EU (Zurich)"},
    {"eu-north-1", "EU (Stockholm)"},
    {"eu-south-1", "EU (Milan)"},
    {"eu-south-2", "EU (Spain)"},
    {"eu-west-1", "EU (Ireland)"},
    {"eu-west-2", "EU (London)"},
    {"eu-west-3", "EU (Paris)"},
    {"il-central-1", "Israel (Tel Aviv)"},
    {"me-central-1", "Middle East (UAE)"},
    {"me-south-1", "Middle East (Bahrain)"},
    {"mx-central-1", "Mexico (Central)"},
    {"sa-east-1", "South America (Sao Paulo)"},
    {"us-east-1", "US East (N. Virginia)"},
    {"us-east-2", "US East (Ohio)"},
    {"us-gov-east-1", "AWS GovCloud (US-East)"},
    {"us-gov-west-1", "AWS GovCloud (US-West)"},
}};

int64_t ToMillis(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// Java's Double.toString for the values we print: the shortest round-trip form, with ".0" on
// integral values ("1.0", "33.333333333333336").
std::string JavaDouble(double v) {
  std::array<char, 64> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  std::string s(buf.data(), ec == std::errc() ? end : buf.data());
  if (s.find_first_of(".eEn") == std::string::npos) {
    s += ".0";
  }
  return s;
}

// CloudWatch's datapoint time in NewStateReason: "dd/MM/yy HH:mm:ss" (UTC).
std::string ReasonTime(system_clock::time_point t) {
  const std::time_t tt = system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::array<char, 32> buf{};
  const size_t n = std::strftime(buf.data(), buf.size(), "%d/%m/%y %H:%M:%S", &tm);
  return {buf.data(), n};
}

// "2026-04-21T08:00:00.123+0000" (CloudWatch's StateChangeTime).
std::string StateChangeTime(system_clock::time_point t) {
  std::string s = FormatRfc3339Millis(t);  // ...T08:00:00.123Z
  if (!s.empty() && s.back() == 'Z') {
    s.pop_back();
  }
  return s + "+0000";
}

std::string NewStateReason(const AlarmTransition& t, bool has_data) {
  const std::string threshold = JavaDouble(t.threshold);
  if (t.new_state == AlarmState::kAlarm) {
    return "Threshold Crossed: 1 out of the last 1 datapoints [" + JavaDouble(t.value) + " (" +
           ReasonTime(t.window_start) + ")] was greater than or equal to the threshold (" +
           threshold + ") (minimum 1 datapoint for OK -> ALARM transition).";
  }
  if (!has_data) {
    return "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint "
           "was treated as [NonBreaching].";
  }
  return "Threshold Crossed: 1 out of the last 1 datapoints [" + JavaDouble(t.value) + " (" +
         ReasonTime(t.window_start) + ")] was not greater than or equal to the threshold (" +
         threshold + ") (minimum 1 datapoint for ALARM -> OK transition).";
}

std::string FailureDescription(std::string_view control) {
  return "This alarm triggers when the percentage of remediation failures for " +
         std::string(control) +
         " reaches above the configured threshold. This indicates that there may be a problem "
         "remediating this control ID in your AWS environment. Check the most recent failed "
         "execution of this control's runbook in the target account to identify potential "
         "issues.";
}

nlohmann::ordered_json Dimension(std::string_view name, std::string_view value) {
  nlohmann::ordered_json d;
  d["value"] = value;
  d["name"] = name;
  return d;
}

// The metric-math alarm's metric ids: "m1"/"m2" + the control id without non-word characters
// (as the reference names them).
std::string MetricId(std::string_view prefix, std::string_view control) {
  std::string id(prefix);
  for (const char c : control) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_') {
      id += c;
    }
  }
  return id;
}

nlohmann::ordered_json MetricStat(std::string_view id, std::string_view outcome,
                                  std::string_view control, int64_t period) {
  nlohmann::ordered_json metric;
  metric["Dimensions"] = nlohmann::ordered_json::array(
      {Dimension("Outcome", outcome), Dimension("ControlId", control)});
  metric["MetricName"] = kMetricOutcome;
  metric["Namespace"] = kNamespace;
  nlohmann::ordered_json stat;
  stat["Metric"] = std::move(metric);
  stat["Period"] = period;
  stat["Stat"] = "Sum";
  nlohmann::ordered_json m;
  m["Id"] = id;
  m["MetricStat"] = std::move(stat);
  m["ReturnData"] = false;
  return m;
}

// The evaluation settings every trigger carries, in CloudWatch's key order.
void AppendEvaluation(const AlarmTransition& t, int64_t period, nlohmann::ordered_json& trigger) {
  trigger["Period"] = period;
  trigger["EvaluationPeriods"] = 1;
  trigger["DatapointsToAlarm"] = 1;
  trigger["ComparisonOperator"] = "GreaterThanOrEqualToThreshold";
  trigger["Threshold"] = t.threshold;
  trigger["TreatMissingData"] = kTreatMissingData;
  trigger["EvaluateLowSampleCountPercentile"] = "";
}

nlohmann::ordered_json Trigger(const AlarmTransition& t) {
  const int64_t period = t.window.count();
  nlohmann::ordered_json trigger;
  if (t.kind == AlarmKind::kRemediationFailure) {
    const std::string m1 = MetricId("m1", t.control_id);
    const std::string m2 = MetricId("m2", t.control_id);
    AppendEvaluation(t, period, trigger);
    nlohmann::ordered_json expr;
    expr["Expression"] = "(" + m1 + " / (" + m1 + "+" + m2 + ")) * 100";
    expr["Id"] = "expr_1";
    expr["Label"] = t.control_id + " Failure Percentage";
    expr["ReturnData"] = true;
    trigger["Metrics"] = nlohmann::ordered_json::array(
        {std::move(expr), MetricStat(m1, "FAILED", t.control_id, period),
         MetricStat(m2, "SUCCESS", t.control_id, period)});
    return trigger;
  }
  nlohmann::ordered_json dimensions = nlohmann::ordered_json::array();
  std::string_view metric = kMetricOutcome;
  switch (t.kind) {
    case AlarmKind::kNoRunbook:
      dimensions.push_back(Dimension("Outcome", "NO_RUNBOOK"));
      break;
    case AlarmKind::kAssumeRoleFailure:
      metric = kMetricAssumeRoleFailure;
      break;
    case AlarmKind::kExecutions:
      metric = kMetricExecutions;
      break;
    case AlarmKind::kRemediationFailure:
      break;
  }
  trigger["MetricName"] = metric;
  trigger["Namespace"] = kNamespace;
  trigger["StatisticType"] = "Statistic";
  trigger["Statistic"] = "SUM";
  trigger["Unit"] = nullptr;
  trigger["Dimensions"] = std::move(dimensions);
  AppendEvaluation(t, period, trigger);
  return trigger;
}

std::string Description(const AlarmTransition& t) {
  switch (t.kind) {
    case AlarmKind::kNoRunbook:
      return std::string(kNoRunbookDescription);
    case AlarmKind::kAssumeRoleFailure:
      return std::string(kAssumeRoleDescription);
    case AlarmKind::kExecutions:
      return std::string(kExecutionsDescription);
    case AlarmKind::kRemediationFailure:
      return FailureDescription(t.control_id);
  }
  return {};
}

struct Evaluated {
  std::string name;
  AlarmKind kind;
  std::string control_id;
  double value;
  double threshold;
  bool has_data;
};

}  // namespace

std::string RemediationFailureAlarmName(std::string_view control_id) {
  return "ASR-" + std::string(control_id) + "-remediation-failure";
}

std::string_view AlarmStateName(AlarmState state) {
  return state == AlarmState::kAlarm ? "ALARM" : "OK";
}

bool IsExecutionOutcome(std::string_view upper_state) {
  static constexpr std::array<std::string_view, 7> kExecutions = {
      "SUCCESS", "FAILED", "TIMEDOUT", "TIMED_OUT", "CANCELLED", "CANCELLING", "ABORTED"};
  return std::find(kExecutions.begin(), kExecutions.end(), upper_state) != kExecutions.end();
}

nlohmann::json AlarmStatesToJson(const AlarmStates& states) {
  nlohmann::json alarms = nlohmann::json::object();
  for (const auto& [name, status] : states) {
    alarms[name] = {{"state", AlarmStateName(status.state)}, {"since_ms", ToMillis(status.since)}};
  }
  return {{"version", 1}, {"alarms", std::move(alarms)}};
}

Result<AlarmStates> AlarmStatesFromJson(const nlohmann::json& json) {
  if (!json.is_object()) {
    return InvalidArgumentError("alarm states: expected a JSON object");
  }
  const auto version = json.find("version");
  if (version == json.end() || !version->is_number_integer() || version->get<int64_t>() != 1) {
    return InvalidArgumentError("alarm states: \"version\" must be 1");
  }
  const auto alarms = json.find("alarms");
  if (alarms == json.end() || !alarms->is_object()) {
    return InvalidArgumentError("alarm states: \"alarms\" must be an object");
  }
  AlarmStates out;
  for (const auto& [name, entry] : alarms->items()) {
    const std::string where = "alarm states: alarms[" + Quote(name) + "]";
    if (!entry.is_object()) {
      return InvalidArgumentError(where + " must be an object");
    }
    const auto state = entry.find("state");
    AlarmStatus status;
    if (state == entry.end() || !state->is_string()) {
      return InvalidArgumentError(where + ".state must be \"OK\" or \"ALARM\"");
    }
    if (*state == "ALARM") {
      status.state = AlarmState::kAlarm;
    } else if (*state == "OK") {
      status.state = AlarmState::kOk;
    } else {
      return InvalidArgumentError(where + ".state is " + Quote(state->get<std::string>()) +
                                  "; expected \"OK\" or \"ALARM\"");
    }
    const auto since = entry.find("since_ms");
    if (since == entry.end() || !since->is_number_integer()) {
      return InvalidArgumentError(where + ".since_ms must be an integer (epoch milliseconds)");
    }
    status.since = system_clock::time_point(std::chrono::milliseconds(since->get<int64_t>()));
    out.emplace(name, status);
  }
  return out;
}

AlarmEvaluation EvaluateAlarms(const std::vector<OutcomeSample>& samples,
                               const AlarmStates& previous, system_clock::time_point now,
                               const AlarmOptions& options) {
  AlarmEvaluation result;
  if (!options.enabled) {
    return result;
  }
  const system_clock::time_point window_start = now - options.window;
  int no_runbook = 0;
  int assume_role = 0;
  int executions = 0;
  struct Counts {
    int failed = 0;
    int success = 0;
  };
  std::map<std::string, Counts, std::less<>> per_control;
  for (const OutcomeSample& s : samples) {
    if (s.time <= window_start || s.time > now) {
      continue;
    }
    const std::string state = AsciiUpper(s.state);
    no_runbook += state == "NO_RUNBOOK" ? 1 : 0;
    assume_role += state == "ASSUME_ROLE_FAILURE" ? 1 : 0;
    executions += IsExecutionOutcome(state) ? 1 : 0;
    if (options.per_control_failure_alarms && !s.control_id.empty() &&
        (state == "FAILED" || state == "SUCCESS")) {
      Counts& c = per_control[s.control_id];
      (state == "FAILED" ? c.failed : c.success) += 1;
    }
  }

  std::vector<Evaluated> evaluated;
  evaluated.push_back({std::string(kNoRunbookAlarm), AlarmKind::kNoRunbook, "",
                       static_cast<double>(no_runbook), 1, no_runbook > 0});
  evaluated.push_back({std::string(kAssumeRoleFailureAlarm), AlarmKind::kAssumeRoleFailure, "",
                       static_cast<double>(assume_role), 1, assume_role > 0});
  if (options.executions_per_day > 0) {
    evaluated.push_back({std::string(kExecutionsAlarm), AlarmKind::kExecutions, "",
                         static_cast<double>(executions),
                         static_cast<double>(options.executions_per_day), executions > 0});
  }
  std::set<std::string, std::less<>> control_alarms;
  for (const auto& [control, c] : per_control) {
    const double rate =
        static_cast<double>(c.failed) * 100.0 / static_cast<double>(c.failed + c.success);
    evaluated.push_back({RemediationFailureAlarmName(control), AlarmKind::kRemediationFailure,
                         control, rate, options.failure_threshold_percent, true});
    control_alarms.insert(RemediationFailureAlarmName(control));
  }
  // Per-control alarms in ALARM whose control has no data now: missing data is not breaching.
  constexpr std::string_view kSuffix = "-remediation-failure";
  for (const auto& [name, status] : previous) {
    if (status.state != AlarmState::kAlarm || control_alarms.contains(name) ||
        !name.starts_with("ASR-") || !name.ends_with(kSuffix) ||
        name.size() <= 4 + kSuffix.size()) {
      continue;
    }
    std::string control = name.substr(4, name.size() - 4 - kSuffix.size());
    evaluated.push_back({name, AlarmKind::kRemediationFailure, std::move(control), 0,
                         options.failure_threshold_percent, false});
  }
  // ASR-Executions when it was turned off while in ALARM: back to OK.
  if (options.executions_per_day <= 0) {
    const auto it = previous.find(kExecutionsAlarm);
    if (it != previous.end() && it->second.state == AlarmState::kAlarm) {
      evaluated.push_back({std::string(kExecutionsAlarm), AlarmKind::kExecutions, "",
                           static_cast<double>(executions), 0, false});
    }
  }

  for (Evaluated& e : evaluated) {
    const bool breaching = e.has_data && e.value >= e.threshold &&
                           !(e.kind == AlarmKind::kExecutions && options.executions_per_day <= 0);
    const AlarmState new_state = breaching ? AlarmState::kAlarm : AlarmState::kOk;
    const auto prev = previous.find(e.name);
    const AlarmState old_state = prev == previous.end() ? AlarmState::kOk : prev->second.state;
    AlarmStatus status{.state = new_state, .since = now};
    if (old_state == new_state) {
      if (prev != previous.end()) {
        status.since = prev->second.since;
      }
    } else {
      AlarmTransition t{.name = e.name,
                        .kind = e.kind,
                        .control_id = e.control_id,
                        .old_state = old_state,
                        .new_state = new_state,
                        .value = e.value,
                        .threshold = e.threshold,
                        .has_data = e.has_data,
                        .time = now,
                        .window_start = window_start,
                        .window = options.window,
                        .notify = new_state == AlarmState::kAlarm || options.notify_on_recovery};
      result.transitions.push_back(std::move(t));
    }
    const bool keep = new_state == AlarmState::kAlarm || e.kind == AlarmKind::kNoRunbook ||
                      e.kind == AlarmKind::kAssumeRoleFailure ||
                      (e.kind == AlarmKind::kExecutions && options.executions_per_day > 0);
    if (keep) {
      result.states[e.name] = status;
    }
  }
  std::sort(result.transitions.begin(), result.transitions.end(),
            [](const AlarmTransition& a, const AlarmTransition& b) { return a.name < b.name; });
  return result;
}

std::string RegionLongName(std::string_view region) {
  for (const RegionName& r : kRegionNames) {
    if (r.code == region) {
      return std::string(r.name);
    }
  }
  return std::string(region);
}

std::string ReferenceAlarmTopicArn(std::string_view partition, std::string_view region,
                                   std::string_view account) {
  return "arn:" + std::string(partition) + ":sns:" + std::string(region) + ":" +
         std::string(account) + ":SO0111-ASR_Alarm_Topic";
}

std::string AlarmMessageText(const AlarmTransition& transition,
                             const AlarmMessageContext& context) {
  nlohmann::ordered_json m;
  m["AlarmName"] = transition.name;
  m["AlarmDescription"] = Description(transition);
  m["AWSAccountId"] = context.account;
  m["NewStateValue"] = AlarmStateName(transition.new_state);
  m["NewStateReason"] = NewStateReason(transition, transition.has_data);
  m["StateChangeTime"] = StateChangeTime(transition.time);
  m["Region"] = RegionLongName(context.region);
  m["AlarmArn"] = "arn:" + context.partition + ":cloudwatch:" + context.region + ":" +
                  context.account + ":alarm:" + transition.name;
  m["OldStateValue"] = AlarmStateName(transition.old_state);
  nlohmann::ordered_json actions = nlohmann::ordered_json::array();
  if (!context.alarm_topic_arn.empty()) {
    actions.push_back(context.alarm_topic_arn);
  }
  m["OKActions"] = nlohmann::ordered_json::array();
  m["AlarmActions"] = actions;
  m["InsufficientDataActions"] = nlohmann::ordered_json::array();
  m["Trigger"] = Trigger(transition);
  return m.dump();
}

std::string AlarmSubject(const AlarmTransition& transition, std::string_view region) {
  std::string s = std::string(AlarmStateName(transition.new_state)) + ": \"" + transition.name +
                  "\" in " + RegionLongName(region);
  if (s.size() > 100) {
    s.resize(100);
  }
  return s;
}

}  // namespace asr::report
