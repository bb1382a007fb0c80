#pragma once

#include <initializer_list>
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"

namespace asr {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

std::string_view LogLevelName(LogLevel level);

// One structured field of a log line. Values are strings; use std::to_string for numbers.
struct LogField {
  std::string key;
  std::string value;
};

// Where finished log lines go (one JSON object per call, without the trailing newline).
// Implementations must be thread-safe.
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void Write(std::string_view line) = 0;
};

// Writes lines to a std::ostream, serialised by a mutex. Does not own the stream.
class StreamLogSink final : public LogSink {
 public:
  explicit StreamLogSink(std::ostream& out);
  void Write(std::string_view line) override;

 private:
  std::mutex mu_;
  std::ostream& out_;
};

// Keeps lines in memory; for tests.
class MemoryLogSink final : public LogSink {
 public:
  void Write(std::string_view line) override;
  [[nodiscard]] std::vector<std::string> Lines() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// The logging facade: JSON lines with fields, never string pasting (STYLE.md "Logging").
//   {"ts":"...","level":"info","msg":"job admitted","job_id":"...","control":"S3.2"}
// Bound fields (With) are added to every line. Values of fields whose key looks like a secret
// (authorization, token, secret, password, credential, signature, access key) are replaced by
// "[REDACTED]" as a last line of defence; callers still must not pass secrets.
// Copyable; borrows the sink and clock, which must outlive it. Thread-safe if the sink is.
class Logger final {
 public:
  Logger(LogSink& sink, const Clock& clock, LogLevel min_level);

  // A child logger that adds `fields` to every line.
  [[nodiscard]] Logger With(std::initializer_list<LogField> fields) const;

  void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {}) const;
  void Debug(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kDebug, msg, fields);
  }
  void Info(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kInfo, msg, fields);
  }
  void Warn(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kWarn, msg, fields);
  }
  void Error(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kError, msg, fields);
  }

  [[nodiscard]] bool Enabled(LogLevel level) const { return level >= min_level_; }

 private:
  LogSink* sink_;
  const Clock* clock_;
  LogLevel min_level_;
  std::vector<LogField> bound_;
};

// True when a field key names something that must never be logged.
[[nodiscard]] bool IsSensitiveKey(std::string_view key);

// Appends `s` to `out` as a JSON string literal (with quotes), escaping as RFC 8259 requires.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace asr
