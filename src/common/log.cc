#include "common/log.h"

#include <array>
#include <cstdio>
#include <ostream>

#include "common/strings.h"

namespace asr {

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

StreamLogSink::StreamLogSink(std::ostream& out) : out_(out) {}

void StreamLogSink::Write(std::string_view line) {
  const std::lock_guard<std::mutex> lock(mu_);
  out_ << line << '\n';
  out_.flush();
}

void MemoryLogSink::Write(std::string_view line) {
  const std::lock_guard<std::mutex> lock(mu_);
  lines_.emplace_back(line);
}

std::vector<std::string> MemoryLogSink::Lines() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return lines_;
}

Logger::Logger(LogSink& sink, const Clock& clock, LogLevel min_level)
    : sink_(&sink), clock_(&clock), min_level_(min_level) {}

Logger Logger::With(std::initializer_list<LogField> fields) const {
  Logger child = *this;
  child.bound_.insert(child.bound_.end(), fields.begin(), fields.end());
  return child;
}

bool IsSensitiveKey(std::string_view key) {
  static constexpr std::array<std::string_view, 9> kMarkers = {
      "authorization", "token",  "secret",     "password", "credential",
      "signature",     "apikey", "access_key", "accesskey"};
  const std::string lower = AsciiLower(key);
  for (const std::string_view marker : kMarkers) {
    if (lower.find(marker) != std::string::npos) {
      return true;
    }
  }
  return false;
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          std::array<char, 8> buf{};
          std::snprintf(buf.data(), buf.size(), "\\u%04x", static_cast<unsigned>(c));
          out += buf.data();
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

namespace {

void AppendField(std::string& line, const LogField& field) {
  line += ',';
  AppendJsonString(line, field.key);
  line += ':';
  AppendJsonString(line, IsSensitiveKey(field.key) ? std::string_view("[REDACTED]")
                                                   : std::string_view(field.value));
}

}  // namespace

void Logger::Log(LogLevel level, std::string_view msg,
                 std::initializer_list<LogField> fields) const {
  if (!Enabled(level)) {
    return;
  }
  std::string line = "{\"ts\":";
  AppendJsonString(line, FormatRfc3339Millis(clock_->Now()));
  line += ",\"level\":";
  AppendJsonString(line, LogLevelName(level));
  line += ",\"msg\":";
  AppendJsonString(line, msg);
  for (const LogField& field : bound_) {
    AppendField(line, field);
  }
  for (const LogField& field : fields) {
    AppendField(line, field);
  }
  line += '}';
  sink_->Write(line);
}

}  // namespace asr
