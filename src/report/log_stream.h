#pragma once

#include <chrono>
#include <initializer_list>
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/log.h"

namespace asr::report {

// The reference's log stream name for one notification (spec §e.4):
// "<STANDARD>[-<CONTROL>]-<YYYY-MM-DD>", upper-cased, the date in UTC, e.g. "SC-EC2.1-2026-04-21".
// An empty `standard` is "ASR" (the reference's default), so notifications that carry no
// standard go to "ASR-<YYYY-MM-DD>"; the control is added whenever it is not empty, as the
// reference does.
std::string LogStreamName(std::string_view standard, std::string_view control,
                          std::chrono::system_clock::time_point when);

enum class FindingLogLevel { kInfo, kError };

// One line of a finding's log.
struct FindingLogEntry {
  std::string stream;  // LogStreamName(...)
  FindingLogLevel level = FindingLogLevel::kInfo;
  std::string message;
  std::string job_id;
  std::vector<std::string> details;  // the reference's logdata lines; written when not empty
  std::vector<LogField> fields;      // extra string fields (finding_id, control, ...)
};

// Appends the per-finding log (the reference's CloudWatch log group "SO0111-ASR") as JSON lines
// to a stream:
//   {"time":"2026-04-21T08:00:00.000Z","stream":"SC-EC2.1-2026-04-21","level":"INFO",
//    "message":"...","job_id":"j-1",<fields...>,"details":[...]}
// Text that is not valid UTF-8 is written with U+FFFD in place of the bad bytes, so every line
// is valid JSON. Fields whose key names a secret (IsSensitiveKey) are written as "[REDACTED]";
// a field named like a fixed key is skipped. Borrows the stream and the clock, which must
// outlive the writer. Thread-safe: lines from several threads never interleave. Write errors
// of the stream are not reported (check the stream's state).
class FindingLogWriter final {
 public:
  FindingLogWriter(std::ostream& out, const Clock& clock);

  void Write(const FindingLogEntry& entry);

 private:
  std::mutex mu_;
  std::ostream& out_;
  const Clock& clock_;
};

}  // namespace asr::report
