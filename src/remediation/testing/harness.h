#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "aws/client.h"
#include "aws/testing/scripted_transport.h"
#include "common/clock.h"
#include "common/log.h"
#include "remediation/registry.h"
#include "remediation/runner.h"

namespace asr::remediation::testing {

// A Sleeper that advances a FakeClock instead of sleeping, and adds up what was asked.
class ClockSleeper final : public aws::Sleeper {
 public:
  explicit ClockSleeper(FakeClock& clock) : clock_(clock) {}
  void Sleep(std::chrono::milliseconds d) override {
    clock_.Advance(d);
    slept_ += d;
  }
  [[nodiscard]] std::chrono::milliseconds slept() const { return slept_; }

 private:
  FakeClock& clock_;
  std::chrono::milliseconds slept_{0};
};

// Everything a remediation unit test needs to run a registered remediation against a scripted
// transport: static credentials, a fake clock (2026-11-18T...), a sleeper that advances it, a
// client without retries (max_attempts 1) and helpers that run one phase or a whole run.
// Script responses on transport() before running. Not thread-safe.
class RemediationHarness {
 public:
  RemediationHarness();

  aws::testing::ScriptedTransport& transport() { return *transport_; }
  // Replaces the transport with an empty one (to script a fresh scenario).
  aws::testing::ScriptedTransport& ResetTransport();
  FakeClock& clock() { return clock_; }
  ClockSleeper& sleeper() { return sleeper_; }
  aws::Client& client() { return *client_; }

  // The registered remediation `id`, or nullptr (tests ASSERT_NE on it).
  static const Remediation* Get(const std::string& id);

  // A whole run (resolve → plan → apply → verify) with parameters resolved from the spec, the
  // Security Hub control parameters `control_params` and `overrides`. Verify reads back once.
  // An unknown id or bad parameters give a FAILED record whose error says so.
  RunRecord RunOne(const std::string& id, const Target& target, RunMode mode,
                   const nlohmann::json& overrides = nlohmann::json::object(),
                   const nlohmann::json& control_params = nlohmann::json::object());

  // Resolve + MakePlan only.
  Result<Plan> PlanOnly(const std::string& id, const Target& target,
                        const nlohmann::json& overrides = nlohmann::json::object());

  // UndoRun of a record.
  Result<RunRecord> UndoOne(const std::string& id, const RunRecord& record);

  // Calls of a record (or of the last run) that changed something.
  static int MutatingCalls(const RunRecord& record);
  // How many requests the transport saw whose X-Amz-Target, form Action or method+path names
  // `operation` (JSON and query protocols; for REST protocols count with your own matcher).
  int Sent(std::string_view operation) const;

 private:
  std::unique_ptr<aws::testing::ScriptedTransport> transport_;
  aws::StaticCredentialsProvider creds_;
  FakeClock clock_;
  ClockSleeper sleeper_;
  aws::SystemRandom random_;
  MemoryLogSink sink_;
  Logger logger_;
  std::unique_ptr<aws::Client> client_;
};

}  // namespace asr::remediation::testing
