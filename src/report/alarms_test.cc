#include "report/alarms.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace asr::report {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

// 2027-01-15T08:00:00.250Z
const TimePoint kNow = TimePoint(milliseconds(1'800'000'000'250));

OutcomeSample At(seconds ago, std::string state, std::string control = "S3.1") {
  return {.time = kNow - ago, .state = std::move(state), .control_id = std::move(control)};
}

std::vector<OutcomeSample> Repeat(int n, const OutcomeSample& s) {
  return std::vector<OutcomeSample>(static_cast<size_t>(n), s);
}

std::vector<OutcomeSample> Concat(std::vector<OutcomeSample> a,
                                  const std::vector<OutcomeSample>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

AlarmStates InAlarm(std::initializer_list<std::string> names) {
  AlarmStates s;
  for (const std::string& n : names) {
    s[n] = {.state = AlarmState::kAlarm, .since = kNow - hours(3)};
  }
  return s;
}

struct Want {
  std::string name;
  AlarmState old_state;
  AlarmState new_state;
  double value;
  bool notify;
};

struct Case {
  std::string name;
  std::vector<OutcomeSample> samples;
  AlarmStates previous;
  AlarmOptions options;
  std::vector<Want> transitions;
  std::vector<std::string> in_alarm_after;
};

TEST(AlarmsTest, EvaluatesReferenceAlarmsAndTransitions) {
  const AlarmOptions defaults;
  AlarmOptions executions = defaults;
  executions.executions_per_day = 3;
  AlarmOptions threshold_50 = defaults;
  threshold_50.failure_threshold_percent = 50;
  AlarmOptions recovery = defaults;
  recovery.notify_on_recovery = true;
  AlarmOptions no_per_control = defaults;
  no_per_control.per_control_failure_alarms = false;
  AlarmOptions short_window = defaults;
  short_window.window = hours(1);

  const auto kOk = AlarmState::kOk;
  const auto kAlarm = AlarmState::kAlarm;
  const std::string s31 = RemediationFailureAlarmName("S3.1");
  const std::vector<Case> cases = {
      {"no samples, nothing in alarm: no transitions", {}, {}, defaults, {}, {}},
      {"one NO_RUNBOOK fires ASR-NoRunbook",
       {At(seconds(60), "NO_RUNBOOK")},
       {},
       defaults,
       {{"ASR-NoRunbook", kOk, kAlarm, 1, true}},
       {"ASR-NoRunbook"}},
      {"lower-case state counts",
       {At(seconds(60), "no_runbook")},
       {},
       defaults,
       {{"ASR-NoRunbook", kOk, kAlarm, 1, true}},
       {"ASR-NoRunbook"}},
      {"ASSUME_ROLE_FAILURE fires its alarm",
       Repeat(2, At(seconds(5), "ASSUME_ROLE_FAILURE", "")),
       {},
       defaults,
       {{"ASR-RunbookAssumeRoleFailure", kOk, kAlarm, 2, true}},
       {"ASR-RunbookAssumeRoleFailure"}},
      {"sample exactly one window old has left the window",
       {At(hours(24), "NO_RUNBOOK")},
       {},
       defaults,
       {},
       {}},
      {"sample just inside the window counts",
       {At(hours(24) - seconds(1), "NO_RUNBOOK")},
       {},
       defaults,
       {{"ASR-NoRunbook", kOk, kAlarm, 1, true}},
       {"ASR-NoRunbook"}},
      {"sample from the future is ignored", {At(seconds(-10), "NO_RUNBOOK")}, {}, defaults, {}, {}},
      {"configured window is used", {At(hours(2), "NO_RUNBOOK")}, {}, short_window, {}, {}},
      {"still breaching while in ALARM: no re-fire",
       {At(seconds(60), "NO_RUNBOOK")},
       InAlarm({"ASR-NoRunbook"}),
       defaults,
       {},
       {"ASR-NoRunbook"}},
      {"no data any more: back to OK without notification",
       {},
       InAlarm({"ASR-NoRunbook"}),
       defaults,
       {{"ASR-NoRunbook", kAlarm, kOk, 0, false}},
       {}},
      {"back to OK notifies when notify_on_recovery",
       {},
       InAlarm({"ASR-NoRunbook"}),
       recovery,
       {{"ASR-NoRunbook", kAlarm, kOk, 0, true}},
       {}},
      {"1 failed of 20 (5%) reaches the default threshold",
       Concat(Repeat(1, At(seconds(60), "FAILED")), Repeat(19, At(seconds(60), "SUCCESS"))),
       {},
       defaults,
       {{s31, kOk, kAlarm, 5, true}},
       {s31}},
      {"1 failed of 21 (4.76%) stays below 5%",
       Concat(Repeat(1, At(seconds(60), "Failed")), Repeat(20, At(seconds(60), "SUCCESS"))),
       {},
       defaults,
       {},
       {}},
      {"threshold is configurable",
       Concat(Repeat(1, At(seconds(60), "FAILED")), Repeat(2, At(seconds(60), "SUCCESS"))),
       {},
       threshold_50,
       {},
       {}},
      {"only successes: 0% is not breaching",
       Repeat(3, At(seconds(60), "SUCCESS")),
       {},
       defaults,
       {},
       {}},
      {"other failure states don't count for the failure rate",
       Repeat(3, At(seconds(60), "TIMEDOUT")),
       {},
       defaults,
       {},
       {}},
      {"per-control alarms are off when told",
       {At(seconds(60), "FAILED")},
       {},
       no_per_control,
       {},
       {}},
      {"control alarms are per control",
       {At(seconds(60), "FAILED", "EC2.1"), At(seconds(60), "SUCCESS", "S3.1")},
       {},
       defaults,
       {{RemediationFailureAlarmName("EC2.1"), kOk, kAlarm, 100, true}},
       {RemediationFailureAlarmName("EC2.1")}},
      {"control alarm in ALARM without data goes back to OK",
       {},
       InAlarm({s31}),
       defaults,
       {{s31, kAlarm, kOk, 0, false}},
       {}},
      {"control alarm in ALARM with only successes goes back to OK",
       {At(seconds(60), "SUCCESS")},
       InAlarm({s31}),
       defaults,
       {{s31, kAlarm, kOk, 0, false}},
       {}},
      {"ASR-Executions is off by default",
       Repeat(5, At(seconds(60), "SUCCESS")),
       {},
       defaults,
       {},
       {}},
      {"ASR-Executions fires at the threshold",
       Concat(Repeat(2, At(seconds(60), "SUCCESS")), Repeat(1, At(seconds(60), "CANCELLED"))),
       {},
       executions,
       {{"ASR-Executions", kOk, kAlarm, 3, true}},
       {"ASR-Executions"}},
      {"ASR-Executions ignores non-execution outcomes",
       Concat(Repeat(2, At(seconds(60), "SUCCESS")), Repeat(3, At(seconds(60), "NOT_NEW"))),
       {},
       executions,
       {},
       {}},
      {"ASR-Executions turned off while in ALARM goes back to OK",
       {},
       InAlarm({"ASR-Executions"}),
       defaults,
       {{"ASR-Executions", kAlarm, kOk, 0, false}},
       {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const AlarmEvaluation got = EvaluateAlarms(c.samples, c.previous, kNow, c.options);
    ASSERT_EQ(got.transitions.size(), c.transitions.size());
    for (size_t i = 0; i < c.transitions.size(); ++i) {
      const AlarmTransition& t = got.transitions[i];
      const Want& w = c.transitions[i];
      EXPECT_EQ(t.name, w.name);
      EXPECT_EQ(t.old_state, w.old_state);
      EXPECT_EQ(t.new_state, w.new_state);
      EXPECT_DOUBLE_EQ(t.value, w.value);
      EXPECT_EQ(t.notify, w.notify);
      EXPECT_EQ(t.time, kNow);
      EXPECT_EQ(t.window_start, kNow - c.options.window);
    }
    std::vector<std::string> in_alarm;
    for (const auto& [name, status] : got.states) {
      if (status.state == AlarmState::kAlarm) {
        in_alarm.push_back(name);
      }
    }
    EXPECT_EQ(in_alarm, c.in_alarm_after);
  }
}

TEST(AlarmsTest, StatesKeepSinceWhileUnchangedAndLeaveOutOkControlAlarms) {
  const AlarmStates previous = InAlarm({"ASR-NoRunbook", RemediationFailureAlarmName("S3.1")});
  const AlarmEvaluation got = EvaluateAlarms({At(seconds(1), "NO_RUNBOOK")}, previous, kNow, {});
  ASSERT_TRUE(got.states.contains("ASR-NoRunbook"));
  EXPECT_EQ(got.states.at("ASR-NoRunbook").since, kNow - hours(3));
  ASSERT_TRUE(got.states.contains("ASR-RunbookAssumeRoleFailure"));
  EXPECT_EQ(got.states.at("ASR-RunbookAssumeRoleFailure").state, AlarmState::kOk);
  EXPECT_FALSE(got.states.contains(RemediationFailureAlarmName("S3.1")));
  ASSERT_EQ(got.transitions.size(), 1U);
  EXPECT_EQ(got.transitions[0].name, RemediationFailureAlarmName("S3.1"));
}

TEST(AlarmsTest, DisabledEvaluatesNothing) {
  AlarmOptions off;
  off.enabled = false;
  const AlarmEvaluation got = EvaluateAlarms({At(seconds(1), "NO_RUNBOOK")}, {}, kNow, off);
  EXPECT_TRUE(got.states.empty());
  EXPECT_TRUE(got.transitions.empty());
}

TEST(AlarmsTest, RestartFromStoredStatesDoesNotRefire) {
  const std::vector<OutcomeSample> samples = {At(seconds(30), "NO_RUNBOOK")};
  const AlarmEvaluation first = EvaluateAlarms(samples, {}, kNow, {});
  ASSERT_EQ(first.transitions.size(), 1U);
  const std::string stored = AlarmStatesToJson(first.states).dump();
  Result<AlarmStates> restored = AlarmStatesFromJson(json::parse(stored));
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  const AlarmEvaluation second = EvaluateAlarms(samples, *restored, kNow + seconds(60), {});
  EXPECT_TRUE(second.transitions.empty());
}

TEST(AlarmsTest, StatesJsonRoundTrip) {
  AlarmStates states;
  states["ASR-NoRunbook"] = {.state = AlarmState::kAlarm, .since = kNow};
  states["ASR-RunbookAssumeRoleFailure"] = {.state = AlarmState::kOk, .since = kNow - hours(1)};
  const json j = AlarmStatesToJson(states);
  EXPECT_EQ(j, json::parse(R"({"version":1,"alarms":{
      "ASR-NoRunbook":{"state":"ALARM","since_ms":1800000000250},
      "ASR-RunbookAssumeRoleFailure":{"state":"OK","since_ms":1799996400250}}})"));
  Result<AlarmStates> back = AlarmStatesFromJson(j);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 2U);
  EXPECT_EQ(back->at("ASR-NoRunbook").state, AlarmState::kAlarm);
  EXPECT_EQ(back->at("ASR-NoRunbook").since, kNow);
  EXPECT_EQ(back->at("ASR-RunbookAssumeRoleFailure").state, AlarmState::kOk);
  EXPECT_EQ(back->at("ASR-RunbookAssumeRoleFailure").since, kNow - hours(1));
}

TEST(AlarmsTest, StatesJsonRejectsMalformedDocuments) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[]", "expected a JSON object"},
      {R"({"alarms":{}})", "\"version\" must be 1"},
      {R"({"version":2,"alarms":{}})", "\"version\" must be 1"},
      {R"({"version":1})", "\"alarms\" must be an object"},
      {R"({"version":1,"alarms":{"A":1}})", "alarms[\"A\"] must be an object"},
      {R"({"version":1,"alarms":{"A":{"state":"INSUFFICIENT_DATA","since_ms":1}}})",
       "state is \"INSUFFICIENT_DATA\""},
      {R"({"version":1,"alarms":{"A":{"state":"OK"}}})", "since_ms must be an integer"},
      {R"({"version":1,"alarms":{"A":{"state":"OK","since_ms":"x"}}})",
       "since_ms must be an integer"},
  };
  for (const auto& [doc, want] : cases) {
    SCOPED_TRACE(doc);
    Result<AlarmStates> got = AlarmStatesFromJson(json::parse(doc));
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(got.status().message().find(want), std::string::npos) << got.status().message();
  }
}

AlarmTransition Fired(std::vector<OutcomeSample> samples, AlarmOptions options = {}) {
  const AlarmEvaluation e = EvaluateAlarms(samples, {}, kNow, options);
  EXPECT_EQ(e.transitions.size(), 1U);
  return e.transitions.empty() ? AlarmTransition{} : e.transitions.front();
}

const AlarmMessageContext kContext{
    .account = "111122223333",
    .region = "us-east-1",
    .alarm_topic_arn = ReferenceAlarmTopicArn("aws", "us-east-1", "111122223333")};

TEST(AlarmsTest, NoRunbookMessageIsCloudWatchAlarmFormat) {
  const std::string text = AlarmMessageText(Fired({At(seconds(1), "NO_RUNBOOK")}), kContext);
  const json want = json::parse(R"json({
    "AlarmName": "ASR-NoRunbook",
    "AlarmDescription": "Remediation failed with NO_RUNBOOK result. This indicates a remediation was attempted and an ASR runbook could not be found. This can happen if the member stack is not deployed in the account & region where the finding was generated, or ASR does not support the control ID.",
    "AWSAccountId": "111122223333",
    "NewStateValue": "ALARM",
    "NewStateReason": "Threshold Crossed: 1 out of the last 1 datapoints [1.0 (14/01/27 08:00:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).",
    "StateChangeTime": "2027-01-15T08:00:00.250+0000",
    "Region": "US East (N. Virginia)",
    "AlarmArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:ASR-NoRunbook",
    "OldStateValue": "OK",
    "OKActions": [],
    "AlarmActions": ["arn:aws:sns:us-east-1:111122223333:SO0111-ASR_Alarm_Topic"],
    "InsufficientDataActions": [],
    "Trigger": {
    "MetricName" : "RemediationOutcome",
                   "Namespace" : "ASR",
                                 "StatisticType" : "Statistic",
                                                   "Statistic" : "SUM",
                                                                 "Unit" : null,
                                                                          "Dimensions"
        : [ {"value" : "NO_RUNBOOK", "name" : "Outcome"} ],
          "Period" : 86400,
          "EvaluationPeriods" : 1,
          "DatapointsToAlarm" : 1,
          "ComparisonOperator" : "GreaterThanOrEqualToThreshold",
                                 "Threshold" : 1.0,
                                 "TreatMissingData"
        : "- TreatMissingData:                    notBreaching",
          "EvaluateLowSampleCountPercentile" : ""
    }
})json");
  // Compact, in CloudWatch's key order.
  const nlohmann::ordered_json got = nlohmann::ordered_json::parse(text);
  EXPECT_EQ(json::parse(text), want);
  std::vector<std::string> keys;
  for (const auto& [k, v] : got.items()) {
    keys.push_back(k);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"AlarmName", "AlarmDescription", "AWSAccountId",
                                            "NewStateValue", "NewStateReason", "StateChangeTime",
                                            "Region", "AlarmArn", "OldStateValue", "OKActions",
                                            "AlarmActions", "InsufficientDataActions", "Trigger"}));
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_NE(text.find("\"Threshold\":1.0,"), std::string::npos);
  EXPECT_EQ(AlarmSubject(Fired({At(seconds(1), "NO_RUNBOOK")}), "us-east-1"),
            "ALARM: \"ASR-NoRunbook\" in US East (N. Virginia)");
}

TEST(AlarmsTest, AssumeRoleFailureTriggerHasNoDimensions) {
  const json got =
      json::parse(AlarmMessageText(Fired({At(seconds(1), "ASSUME_ROLE_FAILURE")}), kContext));
  EXPECT_EQ(got["AlarmName"], "ASR-RunbookAssumeRoleFailure");
  EXPECT_EQ(got["Trigger"]["MetricName"], "AssumeRoleFailure");
  EXPECT_EQ(got["Trigger"]["Dimensions"], json::array());
  EXPECT_EQ(got["AlarmDescription"],
            "ASR Runbook Failed to assume role in an account. This indicates that a remediation "
            "was attempted in an account that does not have ASR deployed.");
}

TEST(AlarmsTest, FailureRateMessageUsesMetricMathTrigger) {
  const AlarmTransition t =
      Fired({At(seconds(1), "FAILED", "EC2.1"), At(seconds(1), "SUCCESS", "EC2.1"),
             At(seconds(1), "SUCCESS", "EC2.1")});
  const json got = json::parse(AlarmMessageText(t, kContext));
  EXPECT_EQ(got["AlarmName"], "ASR-EC2.1-remediation-failure");
  EXPECT_EQ(got["NewStateReason"],
            "Threshold Crossed: 1 out of the last 1 datapoints [33.333333333333336 (14/01/27 "
            "08:00:00)] was greater than or equal to the threshold (5.0) (minimum 1 datapoint "
            "for OK -> ALARM transition).");
  EXPECT_EQ(got["Trigger"], json::parse(R"({
    "Period": 86400, "EvaluationPeriods": 1, "DatapointsToAlarm": 1,
    "ComparisonOperator": "GreaterThanOrEqualToThreshold", "Threshold": 5.0,
    "TreatMissingData": "- TreatMissingData:                    notBreaching",
    "EvaluateLowSampleCountPercentile": "",
    "Metrics": [
      {"Expression": "(m1EC21 / (m1EC21+m2EC21)) * 100", "Id": "expr_1",
       "Label": "EC2.1 Failure Percentage", "ReturnData": true},
      {"Id": "m1EC21", "MetricStat": {"Metric": {"Dimensions": [{"value": "FAILED", "name": "Outcome"},
        {"value": "EC2.1", "name": "ControlId"}], "MetricName": "RemediationOutcome", "Namespace": "ASR"},
        "Period": 86400, "Stat": "Sum"}, "ReturnData": false},
      {"Id": "m2EC21", "MetricStat": {"Metric": {"Dimensions": [{"value": "SUCCESS", "name": "Outcome"},
        {"value": "EC2.1", "name": "ControlId"}], "MetricName": "RemediationOutcome", "Namespace": "ASR"},
        "Period": 86400, "Stat": "Sum"}, "ReturnData": false}]})"));
  EXPECT_NE(std::string(got["AlarmDescription"]).find("remediation failures for EC2.1"),
            std::string::npos);
}

TEST(AlarmsTest, RecoveryMessageSaysOkAndMissingData) {
  AlarmOptions recovery;
  recovery.notify_on_recovery = true;
  const AlarmEvaluation e = EvaluateAlarms({}, InAlarm({"ASR-NoRunbook"}), kNow, recovery);
  ASSERT_EQ(e.transitions.size(), 1U);
  const json got = json::parse(AlarmMessageText(
      e.transitions[0], {.account = "111122223333", .region = "eu-west-1", .partition = "aws"}));
  EXPECT_EQ(got["NewStateValue"], "OK");
  EXPECT_EQ(got["OldStateValue"], "ALARM");
  EXPECT_EQ(got["Region"], "EU (Ireland)");
  EXPECT_EQ(got["AlarmActions"], json::array());
  EXPECT_EQ(got["NewStateReason"],
            "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint "
            "was treated as [NonBreaching].");
  EXPECT_EQ(AlarmSubject(e.transitions[0], "eu-west-1"), "OK: \"ASR-NoRunbook\" in EU (Ireland)");
}

TEST(AlarmsTest, SubjectIsCutToSnsLimitAndUnknownRegionIsKept) {
  AlarmTransition t;
  t.name = "ASR-" + std::string(120, 'X') + "-remediation-failure";
  EXPECT_EQ(AlarmSubject(t, "xx-test-1").size(), 100U);
  EXPECT_EQ(RegionLongName("xx-test-1"), "xx-test-1");
  EXPECT_EQ(RegionLongName("eu-central-1"), "EU (Frankfurt)");
}

}  // namespace
}  // namespace asr::report
