#include "workflow/limits.h"

#include <algorithm>

#include "common/clock.h"

namespace asr::workflow {
namespace {

constexpr Millis kHour = 3600 * 1000;

std::string FormatMillis(Millis t) {
  return FormatRfc3339Millis(std::chrono::system_clock::time_point(std::chrono::milliseconds(t)));
}

}  // namespace

std::string Limiter::SlotKey(const Candidate& job) { return job.account_id + "-" + job.region; }

Millis Limiter::LastStart(const std::string& slot_key) const {
  const auto it = slots_.find(slot_key);
  return it == slots_.end() ? 0 : it->second;
}

void Limiter::Prune(Millis now) const {
  for (auto& [control, starts] : automatic_starts_) {
    while (!starts.empty() && starts.front() <= now - kHour) {
      starts.pop_front();
    }
  }
  const Millis window = options_.breaker_window.count();
  for (auto& [control, list] : outcomes_) {
    while (!list.empty() && list.front().at <= now - window) {
      list.pop_front();
    }
  }
}

int Limiter::AutomaticStartsInLastHour(const std::string& control_id, Millis now) const {
  Prune(now);
  const auto it = automatic_starts_.find(control_id);
  return it == automatic_starts_.end() ? 0 : static_cast<int>(it->second.size());
}

bool Limiter::BreakerOpen(const std::string& control_id, Millis now) const {
  Prune(now);
  const auto it = outcomes_.find(control_id);
  if (it == outcomes_.end() || options_.breaker_min_outcomes <= 0) {
    return false;
  }
  const auto total = static_cast<int>(it->second.size());
  if (total < options_.breaker_min_outcomes) {
    return false;
  }
  const auto failed = static_cast<int>(std::count_if(it->second.begin(), it->second.end(),
                                                     [](const Outcome& o) { return o.failed; }));
  return static_cast<double>(failed) >= options_.breaker_failure_ratio * static_cast<double>(total);
}

Admission Limiter::Check(const Candidate& job, Millis now, bool kill_switch) const {
  const auto hold = [](std::string_view code, std::string message) {
    return Admission{.start = false, .hold = std::string(code), .message = std::move(message)};
  };
  if (kill_switch) {
    return hold(kHoldKillSwitch,
                "the kill switch is engaged: no remediation starts until an operator releases it "
                "(PUT /v1/kill-switch {\"engaged\": false})");
  }
  if (job.automatic && BreakerOpen(job.control_id, now)) {
    return hold(kHoldCircuitOpen,
                "automatic remediation of " + job.control_id +
                    " is paused: too many recent failures (circuit breaker; it closes when the "
                    "failures age out of the window, or remediate on request)");
  }
  if (job.automatic && options_.max_automatic_per_control_per_hour > 0 &&
      AutomaticStartsInLastHour(job.control_id, now) >=
          options_.max_automatic_per_control_per_hour) {
    return hold(
        kHoldBlastRadius,
        "blast-radius cap: " + std::to_string(options_.max_automatic_per_control_per_hour) +
            " automatic remediations of " + job.control_id +
            " already started in the last hour (limits.max_automatic_per_control_per_hour)");
  }
  if (!job.resource_key.empty() && busy_resources_.contains(job.resource_key)) {
    return hold(kHoldResourceBusy,
                "another job is remediating the same resource; this one starts after it");
  }
  if (options_.max_running > 0 && running_ >= options_.max_running) {
    return hold(kHoldConcurrency, "engine-wide concurrency cap of " +
                                      std::to_string(options_.max_running) +
                                      " running jobs reached (limits.max_running)");
  }
  if (options_.max_running_per_account > 0) {
    const auto it = running_per_account_.find(job.account_id);
    if (it != running_per_account_.end() && it->second >= options_.max_running_per_account) {
      return hold(kHoldAccountConcurrency, "concurrency cap of " +
                                               std::to_string(options_.max_running_per_account) +
                                               " running jobs in account " + job.account_id +
                                               " reached (limits.max_running_per_account)");
    }
  }
  // Spacing as the reference scheduler: the next start is last + W when the last one is less
  // than W ago, else now.
  const Millis spacing = options_.account_region_spacing.count();
  const Millis last = LastStart(SlotKey(job));
  Millis planned = now;
  if (last > 0 && now - last <= spacing) {
    planned = std::max(now, last + spacing);
  }
  return Admission{.start = true, .planned_start = planned};
}

Millis Limiter::Start(const Candidate& job, Millis now) {
  const Admission a = Check(job, now, false);
  const Millis planned = a.start ? a.planned_start : now;
  slots_[SlotKey(job)] = planned;
  ++running_;
  ++running_per_account_[job.account_id];
  if (!job.resource_key.empty()) {
    busy_resources_.insert(job.resource_key);
  }
  if (job.automatic) {
    automatic_starts_[job.control_id].push_back(now);
  }
  return planned;
}

void Limiter::Release(const Candidate& job) {
  if (running_ > 0) {
    --running_;
  }
  auto it = running_per_account_.find(job.account_id);
  if (it != running_per_account_.end() && --it->second <= 0) {
    running_per_account_.erase(it);
  }
  busy_resources_.erase(job.resource_key);
}

void Limiter::Finish(const Candidate& job, Millis now, bool failed) {
  Release(job);
  outcomes_[job.control_id].push_back({.at = now, .failed = failed});
}

void Limiter::RestoreSlot(const std::string& account_region, Millis last_start) {
  Millis& slot = slots_[account_region];
  slot = std::max(slot, last_start);
}

void Limiter::RestoreOutcome(const std::string& control_id, Millis at, bool failed) {
  auto& list = outcomes_[control_id];
  list.push_back({.at = at, .failed = failed});
  std::sort(list.begin(), list.end(),
            [](const Outcome& a, const Outcome& b) { return a.at < b.at; });
}

void Limiter::RestoreAutomaticStart(const std::string& control_id, Millis at) {
  auto& list = automatic_starts_[control_id];
  list.push_back(at);
  std::sort(list.begin(), list.end());
}

nlohmann::json Limiter::Snapshot(Millis now) const {
  Prune(now);
  nlohmann::json breakers = nlohmann::json::object();
  for (const auto& [control, list] : outcomes_) {
    if (list.empty()) {
      continue;
    }
    const auto failed =
        std::count_if(list.begin(), list.end(), [](const Outcome& o) { return o.failed; });
    breakers[control] = {
        {"outcomes", list.size()}, {"failed", failed}, {"open", BreakerOpen(control, now)}};
  }
  nlohmann::json starts = nlohmann::json::object();
  for (const auto& [control, list] : automatic_starts_) {
    if (!list.empty()) {
      starts[control] = list.size();
    }
  }
  nlohmann::json slots = nlohmann::json::object();
  for (const auto& [key, at] : slots_) {
    if (at > now - options_.account_region_spacing.count()) {
      slots[key] = FormatMillis(at);
    }
  }
  return {{"running", running_},
          {"busy_resources", busy_resources_.size()},
          {"automatic_starts_last_hour", starts},
          {"circuit_breakers", breakers},
          {"recent_starts", slots}};
}

}  // namespace asr::workflow
