#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "aws/client.h"
#include "aws/retry.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/status.h"
#include "report/metrics.h"
#include "workflow/api.h"

namespace asr::intake {

// What the intakes borrow; everything must outlive the poller / sweep.
struct IntakeDeps {
  workflow::EngineApi& engine;
  aws::Client& client;
  const Clock& clock;
  aws::Sleeper& sleeper;  // every wait (backoff, rate limit, interval) goes through it
  aws::Random& random;    // backoff jitter
  const Logger& logger;
  // Counters of intake/metrics.h (register them with RegisterIntakeMetrics); null → none.
  report::MetricsRegistry* metrics = nullptr;
};

struct SqsPollerOptions {
  // The queue an EventBridge rule targets ("https://sqs.us-east-1.amazonaws.com/123456789012/q").
  std::string queue_url;
  // Region of the SQS call; "" → taken from a standard queue URL host
  // ("sqs.<region>.amazonaws.com", "<region>.queue.amazonaws.com"), else the client's region.
  std::string region;
  int wait_seconds = 20;  // long poll, 0..20; also bounds how long Run takes to notice `stop`
  int max_messages = 10;  // 1..10 per ReceiveMessage
  // Seconds a received message stays invisible; unset → the queue's own setting. It should be
  // longer than a Submit of max_messages events takes (the engine commits before returning).
  std::optional<int> visibility_timeout;
  std::string principal = "sqs";  // Principal name on submitted events (role kIntake)
  // Pauses of Run after a failed receive or a batch with engine errors (see FailurePause).
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_max{60000};
  // Pause of Run after an empty receive when wait_seconds is 0 (short polling), so an empty
  // queue is not polled in a tight loop.
  std::chrono::milliseconds idle_pause{1000};
};

// InvalidArgument naming the field when options are unusable: queue_url empty or not http(s),
// wait_seconds outside 0..20, max_messages outside 1..10, visibility_timeout outside 0..43200,
// backoff_base or idle_pause negative, backoff_max < backoff_base, principal empty. The poller
// itself clamps out-of-range numbers rather than failing; call this while validating config.
Status ValidateSqsPollerOptions(const SqsPollerOptions& options);

// The region of a standard SQS queue URL ("https://sqs.eu-west-1.amazonaws.com/1/q" →
// "eu-west-1", also "*.amazonaws.com.cn" and legacy "<region>.queue.amazonaws.com"); "" for
// other URLs (custom endpoints such as moto's "http://127.0.0.1:5000/1/q").
std::string RegionFromQueueUrl(std::string_view queue_url);

// The event to submit for an SQS message body. EventBridge delivers the event JSON itself as the
// body (rule target SQS), which is returned unchanged. An SNS notification envelope
// ({"Type":"Notification","Message":"<event JSON>", ...}, SNS → SQS without raw message
// delivery) is unwrapped to its Message string. Anything else is returned unchanged, so the engine
// judges it (and answers InvalidArgument for what is not an event).
std::string SqsMessageEvent(std::string_view body);

// Counters of the poller; RunOnce returns one round's, stats() the sum since construction.
struct SqsStats {
  uint64_t receives = 0;        // ReceiveMessage calls that succeeded
  uint64_t receive_errors = 0;  // ReceiveMessage calls that failed
  uint64_t received = 0;        // messages received
  uint64_t accepted = 0;        // committed as new events
  uint64_t duplicates = 0;      // committed before (same MessageId): deleted again
  uint64_t poison = 0;          // InvalidArgument from the engine: left for the queue's DLQ
  uint64_t errors = 0;          // other Submit errors, or a message without a receipt handle
  uint64_t deleted = 0;         // deletions SQS confirmed
  uint64_t delete_errors = 0;   // deletions that failed (the message comes back as a duplicate)
};

// Pulls EventBridge events from an SQS queue into the engine (EventBridge rule → SQS → asr).
//
// One round (RunOnce): ReceiveMessage (long poll) → for each message, in order,
// EngineApi::Submit(SqsMessageEvent(Body), {source "sqs", external_id MessageId}) → one
// DeleteMessageBatch for the messages whose Submit succeeded (new or duplicate), i.e. only after
// the engine has committed them. A message whose Submit fails is never deleted:
//   * InvalidArgument (malformed JSON, not an event): "poison". Counted and logged (warn, with
//     message id, receive count and reason, never the body) and left in the queue, so the queue's
//     redrive policy moves it to the dead-letter queue after maxReceiveCount receives. Without a
//     redrive policy it comes back after every visibility timeout.
//   * anything else (engine or store unavailable, ...): logged and left to reappear after the
//     visibility timeout; Run then pauses with backoff. The other messages of the batch are still
//     submitted.
// A crash between commit and delete redelivers the message; its MessageId makes it a duplicate,
// which is deleted. Delivery to the engine is therefore at least once, effect exactly once.
//
// Thread safety: RunOnce and Run must not run concurrently on one poller (one thread polls; use
// several pollers for more throughput). stats() may be called from any thread.
class SqsPoller final {
 public:
  SqsPoller(IntakeDeps deps, SqsPollerOptions options);

  // One receive and the handling of its messages. Returns this round's counters, or the
  // ReceiveMessage error (the client's Status, annotated "sqs ReceiveMessage <queue url>"; it has
  // already been retried by the client). Submit and delete errors are counted, not returned.
  Result<SqsStats> RunOnce();

  // Calls RunOnce until `stop` is set. After a failed receive or a round with engine errors
  // (`errors` > 0) it pauses FailurePause(backoff_base, backoff_max, consecutive failures); the
  // count resets after a clean round. `stop` is checked between rounds and at least every second
  // while pausing, so Run returns at most one long poll (wait_seconds) plus one round's Submit
  // and delete calls after `stop` is set. Logs receive errors (warn), never returns one.
  void Run(const std::atomic<bool>& stop);

  [[nodiscard]] SqsStats stats() const;

 private:
  void Count(std::string_view family, std::string_view result, uint64_t by = 1) const;
  void Add(const SqsStats& round);

  IntakeDeps deps_;
  SqsPollerOptions options_;
  std::string region_;
  mutable std::mutex mu_;
  SqsStats totals_;
};

}  // namespace asr::intake
