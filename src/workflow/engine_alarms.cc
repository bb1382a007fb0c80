// The reference's alarms (spec §e.6), evaluated inside the engine over the outcomes it has
// reported: state changes are stored (setting "alarms", so a restart neither re-fires nor
// forgets an alarm) and published to the alarm topic through the outbox in the same commit.
#include <chrono>

#include "common/arn.h"
#include "report/notification.h"
#include "report/outbox.h"
#include "workflow/engine.h"
#include "workflow/engine_internal.h"
#include "workflow/job.h"

namespace asr::workflow {

using nlohmann::json;

namespace {

std::chrono::system_clock::time_point TimeOf(store::Millis ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

}  // namespace

void Engine::NoteOutcome(const store::JobRow& job, const std::string& state) {
  const auto now = TimeOf(NowMs());
  std::lock_guard lock(mu_);
  outcome_samples_.push_back({.time = now, .state = state, .control_id = job.control_id});
  while (!outcome_samples_.empty() &&
         outcome_samples_.front().time <= now - options_.alarms.window) {
    outcome_samples_.pop_front();
  }
  alarms_dirty_ = true;
}

size_t Engine::EvaluateAlarmsOnce() {
  if (!options_.alarms.enabled) {
    return 0;
  }
  const store::Millis now_ms = NowMs();
  const auto now = TimeOf(now_ms);
  std::vector<report::OutcomeSample> samples;
  report::AlarmStates previous;
  {
    std::lock_guard lock(mu_);
    while (!outcome_samples_.empty() &&
           outcome_samples_.front().time <= now - options_.alarms.window) {
      outcome_samples_.pop_front();
    }
    samples.assign(outcome_samples_.begin(), outcome_samples_.end());
    previous = alarm_states_;
    last_alarm_evaluation_ = now_ms;
  }
  report::AlarmEvaluation evaluation =
      report::EvaluateAlarms(samples, previous, now, options_.alarms);
  if (evaluation.transitions.empty()) {
    return 0;
  }
  store::Batch batch;
  batch.settings.push_back({.key = std::string(kAlarmsSettingKey),
                            .value = report::AlarmStatesToJson(evaluation.states).dump(),
                            .updated_by = "engine",
                            .updated_at = now_ms});
  const std::string& topic = options_.report.alarm_topic_arn;
  const std::optional<Arn> topic_arn = ParseArn(topic);
  for (const report::AlarmTransition& t : evaluation.transitions) {
    deps_.logger.Warn("alarm state changed",
                      {{"alarm", t.name},
                       {"from", std::string(report::AlarmStateName(t.old_state))},
                       {"to", std::string(report::AlarmStateName(t.new_state))},
                       {"value", std::to_string(t.value)},
                       {"threshold", std::to_string(t.threshold)}});
    if (!t.notify || !topic_arn) {
      continue;
    }
    const report::AlarmMessageContext context{.account = std::string(topic_arn->account),
                                              .region = options_.home_region,
                                              .partition = options_.partition,
                                              .alarm_topic_arn = topic};
    batch.outbox_add.push_back(
        {.job_id = "alarm:" + t.name,
         .kind = std::string(report::kOutboxKindSns),
         .key = std::string(report::AlarmStateName(t.new_state)) + "-" + std::to_string(now_ms),
         .payload = report::SnsOutboxPayload(topic, topic_arn->region,
                                             report::AlarmMessageText(t, context)),
         .created_at = now_ms});
  }
  if (const Status s = deps_.store.Commit(batch); !s.ok()) {
    deps_.logger.Error("alarm states not committed; will evaluate again",
                       {{"error", s.ToString()}});
    return 0;
  }
  std::lock_guard lock(mu_);
  alarm_states_ = std::move(evaluation.states);
  return evaluation.transitions.size();
}

}  // namespace asr::workflow
