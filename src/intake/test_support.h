#pragma once

// Fakes shared by intake_test (not part of asr_intake).

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "aws/client.h"
#include "aws/model.h"
#include "aws/testing/scripted_transport.h"
#include "common/clock.h"
#include "common/log.h"
#include "report/metrics.h"
#include "workflow/api.h"

namespace asr::intake::testing {

// An engine that records Submit calls. By default a body that is a JSON object is accepted
// (duplicate when its external id was accepted before) and anything else is InvalidArgument, like
// the real engine's parser; `script` overrides the answer per external id.
class FakeEngine final : public workflow::EngineApi {
 public:
  struct Call {
    std::string body;
    workflow::SubmitOptions options;
  };

  std::map<std::string, Status> script;  // external id → error to return
  nlohmann::json controls = {
      {"default_mode", "manual"}, {"kill_switch", false}, {"controls", nlohmann::json::array()}};
  Status controls_error;
  // Called after each Submit was recorded (outside the lock).
  std::function<void(const Call&)> on_submit;

  Result<workflow::SubmitResult> Submit(std::string_view body,
                                        const workflow::SubmitOptions& options) override {
    {
      const std::lock_guard lock(mu_);
      calls_.push_back({std::string(body), options});
    }
    if (on_submit) {
      on_submit(Call{std::string(body), options});
    }
    const std::lock_guard lock(mu_);
    if (auto it = script.find(options.external_id); it != script.end()) {
      return it->second;
    }
    const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
    if (!parsed.is_object()) {
      return InvalidArgumentError("invalid JSON: not an object");
    }
    workflow::SubmitResult result;
    result.event_id = "ev-" + options.external_id;
    result.duplicate = !accepted_.insert(options.source + "/" + options.external_id).second;
    return result;
  }
  std::vector<Call> calls() const {
    const std::lock_guard lock(mu_);
    return calls_;
  }

  Result<nlohmann::json> ListJobs(const workflow::JobFilter& /*filter*/) override {
    return InternalError("not used");
  }
  Result<nlohmann::json> GetJob(const std::string& /*id*/) override {
    return InternalError("not used");
  }
  Result<nlohmann::json> Approve(const std::string& /*id*/, const workflow::Principal& /*who*/,
                                 const std::string& /*comment*/) override {
    return InternalError("not used");
  }
  Result<nlohmann::json> Reject(const std::string& /*id*/, const workflow::Principal& /*who*/,
                                const std::string& /*comment*/) override {
    return InternalError("not used");
  }
  Result<nlohmann::json> Undo(const std::string& /*id*/,
                              const workflow::Principal& /*who*/) override {
    return InternalError("not used");
  }
  Result<nlohmann::json> Controls() override {
    if (!controls_error.ok()) {
      return controls_error;
    }
    return controls;
  }
  Result<nlohmann::json> SetControlMode(const std::string& /*control*/, std::string_view /*mode*/,
                                        const workflow::Principal& /*who*/) override {
    return InternalError("not used");
  }
  Result<nlohmann::json> SetKillSwitch(bool /*engaged*/,
                                       const workflow::Principal& /*who*/) override {
    return InternalError("not used");
  }
  nlohmann::json Health(bool& ok) override {
    ok = true;
    return nlohmann::json::object();
  }
  std::string MetricsText() override { return ""; }

 private:
  mutable std::mutex mu_;
  std::vector<Call> calls_;
  std::set<std::string> accepted_;
};

// Records every pause and moves the fake clock by it, so waits take no real time; optionally
// sets a stop flag after `stop_after` sleeps.
class AdvancingSleeper final : public aws::Sleeper {
 public:
  explicit AdvancingSleeper(FakeClock& clock) : clock_(clock) {}
  void Sleep(std::chrono::milliseconds duration) override {
    sleeps.push_back(duration);
    clock_.Advance(duration);
    if (on_sleep) {
      on_sleep();
    }
  }
  std::vector<std::chrono::milliseconds> sleeps;
  std::function<void()> on_sleep;
  std::chrono::milliseconds Total() const {
    std::chrono::milliseconds total{0};
    for (const auto d : sleeps) {
      total += d;
    }
    return total;
  }

 private:
  FakeClock& clock_;
};

class FixedRandom final : public aws::Random {
 public:
  double value = 0.5;
  double Uniform() override { return value; }
};

// Records the fake clock's time of every request, then answers from a ScriptedTransport.
class TimedTransport final : public aws::Transport {
 public:
  explicit TimedTransport(const Clock& clock) : clock_(clock) {}
  Result<aws::HttpResponse> Send(const aws::HttpRequest& request,
                                 const aws::TransportOptions& options) override {
    times.push_back(clock_.Now());
    return scripted.Send(request, options);
  }
  aws::testing::ScriptedTransport scripted;
  std::vector<std::chrono::system_clock::time_point> times;

 private:
  const Clock& clock_;
};

inline const std::chrono::system_clock::time_point kStart{std::chrono::seconds(1'800'000'000)};

// A client over a TimedTransport with one attempt per call (no client-side retries), a fake
// clock and a recording sleeper, plus a fake engine, a log sink and a metrics registry.
struct Harness {
  Harness()
      : creds(aws::Credentials{.access_key_id = "AKIDTEST", .secret_access_key = "s"}),
        clock(kStart),
        sleeper(clock),
        transport(clock),
        logger(sink, clock, LogLevel::kDebug),
        client(transport, creds, aws::BuiltinModels(), clock, sleeper, random, &logger,
               aws::ClientOptions{.region = "us-east-1", .retry = {.max_attempts = 1}}),
        metrics(report::NewAsrMetrics()) {}

  // Bodies of the requests (parsed JSON) whose X-Amz-Target ends with `operation` (JSON
  // protocols) or whose path is `path` (REST).
  std::vector<nlohmann::json> Bodies(std::string_view operation) const {
    std::vector<nlohmann::json> out;
    for (const aws::HttpRequest& r : transport.scripted.requests()) {
      const std::string* target = r.FindHeader("X-Amz-Target");
      const bool json_match = target != nullptr && target->ends_with("." + std::string(operation));
      const bool rest_match = target == nullptr && r.path == operation;
      if (json_match || rest_match) {
        out.push_back(nlohmann::json::parse(r.body));
      }
    }
    return out;
  }
  bool Logged(std::string_view text) const {
    for (const std::string& line : sink.Lines()) {
      if (line.find(text) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  FakeEngine engine;
  aws::StaticCredentialsProvider creds;
  FakeClock clock;
  AdvancingSleeper sleeper;
  FixedRandom random;
  TimedTransport transport;
  MemoryLogSink sink;
  Logger logger;
  aws::Client client;
  std::unique_ptr<report::MetricsRegistry> metrics;
};

}  // namespace asr::intake::testing
