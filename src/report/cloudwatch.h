#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "aws/client.h"
#include "aws/credentials.h"
#include "common/clock.h"
#include "common/status.h"
#include "report/log_stream.h"

namespace asr::report {

// ---------------------------------------------------------------------------------------------
// CloudWatch metrics (spec §e.5)

inline constexpr std::string_view kCloudWatchNamespace = "ASR";
inline constexpr std::string_view kRemediationOutcomeMetric = "RemediationOutcome";
inline constexpr std::string_view kAssumeRoleFailureMetric = "AssumeRoleFailure";

struct CloudWatchMetricsOptions {
  std::string namespace_name = std::string(kCloudWatchNamespace);
  // Also emit {Outcome, ControlId} (the reference's EnableEnhancedCloudWatchMetrics).
  bool enhanced_metrics = false;
  // MetricData items per PutMetricData call (the API accepts at most 1000 metrics a request).
  size_t max_metric_data_per_call = 1000;
  // Distinct pending data points (metric, dimensions, minute) kept between flushes; a Record
  // that would need a new one beyond this is dropped and counted in dropped().
  size_t max_pending_data_points = 20000;
  // Data points older than this are dropped at Flush (CloudWatch rejects timestamps more than
  // two weeks old); counted in dropped().
  std::chrono::hours max_age{24 * 14};
  // Credentials for PutMetricData (the admin account's); nullptr = the client's default chain.
  aws::CredentialsProvider* credentials = nullptr;
};

// Counts the reference's CloudWatch metrics in memory and publishes them with PutMetricData:
//   RemediationOutcome (Unit Count) with dimension sets {Outcome} always,
//     {Outcome, ControlId} when enhanced_metrics is on, {Outcome, CustomActionName} when the
//     action name is not empty; Outcome = the state upper-cased ("Failed" → "FAILED"), "UNKNOWN"
//     when empty; ControlId "Unknown" when empty (as the reference);
//   AssumeRoleFailure (Unit Count, no dimensions).
// Counts are aggregated per (metric, dimensions, UTC minute): one MetricDatum with
// Value = count and Timestamp = the minute, so a day of outcomes is a handful of data points
// and a flush delayed by an outage still lands each count in its minute.
// A failed call keeps its data points (and every later one) for the next Flush: no count is
// lost by a failed call; counts are lost only beyond max_pending_data_points or max_age, and
// then counted in dropped(). Thread-safe; Flush calls are serialised.
class CloudWatchMetricsPublisher final {
 public:
  // Borrows the clock, which must outlive the publisher.
  CloudWatchMetricsPublisher(const Clock& clock, CloudWatchMetricsOptions options);

  void Record(std::string_view outcome_state, std::string_view control_id,
              std::string_view custom_action_name);
  void RecordAssumeRoleFailure();

  // Sends the pending data points in calls of up to max_metric_data_per_call items, in a
  // stable order (metric, dimensions, time). Returns the first call's error (annotated
  // "cloudwatch PutMetricData"), after which the remaining data points stay pending. OK when
  // nothing is pending (no call is made).
  Status Flush(aws::Client& client, std::string_view region);

  // Pending data points (distinct series-minutes) and the total of their counts.
  [[nodiscard]] size_t pending_data_points() const;
  [[nodiscard]] double pending_count() const;
  // Counts dropped because of the bounds above.
  [[nodiscard]] uint64_t dropped() const;

 private:
  struct Key {
    std::string metric;
    std::vector<std::pair<std::string, std::string>> dimensions;  // name, value
    int64_t minute = 0;                                           // epoch seconds / 60
    auto operator<=>(const Key&) const = default;
  };
  using Pending = std::map<Key, double>;

  void Add(Key key, double count);  // requires mu_ held
  int64_t CurrentMinute() const;

  const Clock& clock_;
  const CloudWatchMetricsOptions options_;
  mutable std::mutex mu_;
  Pending pending_;       // guarded by mu_
  uint64_t dropped_ = 0;  // guarded by mu_
  std::mutex flush_mu_;
};

// ---------------------------------------------------------------------------------------------
// CloudWatch Logs (spec §e.4)

inline constexpr std::string_view kReferenceLogGroup = "SO0111-ASR";

struct CloudWatchLogsOptions {
  std::string log_group = std::string(kReferenceLogGroup);
  // Events kept in memory across all streams; when full, the oldest queued event is dropped
  // and counted in dropped() (logs are best effort; the engine's store is the record).
  size_t max_queued_events = 100000;
  // PutLogEvents limits (CloudWatch Logs: 1,048,576 bytes counting 26 bytes per event, 10,000
  // events, and a batch may not span more than 24 hours).
  size_t max_batch_bytes = 1'048'576;
  size_t max_batch_events = 10'000;
  std::chrono::milliseconds max_batch_span{std::chrono::hours(24)};
  // Longer messages are cut at a UTF-8 boundary to this many bytes (an event may be at most
  // 1 MiB; this leaves room in a batch).
  size_t max_event_bytes = 256 * 1024 - 26;
  // Credentials for the calls (the admin account's); nullptr = the client's default chain.
  aws::CredentialsProvider* credentials = nullptr;
};

// Ships the reference's per-finding log lines to CloudWatch Logs: log group "SO0111-ASR",
// one stream per LogStreamName(...) (e.g. "SC-EC2.1-2026-04-21"), events
// "INFO: <message>" / "ERROR: <message>" followed by one event per detail line (empty detail
// lines are skipped; CloudWatch rejects empty messages), all at the entry's time.
// Flush: CreateLogGroup once (ResourceAlreadyExistsException counts as success),
// CreateLogStream on a stream's first use (ResourceAlreadyExistsException is fine), then
// PutLogEvents per stream in batches within the limits, events in chronological order (a
// stable sort by time, so lines of one entry keep their order). On ResourceNotFoundException
// (group or stream deleted behind our back) the group and stream are created again and the
// batch is sent once more. A failed batch and the stream's later events stay queued at the
// front of their stream, so a retry never reorders them. Events that PutLogEvents reports as
// rejected (too old, too new, expired) are dropped and counted in rejected().
// Thread-safe; Flush calls are serialised; Add never blocks on a Flush in progress.
class CloudWatchLogsShipper final {
 public:
  explicit CloudWatchLogsShipper(CloudWatchLogsOptions options);

  void Add(std::string_view stream, FindingLogLevel level, std::string_view message,
           const std::vector<std::string>& detail_lines,
           std::chrono::system_clock::time_point time);

  // Sends everything queued. When the log group can't be created nothing is sent (one
  // CreateLogGroup call). Otherwise continues with the other streams after a stream fails and
  // returns the first error, annotated with the operation and stream
  // ("logs PutLogEvents SC-EC2.1-2026-04-21: ..."). OK when nothing is queued (no call).
  Status Flush(aws::Client& client, std::string_view region);

  [[nodiscard]] size_t queued_events() const;
  [[nodiscard]] uint64_t dropped() const;   // by the queue bound
  [[nodiscard]] uint64_t rejected() const;  // by CloudWatch (rejectedLogEventsInfo)

 private:
  struct Event {
    int64_t timestamp_ms = 0;
    std::string message;
  };
  using Queues = std::map<std::string, std::deque<Event>, std::less<>>;

  void DropOldestLocked();  // requires mu_ held
  // Sends one stream's events (sorted); returns how many were sent (from the front) and the
  // first error.
  std::pair<size_t, Status> SendStream(aws::Client& client, const aws::CallOptions& call,
                                       const std::string& stream, const std::deque<Event>& events);
  Status EnsureGroup(aws::Client& client, const aws::CallOptions& call);
  Status EnsureStream(aws::Client& client, const aws::CallOptions& call, const std::string& stream);

  const CloudWatchLogsOptions options_;
  mutable std::mutex mu_;
  Queues queues_;          // guarded by mu_
  size_t queued_ = 0;      // guarded by mu_
  uint64_t dropped_ = 0;   // guarded by mu_
  uint64_t rejected_ = 0;  // guarded by mu_

  std::mutex flush_mu_;  // serialises Flush; guards the two members below
  bool group_ready_ = false;
  std::set<std::string, std::less<>> streams_ready_;
};

}  // namespace asr::report
