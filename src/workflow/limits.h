#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace asr::workflow {

using Millis = int64_t;

// The layered limits of DESIGN.md §3 "Safety". Zero disables a count limit.
struct LimitOptions {
  // Remediations in one account+region start at least this far apart (spec §d.1: 3 s).
  std::chrono::milliseconds account_region_spacing{3000};
  int max_running = 8;              // jobs admitted to run at once, engine-wide
  int max_running_per_account = 4;  // ... in one account
  // Automatic remediations of one control started in any sliding hour (blast radius).
  int max_automatic_per_control_per_hour = 10;
  // Circuit breaker: automatic remediation of a control stops while, over `breaker_window`, at
  // least `breaker_min_outcomes` outcomes were recorded and the failed share reaches
  // `breaker_failure_ratio`.
  int breaker_min_outcomes = 5;
  double breaker_failure_ratio = 0.5;
  std::chrono::milliseconds breaker_window{std::chrono::hours(1)};
};

// What the limiter needs to know about a job.
struct Candidate {
  std::string job_id;
  std::string account_id;
  std::string region;
  std::string resource_key;  // one job per resource at a time
  std::string control_id;
  bool automatic = false;  // automatic trigger (blast radius and breaker apply)
};

// Stable codes of the holds, shown on the job (`hold`) with a sentence.
inline constexpr std::string_view kHoldKillSwitch = "KILL_SWITCH";
inline constexpr std::string_view kHoldCircuitOpen = "CIRCUIT_OPEN";
inline constexpr std::string_view kHoldBlastRadius = "BLAST_RADIUS";
inline constexpr std::string_view kHoldResourceBusy = "RESOURCE_BUSY";
inline constexpr std::string_view kHoldConcurrency = "CONCURRENCY";
inline constexpr std::string_view kHoldAccountConcurrency = "ACCOUNT_CONCURRENCY";

struct Admission {
  bool start = false;
  Millis planned_start = 0;  // when start: not before this (account-region spacing)
  std::string hold;          // when !start: one of the kHold* codes
  std::string message;       // when !start: why, and what releases it
};

// Decides whether a job may start now and keeps the counts the decisions need. Pure state
// machine over explicit times (no clock, no I/O), so tests drive it with any timeline. The
// engine serialises access (not thread-safe by itself).
//
// Checks, in order (the first that holds the job decides): kill switch → circuit breaker
// (automatic only) → blast radius (automatic only) → resource busy → global concurrency →
// account concurrency. A job that passes gets a planned start time from the account-region
// spacing; it counts as running from then until Finished() or Released().
class Limiter final {
 public:
  explicit Limiter(LimitOptions options) : options_(options) {}

  [[nodiscard]] Admission Check(const Candidate& job, Millis now, bool kill_switch) const;

  // Records the start Check allowed: reserves the resource, the concurrency slots, the spacing
  // slot and (automatic) a blast-radius unit. Returns the planned start.
  Millis Start(const Candidate& job, Millis now);
  // The job stopped running without an outcome that counts for the breaker (waits for approval,
  // crashed and was rescheduled): frees its resource and concurrency slots.
  void Release(const Candidate& job);
  // The job has its outcome: frees its slots and records the outcome for the circuit breaker.
  void Finish(const Candidate& job, Millis now, bool failed);

  // Restores history at start-up (from the store): spacing slots and recent outcomes/starts.
  void RestoreSlot(const std::string& account_region, Millis last_start);
  void RestoreOutcome(const std::string& control_id, Millis at, bool failed);
  void RestoreAutomaticStart(const std::string& control_id, Millis at);

  // The account-region slot key ("<account>-<region>", as the reference's SchedulingTable).
  static std::string SlotKey(const Candidate& job);
  [[nodiscard]] Millis LastStart(const std::string& slot_key) const;

  // Whether the breaker of `control_id` is open at `now`, and the figures behind it.
  [[nodiscard]] bool BreakerOpen(const std::string& control_id, Millis now) const;
  [[nodiscard]] nlohmann::json Snapshot(Millis now) const;
  [[nodiscard]] int running() const { return running_; }

 private:
  struct Outcome {
    Millis at;
    bool failed;
  };
  void Prune(Millis now) const;
  [[nodiscard]] int AutomaticStartsInLastHour(const std::string& control_id, Millis now) const;

  LimitOptions options_;
  int running_ = 0;
  std::map<std::string, int> running_per_account_;
  std::set<std::string> busy_resources_;
  std::map<std::string, Millis> slots_;
  // Pruned lazily on read, hence mutable.
  mutable std::map<std::string, std::deque<Millis>> automatic_starts_;
  mutable std::map<std::string, std::deque<Outcome>> outcomes_;
};

}  // namespace asr::workflow
