#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <ranges>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "store/internal/semantics.h"
#include "store/store.h"

namespace asr::store {
namespace {

// Mirrors sqlite_store.cc with ordinary containers. Commit applies the batch part by part, in
// the order internal/semantics.h fixes, and records how to undo each change; on the first
// failure it undoes everything in reverse, like SQLite's ROLLBACK. JSON values go through the
// same text round trip as in SQLite so that readers get identical values back.
class MemoryStore final : public Store {
 public:
  Status Commit(const Batch& batch) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::function<void()>> undo;
    Status status = Apply(batch, undo);
    if (!status.ok()) {
      for (const std::function<void()>& revert : std::views::reverse(undo)) {
        revert();
      }
    }
    return status;
  }

  Result<std::optional<JobRow>> GetJob(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = jobs_.find(id);
    return it == jobs_.end() ? std::nullopt : std::optional<JobRow>(it->second);
  }

  Result<std::optional<JobRow>> ActiveJobFor(const std::string& dedupe_key) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = active_by_key_.find(dedupe_key);
    return it == active_by_key_.end() ? std::nullopt : std::optional<JobRow>(jobs_.at(it->second));
  }

  Result<std::vector<JobRow>> ListJobs(const JobQuery& query) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<JobRow> out;
    auto end = query.before_id.empty() ? jobs_.end() : jobs_.lower_bound(query.before_id);
    for (auto it = std::make_reverse_iterator(end); it != jobs_.rend() && out.size() < query.limit;
         ++it) {
      const JobRow& j = it->second;
      bool match =
          (!query.active_only || !j.terminal) && (query.state.empty() || j.state == query.state) &&
          (query.control_id.empty() || j.control_id == query.control_id) &&
          (query.account_id.empty() || j.account_id == query.account_id) &&
          (query.finding_id.empty() || j.finding_id == query.finding_id) &&
          (!query.finished_since || (j.terminal && j.finished_at >= *query.finished_since));
      if (match) {
        out.push_back(j);
      }
    }
    return out;
  }

  Result<std::vector<JobRow>> ActiveJobs() override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<JobRow> out;
    for (const auto& [id, j] : jobs_) {
      if (!j.terminal) {
        out.push_back(j);
      }
    }
    return out;
  }

  Result<std::vector<JournalEntry>> Journal(const std::string& job_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<JournalEntry> out;
    for (const JournalEntry& e : journal_) {
      if (e.job_id == job_id) {
        out.push_back(e);
      }
    }
    return out;
  }

  Result<std::vector<OutboxItem>> PendingOutbox(Millis now, size_t limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<OutboxItem> out;
    for (const auto& [id, o] : outbox_) {
      if (out.size() >= limit) {
        break;
      }
      if (!o.done && o.next_attempt <= now) {
        out.push_back(o);
      }
    }
    return out;
  }

  Result<std::vector<OutboxItem>> OutboxFor(const std::string& job_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<OutboxItem> out;
    for (const auto& [id, o] : outbox_) {
      if (o.job_id == job_id) {
        out.push_back(o);
      }
    }
    return out;
  }

  Result<std::vector<ScheduleSlot>> ScheduleSlots() override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<ScheduleSlot> out;
    for (const auto& [key, s] : schedule_) {
      out.push_back(s);
    }
    return out;
  }

  Result<std::vector<Setting>> Settings() override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Setting> out;
    for (const auto& [key, s] : settings_) {
      out.push_back(s);
    }
    return out;
  }

  Result<std::optional<EventRow>> GetEvent(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = events_.find(id);
    return it == events_.end() ? std::nullopt : std::optional<EventRow>(it->second);
  }

  Result<std::optional<EventRow>> EventByExternalId(const std::string& source,
                                                    const std::string& external_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = event_by_external_.find({source, external_id});
    return it == event_by_external_.end() ? std::nullopt
                                          : std::optional<EventRow>(events_.at(it->second));
  }

  Result<std::vector<JobRow>> JobsOfEvent(const std::string& event_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<JobRow> out;
    for (const auto& [id, j] : jobs_) {
      if (j.event_id == event_id) {
        out.push_back(j);
      }
    }
    return out;
  }

 private:
  using Undo = std::vector<std::function<void()>>;

  Status Apply(const Batch& b, Undo& undo) {
    for (const EventRow& e : b.events) {
      ASR_RETURN_IF_ERROR(InsertEvent(e, undo));
    }
    for (const JobRow& j : b.update_jobs) {
      ASR_RETURN_IF_ERROR(UpdateJob(j, undo));
    }
    for (const JobRow& j : b.insert_jobs) {
      ASR_RETURN_IF_ERROR(InsertJob(j, undo));
    }
    for (const JournalEntry& e : b.journal) {
      ASR_RETURN_IF_ERROR(AppendJournal(e, undo));
    }
    for (const OutboxItem& o : b.outbox_add) {
      ASR_RETURN_IF_ERROR(AddOutbox(o, undo));
    }
    for (const OutboxItem& o : b.outbox_update) {
      ASR_RETURN_IF_ERROR(UpdateOutbox(o, undo));
    }
    for (const ScheduleSlot& s : b.schedule) {
      Upsert(schedule_, s.key, s, undo);
    }
    for (const Setting& s : b.settings) {
      Upsert(settings_, s.key, s, undo);
    }
    return Status::Ok();
  }

  Status InsertEvent(const EventRow& e, Undo& undo) {
    if (events_.contains(e.id)) {
      return ConflictError(internal::EventExistsMessage(e));
    }
    std::pair<std::string, std::string> external{e.source, e.external_id};
    if (!e.external_id.empty()) {
      auto it = event_by_external_.find(external);
      if (it != event_by_external_.end()) {
        return ConflictError(internal::EventExternalIdMessage(e, it->second));
      }
      event_by_external_.emplace(external, e.id);
    }
    events_.emplace(e.id, e);
    undo.emplace_back([this, id = e.id, external] {
      events_.erase(id);
      if (!external.second.empty()) {
        event_by_external_.erase(external);
      }
    });
    return Status::Ok();
  }

  // Checks that `j` may be active under its dedupe key, then records it there.
  Status ClaimDedupeKey(const JobRow& j, Undo& undo) {
    if (j.terminal) {
      return Status::Ok();
    }
    auto it = active_by_key_.find(j.dedupe_key);
    if (it != active_by_key_.end()) {
      return ConflictError(internal::DedupeClashMessage(j, it->second));
    }
    active_by_key_.emplace(j.dedupe_key, j.id);
    undo.emplace_back([this, key = j.dedupe_key] { active_by_key_.erase(key); });
    return Status::Ok();
  }

  Status InsertJob(const JobRow& j, Undo& undo) {
    if (jobs_.contains(j.id)) {
      return ConflictError(internal::JobExistsMessage(j));
    }
    JobRow row = j;
    ASR_ASSIGN_OR_RETURN(row.data, internal::RoundTripJson(j.data, "job " + j.id + " data"));
    row.version = 1;
    ASR_RETURN_IF_ERROR(ClaimDedupeKey(row, undo));
    jobs_.emplace(row.id, std::move(row));
    undo.emplace_back([this, id = j.id] { jobs_.erase(id); });
    return Status::Ok();
  }

  Status UpdateJob(const JobRow& j, Undo& undo) {
    auto it = jobs_.find(j.id);
    if (it == jobs_.end()) {
      return NotFoundError(internal::JobNotFoundMessage(j));
    }
    if (it->second.version != j.version) {
      return ConflictError(internal::VersionClashMessage(j, it->second.version));
    }
    JobRow row = j;
    ASR_ASSIGN_OR_RETURN(row.data, internal::RoundTripJson(j.data, "job " + j.id + " data"));
    row.version = j.version + 1;
    JobRow old = it->second;
    if (!old.terminal) {
      active_by_key_.erase(old.dedupe_key);
      undo.emplace_back(
          [this, key = old.dedupe_key, id = old.id] { active_by_key_.emplace(key, id); });
    }
    ASR_RETURN_IF_ERROR(ClaimDedupeKey(row, undo));
    it->second = std::move(row);
    undo.emplace_back([this, old = std::move(old)] { jobs_[old.id] = old; });
    return Status::Ok();
  }

  Status AppendJournal(const JournalEntry& e, Undo& undo) {
    JournalEntry entry = e;
    ASR_ASSIGN_OR_RETURN(entry.detail,
                         internal::RoundTripJson(e.detail, "journal entry of job " + e.job_id));
    entry.seq = next_seq_++;
    journal_.push_back(std::move(entry));
    undo.emplace_back([this] {
      journal_.pop_back();
      --next_seq_;
    });
    return Status::Ok();
  }

  Status AddOutbox(const OutboxItem& o, Undo& undo) {
    std::tuple<std::string, std::string, std::string> key{o.job_id, o.kind, o.key};
    if (outbox_keys_.contains(key)) {
      return Status::Ok();  // the side effect is already planned: adding it again is a no-op
    }
    OutboxItem item = o;
    ASR_ASSIGN_OR_RETURN(
        item.payload, internal::RoundTripJson(
                          o.payload, "outbox " + o.kind + " item of job " + o.job_id + " payload"));
    item.id = next_outbox_id_++;
    outbox_keys_.insert(key);
    undo.emplace_back([this, key, id = item.id] {
      outbox_keys_.erase(key);
      outbox_.erase(id);
      --next_outbox_id_;
    });
    outbox_.emplace(item.id, std::move(item));
    return Status::Ok();
  }

  Status UpdateOutbox(const OutboxItem& o, Undo& undo) {
    auto it = outbox_.find(o.id);
    if (it == outbox_.end()) {
      return NotFoundError(internal::OutboxNotFoundMessage(o));
    }
    OutboxItem& item = it->second;
    undo.emplace_back([this, old = item] { outbox_[old.id] = old; });
    item.attempts = o.attempts;
    item.next_attempt = o.next_attempt;
    item.last_error = o.last_error;
    item.done = o.done;
    item.done_at = o.done_at;
    return Status::Ok();
  }

  template <typename T>
  void Upsert(std::map<std::string, T>& table, const std::string& key, const T& value, Undo& undo) {
    auto it = table.find(key);
    if (it == table.end()) {
      table.emplace(key, value);
      undo.emplace_back([&table, key] { table.erase(key); });
    } else {
      undo.emplace_back([&table, key, old = it->second] { table[key] = old; });
      it->second = value;
    }
  }

  std::mutex mu_;
  // Everything below is guarded by mu_.
  std::map<std::string, EventRow> events_;
  std::map<std::pair<std::string, std::string>, std::string> event_by_external_;
  std::map<std::string, JobRow> jobs_;                // by id, so iteration is id order
  std::map<std::string, std::string> active_by_key_;  // dedupe key -> id of the active job
  std::vector<JournalEntry> journal_;                 // in seq order
  int64_t next_seq_ = 1;
  std::map<int64_t, OutboxItem> outbox_;
  std::set<std::tuple<std::string, std::string, std::string>> outbox_keys_;
  int64_t next_outbox_id_ = 1;
  std::map<std::string, ScheduleSlot> schedule_;
  std::map<std::string, Setting> settings_;
};

}  // namespace

std::unique_ptr<Store> NewMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace asr::store
