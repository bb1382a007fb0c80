#include "report/outbox.h"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "report/finding_update.h"

namespace asr::report {

using nlohmann::json;

namespace {

store::Millis ToMillis(std::chrono::system_clock::time_point t) {
  // Round up so that an item deferred to `t` is not picked up a fraction of a ms too early.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(t.time_since_epoch());
  return ms.count();
}

// The string member `key` of an object payload, nullopt when absent or not a string.
std::optional<std::string> StringField(const json& payload, std::string_view key) {
  if (!payload.is_object()) {
    return std::nullopt;
  }
  const auto it = payload.find(key);
  if (it == payload.end() || !it->is_string()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

Status MissingField(std::string_view kind, std::string_view field) {
  return InvalidArgumentError(std::string(kind) + " payload: \"" + std::string(field) +
                              "\" must be a non-empty string");
}

}  // namespace

struct OutboxDispatcher::Outcome {
  enum class Kind { kDelivered, kFailed, kGiveUp, kDeferred };
  Kind kind = Kind::kFailed;
  std::string error;             // kFailed / kGiveUp
  store::Millis next_attempt{};  // kDeferred
};

struct OutboxDispatcher::SecurityHubItem {
  const store::OutboxItem* item = nullptr;
  std::string region;
  std::string finding_id;
  std::string product_arn;
  std::string note;
  std::string updated_by;
  std::string status;
};

OutboxDispatcher::OutboxDispatcher(store::Store& store, aws::Client& client, const Clock& clock,
                                   const Logger& logger, DispatcherOptions options)
    : store_(store),
      client_(client),
      clock_(clock),
      logger_(logger),
      options_(options),
      owned_random_(options_.random == nullptr ? std::make_unique<aws::SystemRandom>() : nullptr),
      random_(options_.random != nullptr ? options_.random : owned_random_.get()),
      securityhub_bucket_(options_.securityhub_requests_per_second, options_.securityhub_burst) {
  if (options_.securityhub_max_identifiers == 0 || options_.securityhub_max_identifiers > 100) {
    options_.securityhub_max_identifiers = 100;
  }
  if (options_.max_attempts < 1) {
    options_.max_attempts = 1;
  }
}

Result<size_t> OutboxDispatcher::RunOnce() {
  const std::lock_guard lock(run_mu_);
  const store::Millis now_ms = ToMillis(clock_.Now());
  Result<std::vector<store::OutboxItem>> pending =
      store_.PendingOutbox(now_ms, options_.batch_size);
  if (!pending.ok()) {
    return pending.status().Annotate("outbox: read pending items");
  }
  size_t delivered = 0;
  std::vector<const store::OutboxItem*> securityhub;
  for (const store::OutboxItem& item : *pending) {
    if (item.kind == kOutboxKindSecurityHub) {
      securityhub.push_back(&item);
      continue;
    }
    Outcome outcome;
    if (item.kind == kOutboxKindSns) {
      outcome = DeliverSns(item);
    } else {
      outcome = {.kind = Outcome::Kind::kGiveUp,
                 .error = "unknown outbox kind \"" + item.kind + "\" (known: sns, securityhub)"};
    }
    ASR_RETURN_IF_ERROR(Commit({{&item, outcome}}, now_ms, delivered));
  }
  ASR_RETURN_IF_ERROR(DeliverSecurityHub(securityhub, now_ms, delivered));
  return delivered;
}

OutboxDispatcher::Outcome OutboxDispatcher::DeliverSns(const store::OutboxItem& item) {
  const std::optional<std::string> topic = StringField(item.payload, "topic_arn");
  const std::optional<std::string> message = StringField(item.payload, "message");
  if (!topic.has_value() || topic->empty()) {
    return {.kind = Outcome::Kind::kGiveUp, .error = MissingField("sns", "topic_arn").message()};
  }
  if (!message.has_value() || message->empty()) {
    return {.kind = Outcome::Kind::kGiveUp, .error = MissingField("sns", "message").message()};
  }
  const json params = {
      {"TopicArn", *topic},
      {"Message", *message},
      {"MessageAttributes",
       {{std::string(kNotificationIdAttribute),
         {{"DataType", "String"}, {"StringValue", item.job_id + "/" + item.key}}}}}};
  const Result<json> response =
      client_.Call("sns", "Publish", params,
                   {.region = StringField(item.payload, "region").value_or(""),
                    .credentials = options_.credentials});
  if (!response.ok()) {
    return {.kind = Outcome::Kind::kFailed,
            .error = "sns:Publish: " + response.status().ToString()};
  }
  return {.kind = Outcome::Kind::kDelivered};
}

Status OutboxDispatcher::DeliverSecurityHub(const std::vector<const store::OutboxItem*>& items,
                                            store::Millis now_ms, size_t& delivered) {
  // Groups of items that can share a call, in the order their first item was due.
  std::vector<std::vector<SecurityHubItem>> groups;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, size_t> group_index;
  for (const store::OutboxItem* item : items) {
    SecurityHubItem sh{.item = item};
    sh.region = StringField(item->payload, "region").value_or("");
    sh.updated_by = StringField(item->payload, "updated_by").value_or(std::string(kNoteUpdatedBy));
    Status bad;
    const auto required = [&](std::string_view field, std::string& out) {
      std::optional<std::string> v = StringField(item->payload, field);
      if (!v.has_value() || v->empty()) {
        if (bad.ok()) {
          bad = MissingField("securityhub", field);
        }
        return;
      }
      out = std::move(*v);
    };
    required("finding_id", sh.finding_id);
    required("product_arn", sh.product_arn);
    required("note", sh.note);
    required("status", sh.status);
    if (!bad.ok()) {
      ASR_RETURN_IF_ERROR(Commit({{item, {.kind = Outcome::Kind::kGiveUp, .error = bad.message()}}},
                                 now_ms, delivered));
      continue;
    }
    auto key = std::make_tuple(sh.region, sh.note, sh.updated_by, sh.status);
    auto [it, inserted] = group_index.try_emplace(std::move(key), groups.size());
    if (inserted) {
      groups.emplace_back();
    }
    groups[it->second].push_back(std::move(sh));
  }

  for (const std::vector<SecurityHubItem>& group : groups) {
    size_t next = 0;
    while (next < group.size()) {
      // One call: the next items up to securityhub_max_identifiers distinct identifiers.
      std::vector<const SecurityHubItem*> chunk;
      std::set<std::pair<std::string, std::string>> identifiers;
      json finding_identifiers = json::array();
      while (next < group.size()) {
        const SecurityHubItem& sh = group[next];
        const auto id = std::make_pair(sh.finding_id, sh.product_arn);
        if (!identifiers.contains(id)) {
          if (identifiers.size() == options_.securityhub_max_identifiers) {
            break;
          }
          identifiers.insert(id);
          finding_identifiers.push_back({{"Id", sh.finding_id}, {"ProductArn", sh.product_arn}});
        }
        chunk.push_back(&sh);
        ++next;
      }

      std::vector<std::pair<const store::OutboxItem*, Outcome>> results;
      // The time now, not at the start of RunOnce: earlier calls took time and refilled the bucket.
      const auto now = clock_.Now();
      if (!securityhub_bucket_.TryTake(now)) {
        const Outcome deferred{.kind = Outcome::Kind::kDeferred,
                               .next_attempt = ToMillis(securityhub_bucket_.NextAvailable(now))};
        for (const SecurityHubItem* sh : chunk) {
          results.emplace_back(sh->item, deferred);
        }
        ASR_RETURN_IF_ERROR(Commit(results, now_ms, delivered));
        continue;
      }

      const SecurityHubItem& first = *chunk.front();
      const json params = {{"FindingIdentifiers", finding_identifiers},
                           {"Note", {{"Text", first.note}, {"UpdatedBy", first.updated_by}}},
                           {"Workflow", {{"Status", first.status}}}};
      const Result<json> response =
          client_.Call("securityhub", "BatchUpdateFindings", params,
                       {.region = first.region, .credentials = options_.credentials});
      if (!response.ok()) {
        const Outcome failed{
            .kind = Outcome::Kind::kFailed,
            .error = "securityhub:BatchUpdateFindings: " + response.status().ToString()};
        for (const SecurityHubItem* sh : chunk) {
          results.emplace_back(sh->item, failed);
        }
        ASR_RETURN_IF_ERROR(Commit(results, now_ms, delivered));
        continue;
      }

      // Unprocessed identifiers, by finding Id, with their error.
      std::map<std::string, std::string> unprocessed;
      const auto list = response->find("UnprocessedFindings");
      if (list != response->end() && list->is_array()) {
        for (const json& entry : *list) {
          const json identifier =
              entry.is_object() ? entry.value("FindingIdentifier", json()) : json();
          const std::optional<std::string> id = StringField(identifier, "Id");
          if (!id.has_value()) {
            continue;
          }
          unprocessed[*id] = "securityhub:BatchUpdateFindings: unprocessed: " +
                             StringField(entry, "ErrorCode").value_or("UnknownError") + ": " +
                             StringField(entry, "ErrorMessage").value_or("no message");
        }
      }
      for (const SecurityHubItem* sh : chunk) {
        const auto it = unprocessed.find(sh->finding_id);
        if (it == unprocessed.end()) {
          results.emplace_back(sh->item, Outcome{.kind = Outcome::Kind::kDelivered});
        } else {
          results.emplace_back(sh->item,
                               Outcome{.kind = Outcome::Kind::kFailed, .error = it->second});
        }
      }
      ASR_RETURN_IF_ERROR(Commit(results, now_ms, delivered));
    }
  }
  return Status::Ok();
}

Status OutboxDispatcher::Commit(
    const std::vector<std::pair<const store::OutboxItem*, Outcome>>& results, store::Millis now_ms,
    size_t& delivered) {
  store::Batch batch;
  size_t newly_delivered = 0;
  for (const auto& [item, outcome] : results) {
    store::OutboxItem update = *item;
    const Logger log = logger_.With({{"job_id", item->job_id},
                                     {"outbox_id", std::to_string(item->id)},
                                     {"kind", item->kind},
                                     {"key", item->key}});
    std::string_view result;
    switch (outcome.kind) {
      case Outcome::Kind::kDeferred:
        update.next_attempt = outcome.next_attempt;
        result = "deferred";
        log.Debug("outbox item deferred by the rate limit",
                  {{"next_attempt_ms", std::to_string(outcome.next_attempt)}});
        break;
      case Outcome::Kind::kDelivered:
        update.attempts += 1;
        update.done = true;
        update.done_at = now_ms;
        update.last_error.clear();
        result = "delivered";
        ++newly_delivered;
        log.Debug("outbox item delivered", {{"attempts", std::to_string(update.attempts)}});
        break;
      case Outcome::Kind::kFailed:
      case Outcome::Kind::kGiveUp: {
        update.attempts += 1;
        const bool give_up =
            outcome.kind == Outcome::Kind::kGiveUp || update.attempts >= options_.max_attempts;
        if (give_up) {
          update.done = true;
          update.done_at = now_ms;
          update.last_error = std::string(kGaveUpPrefix) + outcome.error;
          if (outcome.kind == Outcome::Kind::kFailed) {
            update.last_error += " (after " + std::to_string(update.attempts) + " attempts)";
          }
          result = "gave_up";
          log.Error("outbox item given up",
                    {{"attempts", std::to_string(update.attempts)}, {"error", update.last_error}});
        } else {
          const std::chrono::milliseconds delay =
              aws::BackoffDelay(aws::RetryOptions{.base_delay = options_.base_backoff,
                                                  .max_backoff = options_.max_backoff},
                                update.attempts, *random_);
          update.last_error = outcome.error;
          update.next_attempt = now_ms + delay.count();
          result = "retry";
          log.Warn("outbox item failed; will retry",
                   {{"attempts", std::to_string(update.attempts)},
                    {"next_attempt_ms", std::to_string(update.next_attempt)},
                    {"error", outcome.error}});
        }
        break;
      }
    }
    if (options_.metrics != nullptr) {
      options_.metrics->Increment(kOutboxDeliveriesTotal, {item->kind, result});
    }
    batch.outbox_update.push_back(std::move(update));
  }
  if (batch.empty()) {
    return Status::Ok();
  }
  const Status committed = store_.Commit(batch);
  if (!committed.ok()) {
    return committed.Annotate("outbox: commit delivery results");
  }
  delivered += newly_delivered;
  return Status::Ok();
}

}  // namespace asr::report
