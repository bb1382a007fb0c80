#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "intake/sqs_poller.h"  // IntakeDeps
#include "report/token_bucket.h"

namespace asr::intake {

// When Run starts its first sweep.
enum class FirstSweep { kAtStart, kAfterInterval };

struct SweepOptions {
  // The Security Hub region to read (the aggregation region when cross-region aggregation is on);
  // "" → the client's region. Its partition gives the ProductArn prefix filter.
  std::string region;
  // Security control ids to sweep ("S3.2"). Empty → at the start of every sweep, the controls
  // the engine reports (EngineApi::Controls) in mode "auto" or "approve" — the only modes in
  // which an "Imported" event can start a job — so runtime mode changes are followed.
  std::vector<std::string> control_ids;
  // Control ids per GetFindings filter (Security Hub accepts at most 20 values per filter
  // field; the reference chunks by 20). Clamped to 1..20.
  size_t controls_per_request = 20;
  size_t page_size = 100;  // MaxResults, clamped to 1..100
  // Safety cap: a sweep stops reading after this many findings (stats.capped); 0 → no cap.
  size_t max_findings = 10000;
  // Client-side limit on GetFindings calls. Security Hub's quota for GetFindings is 3 requests/s
  // with a burst of 6; asr uses 3/s with burst 3 and leaves the rest of the burst to other
  // callers of the same account (consoles, other tools).
  double requests_per_second = 3;
  double burst = 3;
  // Run: time between the end of one sweep and the start of the next. The reference synchronises
  // weekly (Saturdays 02:00); asr's sweep may start jobs, so it runs daily by default to catch
  // events lost while asr was down or the EventBridge rule was missing.
  std::chrono::seconds interval{std::chrono::hours(24)};
  FirstSweep first_sweep = FirstSweep::kAtStart;
  // Run: pause after a failed sweep, doubling per consecutive failure (FailurePause), never
  // longer than `interval`.
  std::chrono::milliseconds retry_base{std::chrono::minutes(1)};
  std::chrono::milliseconds retry_max{std::chrono::hours(1)};
  std::string principal = "sweep";  // Principal name on submitted events (role kIntake)
};

// InvalidArgument naming the field: a control id empty, page_size or controls_per_request 0,
// requests_per_second <= 0, burst < 1, interval < 1 minute, retry_max < retry_base, principal
// empty.
Status ValidateSweepOptions(const SweepOptions& options);

// The GetFindings filters of one request for `control_ids` (at most 20): RecordState EQUALS
// ACTIVE, ComplianceStatus EQUALS FAILED, WorkflowStatus EQUALS NEW, ProductArn PREFIX
// "arn:<partition>:securityhub", ComplianceSecurityControlId EQUALS each id (values of one
// field are OR-ed by Security Hub).
nlohmann::json SweepFilters(std::string_view partition,
                            const std::vector<std::string>& control_ids);

// The EventBridge event Security Hub would have sent for `finding`:
//   {"version":"0","id":<derived from external_id>,"detail-type":"Security Hub Findings -
//   Imported","source":"aws.securityhub","account":AwsAccountId,"region":Region (else `region`),
//   "time":<now, RFC 3339 seconds>,"resources":[Id],"detail":{"findings":[finding]}}
// The id is a stable UUID-shaped hash of `external_id`, so the same finding version always
// gives the same event.
nlohmann::json ImportedEvent(const nlohmann::json& finding, std::string_view region,
                             std::string_view external_id,
                             std::chrono::system_clock::time_point now);

// "<Id>@<UpdatedAt>": the external id of a finding version. An unchanged finding seen by the
// next sweep is a duplicate; a finding Security Hub updated is submitted again.
std::string SweepExternalId(const nlohmann::json& finding);

// Counters of one sweep (RunOnce) or, from stats(), the sum over all sweeps.
struct SweepStats {
  uint64_t sweeps = 0;      // sweeps that finished (1 in a RunOnce result)
  uint64_t controls = 0;    // control ids swept
  uint64_t requests = 0;    // GetFindings calls made (including failed ones)
  uint64_t pages = 0;       // GetFindings pages received
  uint64_t findings = 0;    // findings read
  uint64_t filtered = 0;    // read but not submitted: not ACTIVE/FAILED/NEW, another control,
                            // no Id, or already seen in this sweep
  uint64_t submitted = 0;   // submitted and new to the engine
  uint64_t duplicates = 0;  // submitted, but the engine had this finding version already
  uint64_t errors = 0;      // Submit errors (InvalidArgument skips the finding; others abort)
  bool capped = false;      // stopped at max_findings
  bool stopped = false;     // stopped because `stop` was set
};

// Reads Security Hub's failed, active, NEW findings of the swept controls and submits each as a
// "Security Hub Findings - Imported" event (source "sweep", external id SweepExternalId), so the
// engine treats it exactly like a live event: jobs start only for controls in auto mode (approve
// mode: a job awaiting approval); other findings are recorded as skipped with their reason.
// Only NEW findings are swept: a NOTIFIED/SUPPRESSED/RESOLVED one is either being handled or was
// handled, and the engine would answer NOT_NEW anyway.
//
// Each sweep: the controls (options or engine), chunked by controls_per_request; per chunk,
// GetFindings pages (MaxResults page_size, sorted by SeverityNormalized descending, so the cap
// keeps the most severe) followed by NextToken, every call taken from the token bucket (waiting
// through the Sleeper). Findings are also checked client-side against the same criteria
// (servers that ignore filters, such as moto, then give the same result), and each finding Id is
// submitted at most once per sweep. When the engine reports the kill switch engaged and
// control_ids is empty, the sweep does nothing.
//
// Thread safety: RunOnce and Run must not run concurrently on one sweep; stats() may be called
// from any thread.
class SecurityHubSweep final {
 public:
  SecurityHubSweep(IntakeDeps deps, SweepOptions options);

  // One sweep. Returns its counters; errors: a GetFindings error (after the client's retries),
  // the Controls() error, or a Submit error other than InvalidArgument (engine or store trouble),
  // each annotated with where it happened. Work done before the error is in stats().
  Result<SweepStats> RunOnce();
  // The same, checking `stop` before every GetFindings call (returns early with stopped = true).
  Result<SweepStats> RunOnce(const std::atomic<bool>& stop);

  // Sweeps until `stop` is set: first at start or after `interval` (first_sweep), then
  // `interval` after each sweep ends; after a failed sweep, FailurePause(retry_base, retry_max,
  // failures) capped at `interval`. Checks `stop` at least every second while waiting and before
  // every GetFindings call. Logs one info line per sweep and a warn line per failure.
  void Run(const std::atomic<bool>& stop);

  [[nodiscard]] SweepStats stats() const;

 private:
  Result<std::vector<std::string>> Controls();
  void TakeToken();
  void Count(std::string_view family, std::string_view result, uint64_t by = 1) const;
  void Add(const SweepStats& sweep);
  // Handles one finding of a page; an error aborts the sweep.
  Status Handle(const nlohmann::json& finding, const std::vector<std::string>& chunk,
                std::unordered_set<std::string>& seen, SweepStats& sweep);
  Result<SweepStats> Sweep(const std::atomic<bool>& stop);

  IntakeDeps deps_;
  SweepOptions options_;
  std::string region_;
  std::string partition_;
  report::TokenBucket bucket_;
  mutable std::mutex mu_;
  SweepStats totals_;
};

}  // namespace asr::intake
