#pragma once

// Helpers shared by the store's tests (test-only; not part of asr_store).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/store.h"

namespace asr::store::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it when destroyed.
class TempDir final {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/asr-store-test-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) != nullptr) {
      path_ = buf.data();
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
    }
  }
  // "" when the directory could not be created.
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A plausible active job; tests change what they need.
inline JobRow MakeJob(const std::string& id, const std::string& dedupe_key = "") {
  JobRow j;
  j.id = id;
  j.event_id = "e-1";
  j.finding_id = "arn:aws:securityhub:us-east-1:111111111111:finding/" + id;
  j.dedupe_key = dedupe_key.empty() ? "dk-" + id : dedupe_key;
  j.resource_key = "111111111111/us-east-1/bucket-" + id;
  j.account_id = "111111111111";
  j.region = "us-east-1";
  j.control_id = "S3.2";
  j.remediation_id = "ConfigureS3BucketPublicAccessBlock";
  j.trigger = "automatic";
  j.step = "schedule";
  j.state = "QUEUED";
  j.created_at = 1000;
  j.updated_at = 1000;
  j.data = {{"finding", {{"Id", j.finding_id}}}};
  return j;
}

// Whole rows as JSON, so that a mismatch prints every field.
inline nlohmann::json ToJson(const JobRow& j) {
  return {{"id", j.id},
          {"event_id", j.event_id},
          {"finding_id", j.finding_id},
          {"dedupe_key", j.dedupe_key},
          {"resource_key", j.resource_key},
          {"account_id", j.account_id},
          {"region", j.region},
          {"control_id", j.control_id},
          {"remediation_id", j.remediation_id},
          {"trigger", j.trigger},
          {"step", j.step},
          {"state", j.state},
          {"terminal", j.terminal},
          {"reason", j.reason},
          {"message", j.message},
          {"hold", j.hold},
          {"not_before", j.not_before},
          {"attempts", j.attempts},
          {"lease_owner", j.lease_owner},
          {"lease_until", j.lease_until},
          {"received_at", j.received_at},
          {"created_at", j.created_at},
          {"updated_at", j.updated_at},
          {"finished_at", j.finished_at},
          {"version", j.version},
          {"data", j.data}};
}

inline nlohmann::json ToJson(const OutboxItem& o) {
  return {{"id", o.id},
          {"job_id", o.job_id},
          {"kind", o.kind},
          {"key", o.key},
          {"payload", o.payload},
          {"attempts", o.attempts},
          {"next_attempt", o.next_attempt},
          {"last_error", o.last_error},
          {"done", o.done},
          {"created_at", o.created_at},
          {"done_at", o.done_at}};
}

inline nlohmann::json ToJson(const JournalEntry& e) {
  return {
      {"seq", e.seq}, {"job_id", e.job_id}, {"at", e.at}, {"kind", e.kind}, {"detail", e.detail}};
}

inline nlohmann::json ToJson(const EventRow& e) {
  return {{"id", e.id},
          {"source", e.source},
          {"external_id", e.external_id},
          {"received_at", e.received_at},
          {"findings", e.findings},
          {"body_sha256", e.body_sha256}};
}

template <typename T>
nlohmann::json ToJson(const std::vector<T>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const T& r : rows) {
    out.push_back(ToJson(r));
  }
  return out;
}

template <typename T>
std::vector<std::string> Ids(const std::vector<T>& rows) {
  std::vector<std::string> out;
  for (const T& r : rows) {
    out.push_back(r.id);
  }
  return out;
}

}  // namespace asr::store::testing
