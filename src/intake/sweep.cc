#include "intake/sweep.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

#include "aws/endpoints.h"
#include "intake/internal/wait.h"
#include "intake/metrics.h"

namespace asr::intake {
namespace {

using nlohmann::json;

constexpr size_t kMaxFilterValues = 20;  // Security Hub: values per filter field
constexpr size_t kMaxPageSize = 100;     // GetFindings MaxResults
constexpr size_t kMaxReasonLength = 300;

std::string StringMember(const json& object, std::string_view key) {
  if (!object.is_object()) {
    return "";
  }
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) {
    return "";
  }
  return it->get<std::string>();
}

// object[outer][inner] as a string, or "".
std::string NestedString(const json& object, std::string_view outer, std::string_view inner) {
  if (!object.is_object()) {
    return "";
  }
  const auto it = object.find(outer);
  return it == object.end() ? "" : StringMember(*it, inner);
}

json Filter(std::string_view value, std::string_view comparison) {
  return json::array({{{"Value", value}, {"Comparison", comparison}}});
}

// 64-bit FNV-1a; stable across builds and platforms.
uint64_t Fnv1a(std::string_view text, uint64_t seed) {
  uint64_t h = seed;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string Truncate(std::string text) {
  if (text.size() > kMaxReasonLength) {
    text.resize(kMaxReasonLength);
    text += "...";
  }
  return text;
}

}  // namespace

Status ValidateSweepOptions(const SweepOptions& options) {
  for (size_t i = 0; i < options.control_ids.size(); ++i) {
    if (options.control_ids[i].empty()) {
      return InvalidArgumentError("sweep.control_ids[" + std::to_string(i) +
                                  R"(]: must be a security control id such as "S3.2", got "")");
    }
  }
  if (options.page_size == 0 || options.controls_per_request == 0) {
    return InvalidArgumentError(
        "sweep.page_size and sweep.controls_per_request: must be at least 1 (at most 100 and 20)");
  }
  if (!(options.requests_per_second > 0) || !(options.burst >= 1)) {
    return InvalidArgumentError(
        "sweep.requests_per_second: must be > 0 and sweep.burst at least 1 (Security Hub allows "
        "3 GetFindings requests/s, burst 6)");
  }
  if (options.interval < std::chrono::minutes(1)) {
    return InvalidArgumentError("sweep.interval: must be at least 1 minute, got " +
                                std::to_string(options.interval.count()) + " s");
  }
  if (options.retry_base.count() < 0 || options.retry_max < options.retry_base) {
    return InvalidArgumentError(
        "sweep.retry_base: must not be negative and sweep.retry_max at least sweep.retry_base");
  }
  if (options.principal.empty()) {
    return InvalidArgumentError("sweep.principal: must not be empty");
  }
  return Status::Ok();
}

json SweepFilters(std::string_view partition, const std::vector<std::string>& control_ids) {
  json controls = json::array();
  for (const std::string& id : control_ids) {
    controls.push_back({{"Value", id}, {"Comparison", "EQUALS"}});
  }
  return {{"RecordState", Filter("ACTIVE", "EQUALS")},
          {"ComplianceStatus", Filter("FAILED", "EQUALS")},
          {"WorkflowStatus", Filter("NEW", "EQUALS")},
          {"ProductArn", Filter("arn:" + std::string(partition) + ":securityhub", "PREFIX")},
          {"ComplianceSecurityControlId", std::move(controls)}};
}

std::string SweepExternalId(const json& finding) {
  return StringMember(finding, "Id") + "@" + StringMember(finding, "UpdatedAt");
}

json ImportedEvent(const json& finding, std::string_view region, std::string_view external_id,
                   std::chrono::system_clock::time_point now) {
  const uint64_t a = Fnv1a(external_id, 0xcbf29ce484222325ULL);
  const uint64_t b = Fnv1a(external_id, a);
  std::array<char, 40> id{};
  std::snprintf(id.data(), id.size(), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  std::string event_region = StringMember(finding, "Region");
  if (event_region.empty()) {
    event_region = region;
  }
  // EventBridge times have whole seconds.
  std::string time = FormatRfc3339Millis(std::chrono::floor<std::chrono::seconds>(now));
  if (time.size() > 5 && time.ends_with(".000Z")) {
    time.resize(time.size() - 5);
    time += "Z";
  }
  return {{"version", "0"},
          {"id", std::string(id.data())},
          {"detail-type", "Security Hub Findings - Imported"},
          {"source", "aws.securityhub"},
          {"account", StringMember(finding, "AwsAccountId")},
          {"time", time},
          {"region", event_region},
          {"resources", json::array({StringMember(finding, "Id")})},
          {"detail", {{"findings", json::array({finding})}}}};
}

SecurityHubSweep::SecurityHubSweep(IntakeDeps deps, SweepOptions options)
    : deps_(deps),
      options_(std::move(options)),
      region_(options_.region.empty() ? deps_.client.options().region : options_.region),
      partition_(aws::PartitionForRegion(region_).id),
      bucket_(options_.requests_per_second, options_.burst) {
  options_.controls_per_request =
      std::clamp<size_t>(options_.controls_per_request, 1, kMaxFilterValues);
  options_.page_size = std::clamp<size_t>(options_.page_size, 1, kMaxPageSize);
}

void SecurityHubSweep::Count(std::string_view family, std::string_view result, uint64_t by) const {
  if (deps_.metrics != nullptr && by > 0) {
    deps_.metrics->Increment(family, {result}, static_cast<double>(by));
  }
}

void SecurityHubSweep::Add(const SweepStats& sweep) {
  const std::lock_guard lock(mu_);
  totals_.sweeps += sweep.sweeps;
  totals_.controls += sweep.controls;
  totals_.requests += sweep.requests;
  totals_.pages += sweep.pages;
  totals_.findings += sweep.findings;
  totals_.filtered += sweep.filtered;
  totals_.submitted += sweep.submitted;
  totals_.duplicates += sweep.duplicates;
  totals_.errors += sweep.errors;
  totals_.capped = totals_.capped || sweep.capped;
  totals_.stopped = totals_.stopped || sweep.stopped;
}

SweepStats SecurityHubSweep::stats() const {
  const std::lock_guard lock(mu_);
  return totals_;
}

void SecurityHubSweep::TakeToken() {
  for (;;) {
    const auto now = deps_.clock.Now();
    if (bucket_.TryTake(now)) {
      return;
    }
    const auto wait =
        std::chrono::ceil<std::chrono::milliseconds>(bucket_.NextAvailable(now) - now);
    deps_.sleeper.Sleep(std::max(wait, std::chrono::milliseconds(1)));
  }
}

Result<std::vector<std::string>> SecurityHubSweep::Controls() {
  std::vector<std::string> out;
  if (!options_.control_ids.empty()) {
    for (const std::string& id : options_.control_ids) {
      if (std::find(out.begin(), out.end(), id) == out.end()) {
        out.push_back(id);
      }
    }
    return out;
  }
  Result<json> controls = deps_.engine.Controls();
  if (!controls.ok()) {
    return controls.status().Annotate("sweep: engine controls");
  }
  if (const auto ks = controls->find("kill_switch");
      ks != controls->end() && ks->is_boolean() && ks->get<bool>()) {
    deps_.logger.Info("sweep skipped: the kill switch is engaged");
    return out;
  }
  const auto list = controls->find("controls");
  if (list == controls->end() || !list->is_array()) {
    return out;
  }
  for (const json& c : *list) {
    const std::string mode = StringMember(c, "mode");
    if (mode != "auto" && mode != "approve") {
      continue;
    }
    std::string id = StringMember(c, "security_control");
    if (id.empty()) {
      id = StringMember(c, "control");
    }
    if (!id.empty() && std::find(out.begin(), out.end(), id) == out.end()) {
      out.push_back(id);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status SecurityHubSweep::Handle(const json& finding, const std::vector<std::string>& chunk,
                                std::unordered_set<std::string>& seen, SweepStats& sweep) {
  const std::string id = StringMember(finding, "Id");
  const std::string control = NestedString(finding, "Compliance", "SecurityControlId");
  const bool matches = !id.empty() && StringMember(finding, "RecordState") == "ACTIVE" &&
                       NestedString(finding, "Compliance", "Status") == "FAILED" &&
                       NestedString(finding, "Workflow", "Status") == "NEW" &&
                       std::find(chunk.begin(), chunk.end(), control) != chunk.end();
  if (!matches || !seen.insert(id).second) {
    ++sweep.filtered;
    Count(kSweepFindingsTotal, "filtered");
    return Status::Ok();
  }
  const std::string external_id = SweepExternalId(finding);
  const std::string body = ImportedEvent(finding, region_, external_id, deps_.clock.Now()).dump();
  const workflow::SubmitOptions submit{
      .source = "sweep",
      .external_id = external_id,
      .principal = {.name = options_.principal, .role = workflow::Principal::Role::kIntake}};
  const Result<workflow::SubmitResult> result = deps_.engine.Submit(body, submit);
  if (result.ok()) {
    if (result->duplicate) {
      ++sweep.duplicates;
      Count(kSweepFindingsTotal, "duplicate");
    } else {
      ++sweep.submitted;
      Count(kSweepFindingsTotal, "submitted");
    }
    return Status::Ok();
  }
  ++sweep.errors;
  Count(kSweepFindingsTotal, "error");
  if (result.status().code() == StatusCode::kInvalidArgument) {
    // One finding asr can't read must not hide the others.
    deps_.logger.Warn("sweep: finding not accepted by the engine",
                      {{"finding_id", id},
                       {"control", control},
                       {"reason", Truncate(result.status().message())}});
    return Status::Ok();
  }
  return result.status().Annotate("sweep: submit finding " + id);
}

Result<SweepStats> SecurityHubSweep::RunOnce() {
  const std::atomic<bool> never{false};
  return RunOnce(never);
}

Result<SweepStats> SecurityHubSweep::RunOnce(const std::atomic<bool>& stop) {
  SweepStats sweep;
  Result<SweepStats> result = [&]() -> Result<SweepStats> {
    ASR_ASSIGN_OR_RETURN(const std::vector<std::string> controls, Controls());
    sweep.controls = controls.size();
    std::unordered_set<std::string> seen;
    const aws::CallOptions call{.region = region_};
    for (size_t start = 0; start < controls.size(); start += options_.controls_per_request) {
      const std::vector<std::string> chunk(
          controls.begin() + static_cast<std::ptrdiff_t>(start),
          controls.begin() + static_cast<std::ptrdiff_t>(
                                 std::min(controls.size(), start + options_.controls_per_request)));
      json request = {
          {"Filters", SweepFilters(partition_, chunk)},
          {"SortCriteria", json::array({{{"Field", "SeverityNormalized"}, {"SortOrder", "desc"}}})},
          {"MaxResults", options_.page_size}};
      std::string token;
      do {
        if (options_.max_findings > 0 && sweep.findings >= options_.max_findings) {
          sweep.capped = true;
          return sweep;
        }
        if (stop.load()) {
          sweep.stopped = true;
          return sweep;
        }
        if (token.empty()) {
          request.erase("NextToken");
        } else {
          request["NextToken"] = token;
        }
        TakeToken();
        ++sweep.requests;
        Result<json> page = deps_.client.Call("securityhub", "GetFindings", request, call);
        if (!page.ok()) {
          return page.status().Annotate("sweep: securityhub GetFindings (controls " +
                                        chunk.front() + ".." + chunk.back() + ")");
        }
        ++sweep.pages;
        if (const auto findings = page->find("Findings");
            findings != page->end() && findings->is_array()) {
          for (const json& finding : *findings) {
            if (options_.max_findings > 0 && sweep.findings >= options_.max_findings) {
              sweep.capped = true;
              return sweep;
            }
            ++sweep.findings;
            ASR_RETURN_IF_ERROR(Handle(finding, chunk, seen, sweep));
          }
        }
        token = StringMember(*page, "NextToken");
      } while (!token.empty());
    }
    return sweep;
  }();
  if (!result.ok()) {
    Add(sweep);  // the work done before the error
    Count(kSweepsTotal, "error");
    return result;
  }
  result->sweeps = 1;
  Add(*result);
  Count(kSweepsTotal, result->stopped ? "stopped" : (result->capped ? "capped" : "ok"));
  if (result->capped) {
    deps_.logger.Warn("sweep stopped at max_findings; raise sweep.max_findings to read the rest",
                      {{"max_findings", std::to_string(options_.max_findings)}});
  }
  if (deps_.metrics != nullptr && !result->stopped) {
    deps_.metrics->Set(kSweepLastSuccessSeconds, {},
                       static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                               deps_.clock.Now().time_since_epoch())
                                               .count()));
  }
  return result;
}

void SecurityHubSweep::Run(const std::atomic<bool>& stop) {
  auto due = deps_.clock.Now();
  if (options_.first_sweep == FirstSweep::kAfterInterval) {
    due += options_.interval;
  }
  int failures = 0;
  while (internal::WaitUntil(deps_.clock, deps_.sleeper, due, stop)) {
    const Result<SweepStats> sweep = RunOnce(stop);
    if (sweep.ok()) {
      failures = 0;
      deps_.logger.Info("sweep finished", {{"region", region_},
                                           {"controls", std::to_string(sweep->controls)},
                                           {"pages", std::to_string(sweep->pages)},
                                           {"findings", std::to_string(sweep->findings)},
                                           {"submitted", std::to_string(sweep->submitted)},
                                           {"duplicates", std::to_string(sweep->duplicates)},
                                           {"filtered", std::to_string(sweep->filtered)},
                                           {"errors", std::to_string(sweep->errors)}});
      due = deps_.clock.Now() + options_.interval;
      continue;
    }
    ++failures;
    const auto pause = std::min<std::chrono::milliseconds>(
        internal::FailurePause(options_.retry_base, options_.retry_max, failures, deps_.random),
        options_.interval);
    deps_.logger.Warn("sweep failed", {{"region", region_},
                                       {"error", sweep.status().ToString()},
                                       {"retry_in_ms", std::to_string(pause.count())}});
    due = deps_.clock.Now() + pause;
  }
}

}  // namespace asr::intake
