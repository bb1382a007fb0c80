#include "report/log_stream.h"

#include <nlohmann/json.hpp>
#include <ostream>

#include "common/strings.h"

namespace asr::report {

std::string LogStreamName(std::string_view standard, std::string_view control,
                          std::chrono::system_clock::time_point when) {
  std::string name = standard.empty() ? std::string("ASR") : std::string(standard);
  if (!control.empty()) {
    name += '-';
    name += control;
  }
  return AsciiUpper(name) + "-" + FormatDate(when);
}

FindingLogWriter::FindingLogWriter(std::ostream& out, const Clock& clock)
    : out_(out), clock_(clock) {}

void FindingLogWriter::Write(const FindingLogEntry& entry) {
  nlohmann::ordered_json line = nlohmann::ordered_json::object();
  line["time"] = FormatRfc3339Millis(clock_.Now());
  line["stream"] = entry.stream;
  line["level"] = entry.level == FindingLogLevel::kError ? "ERROR" : "INFO";
  line["message"] = entry.message;
  line["job_id"] = entry.job_id;
  for (const LogField& field : entry.fields) {
    if (line.contains(field.key) || field.key == "details") {
      continue;
    }
    line[field.key] = IsSensitiveKey(field.key) ? std::string("[REDACTED]") : field.value;
  }
  if (!entry.details.empty()) {
    line["details"] = entry.details;
  }
  // nlohmann throws on invalid UTF-8 unless told to replace; replacing keeps every line valid.
  const std::string text =
      line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  const std::lock_guard lock(mu_);
  out_ << text << '\n';
  out_.flush();
}

}  // namespace asr::report
