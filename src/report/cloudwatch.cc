#include "report/cloudwatch.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/strings.h"

namespace asr::report {
namespace {

using std::chrono::system_clock;

constexpr std::string_view kAlreadyExists = "ResourceAlreadyExistsException";
constexpr std::string_view kNotFound = "ResourceNotFoundException";
// CloudWatch Logs counts this many bytes per event on top of the message (PutLogEvents docs).
constexpr size_t kEventOverheadBytes = 26;

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
void TruncateUtf8(std::string& s, size_t max) {
  if (s.size() <= max) {
    return;
  }
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0U) == 0x80U) {
    --end;
  }
  s.resize(end);
}

int64_t EpochMillis(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// CloudWatchMetricsPublisher

CloudWatchMetricsPublisher::CloudWatchMetricsPublisher(const Clock& clock,
                                                       CloudWatchMetricsOptions options)
    : clock_(clock), options_(std::move(options)) {}

int64_t CloudWatchMetricsPublisher::CurrentMinute() const {
  return std::chrono::duration_cast<std::chrono::minutes>(clock_.Now().time_since_epoch()).count();
}

void CloudWatchMetricsPublisher::Add(Key key, double count) {
  const auto it = pending_.find(key);
  if (it != pending_.end()) {
    it->second += count;
    return;
  }
  if (pending_.size() >= options_.max_pending_data_points) {
    dropped_ += static_cast<uint64_t>(count);
    return;
  }
  pending_.emplace(std::move(key), count);
}

void CloudWatchMetricsPublisher::Record(std::string_view outcome_state, std::string_view control_id,
                                        std::string_view custom_action_name) {
  std::string outcome = AsciiUpper(outcome_state);
  if (outcome.empty()) {
    outcome = "UNKNOWN";
  }
  const std::string control = control_id.empty() ? "Unknown" : std::string(control_id);
  const int64_t minute = CurrentMinute();
  const std::string metric(kRemediationOutcomeMetric);
  std::lock_guard lock(mu_);
  Add({metric, {{"Outcome", outcome}}, minute}, 1);
  if (options_.enhanced_metrics) {
    Add({metric, {{"Outcome", outcome}, {"ControlId", control}}, minute}, 1);
  }
  if (!custom_action_name.empty()) {
    Add({metric,
         {{"Outcome", outcome}, {"CustomActionName", std::string(custom_action_name)}},
         minute},
        1);
  }
}

void CloudWatchMetricsPublisher::RecordAssumeRoleFailure() {
  const int64_t minute = CurrentMinute();
  std::lock_guard lock(mu_);
  Add({std::string(kAssumeRoleFailureMetric), {}, minute}, 1);
}

Status CloudWatchMetricsPublisher::Flush(aws::Client& client, std::string_view region) {
  std::lock_guard flush_lock(flush_mu_);
  Pending batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(pending_);
  }
  const int64_t oldest =
      CurrentMinute() - std::chrono::duration_cast<std::chrono::minutes>(options_.max_age).count();
  uint64_t too_old = 0;
  for (auto it = batch.begin(); it != batch.end();) {
    if (it->first.minute < oldest) {
      too_old += static_cast<uint64_t>(it->second);
      it = batch.erase(it);
    } else {
      ++it;
    }
  }

  const size_t per_call = std::max<size_t>(1, options_.max_metric_data_per_call);
  const aws::CallOptions call{.region = std::string(region), .credentials = options_.credentials};
  Status status;
  auto it = batch.begin();
  while (it != batch.end()) {
    nlohmann::json data = nlohmann::json::array();
    auto end = it;
    for (size_t n = 0; end != batch.end() && n < per_call; ++end, ++n) {
      nlohmann::json dimensions = nlohmann::json::array();
      for (const auto& [name, value] : end->first.dimensions) {
        dimensions.push_back({{"Name", name}, {"Value", value}});
      }
      nlohmann::json datum = {{"MetricName", end->first.metric}};
      if (!dimensions.empty()) {
        datum["Dimensions"] = std::move(dimensions);
      }
      datum["Timestamp"] = end->first.minute * 60;
      datum["Value"] = end->second;
      datum["Unit"] = "Count";
      data.push_back(std::move(datum));
    }
    const nlohmann::json params = {{"Namespace", options_.namespace_name},
                                   {"MetricData", std::move(data)}};
    Result<nlohmann::json> result = client.Call("cloudwatch", "PutMetricData", params, call);
    if (!result.ok()) {
      status = result.status().Annotate("cloudwatch PutMetricData");
      break;
    }
    it = batch.erase(it, end);
  }

  std::lock_guard lock(mu_);
  dropped_ += too_old;
  // Put back what was not sent, adding to whatever was recorded meanwhile. This may exceed
  // max_pending_data_points by the amount in flight: counts of a failed call are never dropped.
  for (auto& [key, count] : batch) {
    pending_[key] += count;
  }
  return status;
}

size_t CloudWatchMetricsPublisher::pending_data_points() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

double CloudWatchMetricsPublisher::pending_count() const {
  std::lock_guard lock(mu_);
  double total = 0;
  for (const auto& [key, count] : pending_) {
    total += count;
  }
  return total;
}

uint64_t CloudWatchMetricsPublisher::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

// ---------------------------------------------------------------------------------------------
// CloudWatchLogsShipper

CloudWatchLogsShipper::CloudWatchLogsShipper(CloudWatchLogsOptions options)
    : options_(std::move(options)) {}

void CloudWatchLogsShipper::DropOldestLocked() {
  auto oldest = queues_.end();
  for (auto it = queues_.begin(); it != queues_.end(); ++it) {
    if (!it->second.empty() &&
        (oldest == queues_.end() ||
         it->second.front().timestamp_ms < oldest->second.front().timestamp_ms)) {
      oldest = it;
    }
  }
  if (oldest == queues_.end()) {
    return;
  }
  oldest->second.pop_front();
  if (oldest->second.empty()) {
    queues_.erase(oldest);
  }
  --queued_;
  ++dropped_;
}

void CloudWatchLogsShipper::Add(std::string_view stream, FindingLogLevel level,
                                std::string_view message,
                                const std::vector<std::string>& detail_lines,
                                system_clock::time_point time) {
  const int64_t ts = EpochMillis(time);
  std::vector<Event> events;
  events.reserve(detail_lines.size() + 1);
  events.push_back({ts, std::string(level == FindingLogLevel::kError ? "ERROR: " : "INFO: ") +
                            std::string(message)});
  for (const std::string& line : detail_lines) {
    if (!line.empty()) {
      events.push_back({ts, line});
    }
  }
  const size_t max_bytes = std::max<size_t>(1, options_.max_event_bytes);
  for (Event& e : events) {
    TruncateUtf8(e.message, max_bytes);
  }

  std::lock_guard lock(mu_);
  auto it = queues_.find(stream);
  if (it == queues_.end()) {
    it = queues_.emplace(std::string(stream), std::deque<Event>()).first;
  }
  for (Event& e : events) {
    it->second.push_back(std::move(e));
    ++queued_;
  }
  while (queued_ > options_.max_queued_events && queued_ > 0) {
    DropOldestLocked();
  }
}

Status CloudWatchLogsShipper::EnsureGroup(aws::Client& client, const aws::CallOptions& call) {
  if (group_ready_) {
    return {};
  }
  Result<nlohmann::json> r =
      client.Call("logs", "CreateLogGroup", {{"logGroupName", options_.log_group}}, call);
  if (!r.ok() && r.status().aws_error_code() != kAlreadyExists) {
    return r.status().Annotate("logs CreateLogGroup " + options_.log_group);
  }
  group_ready_ = true;
  return {};
}

Status CloudWatchLogsShipper::EnsureStream(aws::Client& client, const aws::CallOptions& call,
                                           const std::string& stream) {
  if (streams_ready_.contains(stream)) {
    return {};
  }
  Result<nlohmann::json> r =
      client.Call("logs", "CreateLogStream",
                  {{"logGroupName", options_.log_group}, {"logStreamName", stream}}, call);
  if (!r.ok() && r.status().aws_error_code() != kAlreadyExists) {
    return r.status().Annotate("logs CreateLogStream " + stream);
  }
  // Streams are per day: forget old ones rather than remember every stream ever used. A stream
  // forgotten too early costs one CreateLogStream answered with ResourceAlreadyExists.
  if (streams_ready_.size() >= 1024) {
    streams_ready_.clear();
  }
  streams_ready_.insert(stream);
  return {};
}

std::pair<size_t, Status> CloudWatchLogsShipper::SendStream(aws::Client& client,
                                                            const aws::CallOptions& call,
                                                            const std::string& stream,
                                                            const std::deque<Event>& events) {
  size_t sent = 0;
  if (Status s = EnsureGroup(client, call); !s.ok()) {
    return {sent, s};
  }
  if (Status s = EnsureStream(client, call, stream); !s.ok()) {
    return {sent, s};
  }
  const size_t max_events = std::max<size_t>(1, options_.max_batch_events);
  while (sent < events.size()) {
    nlohmann::json batch = nlohmann::json::array();
    size_t bytes = 0;
    size_t end = sent;
    const int64_t first = events[sent].timestamp_ms;
    while (end < events.size() && end - sent < max_events) {
      const Event& e = events[end];
      const size_t size = e.message.size() + kEventOverheadBytes;
      if (end > sent && (bytes + size > options_.max_batch_bytes ||
                         e.timestamp_ms - first >= options_.max_batch_span.count())) {
        break;
      }
      batch.push_back({{"timestamp", e.timestamp_ms}, {"message", e.message}});
      bytes += size;
      ++end;
    }
    const nlohmann::json params = {{"logGroupName", options_.log_group},
                                   {"logStreamName", stream},
                                   {"logEvents", std::move(batch)}};
    Result<nlohmann::json> r = client.Call("logs", "PutLogEvents", params, call);
    if (!r.ok() && r.status().aws_error_code() == kNotFound) {
      // The group or the stream was deleted since we created it: create both again, once.
      group_ready_ = false;
      streams_ready_.erase(stream);
      if (Status s = EnsureGroup(client, call); !s.ok()) {
        return {sent, s};
      }
      if (Status s = EnsureStream(client, call, stream); !s.ok()) {
        return {sent, s};
      }
      r = client.Call("logs", "PutLogEvents", params, call);
    }
    if (!r.ok()) {
      return {sent, r.status().Annotate("logs PutLogEvents " + stream)};
    }
    const size_t n = end - sent;
    if (const auto info = r->find("rejectedLogEventsInfo"); info != r->end() && info->is_object()) {
      size_t head = 0;  // rejected at the front (too old / expired), exclusive end index
      size_t tail = n;  // rejected from here on (too new), inclusive start index
      for (const char* key : {"tooOldLogEventEndIndex", "expiredLogEventEndIndex"}) {
        if (const auto v = info->find(key); v != info->end() && v->is_number_integer()) {
          head = std::max(head, std::min(n, v->get<size_t>()));
        }
      }
      if (const auto v = info->find("tooNewLogEventStartIndex");
          v != info->end() && v->is_number_integer()) {
        tail = std::min(n, v->get<size_t>());
      }
      const size_t rejected = head + (n - std::max(head, tail));
      std::lock_guard lock(mu_);
      rejected_ += rejected;
    }
    sent = end;
  }
  return {sent, Status()};
}

Status CloudWatchLogsShipper::Flush(aws::Client& client, std::string_view region) {
  std::lock_guard flush_lock(flush_mu_);
  Queues work;
  {
    std::lock_guard lock(mu_);
    work.swap(queues_);
    queued_ = 0;
  }
  const aws::CallOptions call{.region = std::string(region), .credentials = options_.credentials};
  // Without the group no stream can be written: keep everything and stop at once.
  Status first_error = work.empty() ? Status() : EnsureGroup(client, call);
  for (auto& [stream, events] : work) {
    if (!group_ready_) {
      break;
    }
    // Lines of one entry share a time; the stable sort keeps them (and retried events, which
    // sit in front) in their order.
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
      return a.timestamp_ms < b.timestamp_ms;
    });
    auto [sent, status] = SendStream(client, call, stream, events);
    events.erase(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(sent));
    if (!status.ok() && first_error.ok()) {
      first_error = status;
    }
  }

  std::lock_guard lock(mu_);
  for (auto& [stream, events] : work) {
    if (events.empty()) {
      continue;
    }
    auto it = queues_.find(stream);
    if (it == queues_.end()) {
      it = queues_.emplace(stream, std::deque<Event>()).first;
    }
    // Unsent events go in front of those added during the flush.
    queued_ += events.size();
    it->second.insert(it->second.begin(), std::make_move_iterator(events.begin()),
                      std::make_move_iterator(events.end()));
  }
  while (queued_ > options_.max_queued_events && queued_ > 0) {
    DropOldestLocked();
  }
  return first_error;
}

size_t CloudWatchLogsShipper::queued_events() const {
  std::lock_guard lock(mu_);
  return queued_;
}

uint64_t CloudWatchLogsShipper::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

uint64_t CloudWatchLogsShipper::rejected() const {
  std::lock_guard lock(mu_);
  return rejected_;
}

}  // namespace asr::report
