#include "intake/sqs_poller.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "intake/internal/wait.h"
#include "intake/metrics.h"

namespace asr::intake {
namespace {

using nlohmann::json;

// Poison reasons are logged; the engine's messages are short, but a bound keeps a hostile body
// quoted inside an error message from flooding the log.
constexpr size_t kMaxReasonLength = 300;

// The string member `key` of `object`, or "" when absent or not a string (no exceptions).
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

std::string Truncate(std::string text) {
  if (text.size() > kMaxReasonLength) {
    text.resize(kMaxReasonLength);
    text += "...";
  }
  return text;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

Status ValidateSqsPollerOptions(const SqsPollerOptions& options) {
  if (!StartsWith(options.queue_url, "https://") && !StartsWith(options.queue_url, "http://")) {
    return InvalidArgumentError(
        "sqs.queue_url: must be the queue's URL (https://sqs.<region>.amazonaws.com/<account>/"
        "<name>), got \"" +
        options.queue_url + "\"");
  }
  if (options.wait_seconds < 0 || options.wait_seconds > 20) {
    return InvalidArgumentError("sqs.wait_seconds: must be 0..20 (SQS long poll), got " +
                                std::to_string(options.wait_seconds));
  }
  if (options.max_messages < 1 || options.max_messages > 10) {
    return InvalidArgumentError("sqs.max_messages: must be 1..10, got " +
                                std::to_string(options.max_messages));
  }
  if (options.visibility_timeout &&
      (*options.visibility_timeout < 0 || *options.visibility_timeout > 43200)) {
    return InvalidArgumentError("sqs.visibility_timeout: must be 0..43200 seconds, got " +
                                std::to_string(*options.visibility_timeout));
  }
  if (options.backoff_base.count() < 0 || options.idle_pause.count() < 0) {
    return InvalidArgumentError("sqs.backoff_base and sqs.idle_pause: must not be negative");
  }
  if (options.backoff_max < options.backoff_base) {
    return InvalidArgumentError("sqs.backoff_max: must be at least sqs.backoff_base");
  }
  if (options.principal.empty()) {
    return InvalidArgumentError("sqs.principal: must not be empty");
  }
  return Status::Ok();
}

std::string RegionFromQueueUrl(std::string_view queue_url) {
  const size_t scheme = queue_url.find("://");
  if (scheme == std::string_view::npos) {
    return "";
  }
  std::string_view host = queue_url.substr(scheme + 3);
  host = host.substr(0, host.find_first_of("/:"));
  const auto known_suffix = [](std::string_view h, std::string_view& rest) {
    for (std::string_view suffix : {".amazonaws.com", ".amazonaws.com.cn"}) {
      if (h.size() > suffix.size() && h.substr(h.size() - suffix.size()) == suffix) {
        rest = h.substr(0, h.size() - suffix.size());
        return true;
      }
    }
    return false;
  };
  std::string_view rest;
  if (!known_suffix(host, rest)) {
    return "";
  }
  // "sqs.<region>" (also "sqs-fips.<region>") or the legacy "<region>.queue".
  if (const size_t dot = rest.find('.'); dot != std::string_view::npos) {
    const std::string_view first = rest.substr(0, dot);
    const std::string_view second = rest.substr(dot + 1);
    if ((first == "sqs" || first == "sqs-fips") && second.find('.') == std::string_view::npos) {
      return std::string(second);
    }
    if (second == "queue") {
      return std::string(first);
    }
  }
  return "";
}

std::string SqsMessageEvent(std::string_view body) {
  // Cheap test first: only a body that can be an SNS envelope is parsed here.
  if (body.find("\"Notification\"") == std::string_view::npos) {
    return std::string(body);
  }
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || StringMember(parsed, "Type") != "Notification" ||
      parsed.contains("detail-type") || parsed.contains("detail")) {
    return std::string(body);
  }
  const auto message = parsed.find("Message");
  if (message == parsed.end() || !message->is_string()) {
    return std::string(body);
  }
  return message->get<std::string>();
}

SqsPoller::SqsPoller(IntakeDeps deps, SqsPollerOptions options)
    : deps_(deps), options_(std::move(options)) {
  options_.wait_seconds = std::clamp(options_.wait_seconds, 0, 20);
  options_.max_messages = std::clamp(options_.max_messages, 1, 10);
  region_ = options_.region.empty() ? RegionFromQueueUrl(options_.queue_url) : options_.region;
}

void SqsPoller::Count(std::string_view family, std::string_view result, uint64_t by) const {
  if (deps_.metrics == nullptr || by == 0) {
    return;
  }
  if (result.empty()) {
    deps_.metrics->Increment(family, {}, static_cast<double>(by));
  } else {
    deps_.metrics->Increment(family, {result}, static_cast<double>(by));
  }
}

void SqsPoller::Add(const SqsStats& round) {
  const std::lock_guard lock(mu_);
  totals_.receives += round.receives;
  totals_.receive_errors += round.receive_errors;
  totals_.received += round.received;
  totals_.accepted += round.accepted;
  totals_.duplicates += round.duplicates;
  totals_.poison += round.poison;
  totals_.errors += round.errors;
  totals_.deleted += round.deleted;
  totals_.delete_errors += round.delete_errors;
}

SqsStats SqsPoller::stats() const {
  const std::lock_guard lock(mu_);
  return totals_;
}

Result<SqsStats> SqsPoller::RunOnce() {
  SqsStats round;
  const aws::CallOptions call{.region = region_};
  const json system_attributes = json::array({"ApproximateReceiveCount", "SentTimestamp"});
  json request = {{"QueueUrl", options_.queue_url},
                  {"MaxNumberOfMessages", options_.max_messages},
                  {"WaitTimeSeconds", options_.wait_seconds},
                  {"MessageSystemAttributeNames", system_attributes},
                  // Deprecated, but older SQS-compatible servers read only this one.
                  {"AttributeNames", system_attributes}};
  if (options_.visibility_timeout) {
    request["VisibilityTimeout"] = *options_.visibility_timeout;
  }
  Result<json> received = deps_.client.Call("sqs", "ReceiveMessage", request, call);
  if (!received.ok()) {
    round.receive_errors = 1;
    Count(kSqsReceiveErrorsTotal, "");
    Add(round);
    return received.status().Annotate("sqs ReceiveMessage " + options_.queue_url);
  }
  round.receives = 1;

  json entries = json::array();
  const auto messages = received->find("Messages");
  if (messages != received->end() && messages->is_array()) {
    for (const json& message : *messages) {
      ++round.received;
      const std::string message_id = StringMember(message, "MessageId");
      const std::string handle = StringMember(message, "ReceiptHandle");
      std::string receive_count;
      if (const auto attrs = message.find("Attributes"); attrs != message.end()) {
        receive_count = StringMember(*attrs, "ApproximateReceiveCount");
      }
      const workflow::SubmitOptions submit{
          .source = "sqs",
          .external_id = message_id,
          .principal = {.name = options_.principal, .role = workflow::Principal::Role::kIntake}};
      const Result<workflow::SubmitResult> result =
          deps_.engine.Submit(SqsMessageEvent(StringMember(message, "Body")), submit);
      if (result.ok()) {
        if (result->duplicate) {
          ++round.duplicates;
          Count(kSqsMessagesTotal, "duplicate");
        } else {
          ++round.accepted;
          Count(kSqsMessagesTotal, "accepted");
        }
        if (handle.empty()) {
          // Committed, but it can't be deleted; it will come back as a duplicate.
          ++round.delete_errors;
          Count(kSqsDeletesTotal, "error");
          deps_.logger.Warn("sqs message without a receipt handle",
                            {{"message_id", message_id}, {"queue_url", options_.queue_url}});
          continue;
        }
        // Ids of batch entries must be unique within the request: the position is.
        entries.push_back(
            {{"Id", "m" + std::to_string(entries.size())}, {"ReceiptHandle", handle}});
        continue;
      }
      if (result.status().code() == StatusCode::kInvalidArgument) {
        ++round.poison;
        Count(kSqsMessagesTotal, "poison");
        deps_.logger.Warn("sqs message is not an event; left for the dead-letter queue",
                          {{"message_id", message_id},
                           {"receive_count", receive_count},
                           {"queue_url", options_.queue_url},
                           {"reason", Truncate(result.status().message())}});
        continue;
      }
      ++round.errors;
      Count(kSqsMessagesTotal, "error");
      deps_.logger.Warn("sqs message not accepted by the engine; it will be received again",
                        {{"message_id", message_id},
                         {"receive_count", receive_count},
                         {"queue_url", options_.queue_url},
                         {"error", Truncate(result.status().ToString())}});
    }
  }

  if (!entries.empty()) {
    const size_t count = entries.size();
    const Result<json> deleted = deps_.client.Call(
        "sqs", "DeleteMessageBatch",
        {{"QueueUrl", options_.queue_url}, {"Entries", std::move(entries)}}, call);
    if (!deleted.ok()) {
      round.delete_errors += count;
      Count(kSqsDeletesTotal, "error", count);
      deps_.logger.Warn("sqs DeleteMessageBatch failed; the messages will come back as duplicates",
                        {{"queue_url", options_.queue_url},
                         {"count", std::to_string(count)},
                         {"error", deleted.status().ToString()}});
    } else {
      const auto ok = deleted->find("Successful");
      const uint64_t successful = ok != deleted->end() && ok->is_array() ? ok->size() : 0;
      round.deleted += successful;
      Count(kSqsDeletesTotal, "ok", successful);
      if (const auto failed = deleted->find("Failed");
          failed != deleted->end() && failed->is_array() && !failed->empty()) {
        round.delete_errors += failed->size();
        Count(kSqsDeletesTotal, "error", failed->size());
        deps_.logger.Warn(
            "sqs DeleteMessageBatch: some messages were not deleted; they will come "
            "back as duplicates",
            {{"queue_url", options_.queue_url},
             {"count", std::to_string(failed->size())},
             {"code", StringMember(failed->front(), "Code")}});
      }
    }
  }
  Add(round);
  return round;
}

void SqsPoller::Run(const std::atomic<bool>& stop) {
  int failures = 0;
  while (!stop.load()) {
    const Result<SqsStats> round = RunOnce();
    if (!round.ok()) {
      deps_.logger.Warn("sqs receive failed",
                        {{"queue_url", options_.queue_url}, {"error", round.status().ToString()}});
    }
    if (!round.ok() || round->errors > 0) {
      ++failures;
      const auto pause = internal::FailurePause(options_.backoff_base, options_.backoff_max,
                                                failures, deps_.random);
      internal::WaitUntil(deps_.clock, deps_.sleeper, deps_.clock.Now() + pause, stop);
      continue;
    }
    failures = 0;
    if (round->received == 0 && options_.wait_seconds == 0) {
      internal::WaitUntil(deps_.clock, deps_.sleeper, deps_.clock.Now() + options_.idle_pause,
                          stop);
    }
  }
}

}  // namespace asr::intake
