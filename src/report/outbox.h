#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/retry.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/status.h"
#include "report/metrics.h"
#include "report/token_bucket.h"
#include "store/store.h"

namespace asr::report {

// Outbox item kinds the dispatcher delivers.
inline constexpr std::string_view kOutboxKindSns = "sns";  // payload: SnsOutboxPayload
// payload: SecurityHubOutboxPayload
inline constexpr std::string_view kOutboxKindSecurityHub = "securityhub";
// The SNS message attribute naming the notification ("<job_id>/<key>"), so a subscriber can drop
// a redelivery (the outbox delivers at least once).
inline constexpr std::string_view kNotificationIdAttribute = "asr_notification_id";
// Prefix of last_error when the dispatcher stopped trying an item.
inline constexpr std::string_view kGaveUpPrefix = "gave up: ";

struct DispatcherOptions {
  size_t batch_size = 500;  // items read from the store per RunOnce
  // Attempts per item, the first included; the item is marked done with a "gave up: " error
  // after the last one fails.
  int max_attempts = 10;
  // Backoff before retry n (1-based): uniform in [0, min(base * 2^(n-1), max)) (full jitter).
  std::chrono::milliseconds base_backoff{2000};
  std::chrono::milliseconds max_backoff{std::chrono::minutes(10)};
  // Client-side limit of BatchUpdateFindings calls (Security Hub's quota: 10 requests a second,
  // burst 30).
  double securityhub_requests_per_second = 10;
  double securityhub_burst = 30;
  // Finding identifiers per BatchUpdateFindings call (Security Hub accepts at most 100).
  size_t securityhub_max_identifiers = 100;
  // Credentials for every call (the admin account's); nullptr = the client's default chain.
  aws::CredentialsProvider* credentials = nullptr;
  // Counts each item's delivery result in kOutboxDeliveriesTotal{kind, result} with result
  // "delivered", "retry", "gave_up" or "deferred" (rate limit). Optional.
  MetricsRegistry* metrics = nullptr;
  // Jitter source; nullptr = a SystemRandom owned by the dispatcher.
  aws::Random* random = nullptr;
};

// Performs the side effects the workflow put in the store's outbox, at least once each:
//   "sns"         → sns:Publish(TopicArn, Message) in the payload's region, without Subject (as
//                   the reference), with MessageAttributes
//                   {asr_notification_id: String "<job_id>/<key>"};
//   "securityhub" → securityhub:BatchUpdateFindings(FindingIdentifiers [{Id, ProductArn}],
//                   Note {Text, UpdatedBy}, Workflow {Status}) in the payload's region. Items
//                   due together with the same (region, note, updated_by, status) share calls
//                   of up to securityhub_max_identifiers distinct identifiers; an identifier
//                   listed in UnprocessedFindings fails (and retries) only its own items. Calls
//                   are limited by a token bucket on the Clock: when it is empty the remaining
//                   items stay pending with next_attempt = when a token will be there, and no
//                   attempt is counted.
// Outcome of an item: delivered → done, done_at = now, attempts + 1, last_error cleared;
// failed → attempts + 1, last_error = the error, next_attempt = now + backoff; at max_attempts,
// or at once for an unknown kind or a malformed payload → done with last_error "gave up: ...",
// logged once at error level. Retries are logged at warn, deliveries at debug.
// Borrows everything; the store, client, clock and logger must outlive it. Thread-safe: RunOnce
// calls are serialised.
class OutboxDispatcher final {
 public:
  OutboxDispatcher(store::Store& store, aws::Client& client, const Clock& clock,
                   const Logger& logger, DispatcherOptions options);

  // Delivers the items due now (store.PendingOutbox(now, batch_size)) and commits each result
  // as soon as its call returns. Returns how many items were delivered. Errors: the store's
  // (reading the outbox or committing a result), annotated; items whose result was not
  // committed stay pending and are delivered again later (SNS subscribers can recognise that by
  // asr_notification_id; Security Hub updates are idempotent).
  Result<size_t> RunOnce();

 private:
  struct Outcome;
  struct SecurityHubItem;

  Outcome DeliverSns(const store::OutboxItem& item);
  // Delivers the Security Hub items (all due now), committing after each call.
  Status DeliverSecurityHub(const std::vector<const store::OutboxItem*>& items,
                            store::Millis now_ms, size_t& delivered);
  // Turns an outcome into the item's outbox update (logging and counting it) and commits it.
  Status Commit(const std::vector<std::pair<const store::OutboxItem*, Outcome>>& results,
                store::Millis now_ms, size_t& delivered);

  store::Store& store_;
  aws::Client& client_;
  const Clock& clock_;
  Logger logger_;
  DispatcherOptions options_;
  std::unique_ptr<aws::Random> owned_random_;
  aws::Random* random_;
  TokenBucket securityhub_bucket_;
  std::mutex run_mu_;
};

}  // namespace asr::report
