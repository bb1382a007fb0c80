#include "report/metrics.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <iterator>
#include <utility>

namespace asr::report {
namespace {

constexpr std::string_view kMisuseName = "asr_metrics_misuse_total";

bool IsMetricName(std::string_view s) {
  if (s.empty() || s.starts_with("__")) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) {
      return false;
    }
  }
  return true;
}

bool IsLabelName(std::string_view s) {
  return IsMetricName(s) && s.find(':') == std::string_view::npos;
}

std::string FormatNumber(double v) {
  if (std::isnan(v)) {
    return "NaN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  std::array<char, 64> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  if (ec != std::errc()) {
    return "NaN";
  }
  return {buf.data(), end};
}

void AppendEscaped(std::string& out, std::string_view s, bool quote) {
  for (const char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// `{a="x",b="y"}` (with `extra` appended as the last label, for le), or "" without labels.
std::string LabelText(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) {
    return "";
  }
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += names[i];
    out += "=\"";
    AppendEscaped(out, values[i], true);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) {
      out += ',';
    }
    out += extra_name;
    out += "=\"";
    AppendEscaped(out, extra_value, true);
    out += '"';
  }
  out += '}';
  return out;
}

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

Status MetricsRegistry::RegisterCounter(std::string_view name, std::string_view help,
                                        std::vector<std::string> label_names) {
  return Register(name, help, MetricType::kCounter, std::move(label_names), {});
}

Status MetricsRegistry::RegisterGauge(std::string_view name, std::string_view help,
                                      std::vector<std::string> label_names) {
  return Register(name, help, MetricType::kGauge, std::move(label_names), {});
}

Status MetricsRegistry::RegisterHistogram(std::string_view name, std::string_view help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> buckets) {
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (!std::isfinite(buckets[i]) || (i > 0 && buckets[i] <= buckets[i - 1])) {
      return InvalidArgumentError("metric " + std::string(name) +
                                  ": buckets must be finite and strictly increasing");
    }
  }
  for (const std::string& label : label_names) {
    if (label == "le") {
      return InvalidArgumentError("metric " + std::string(name) +
                                  ": a histogram cannot have a label named \"le\"");
    }
  }
  return Register(name, help, MetricType::kHistogram, std::move(label_names), std::move(buckets));
}

Status MetricsRegistry::Register(std::string_view name, std::string_view help, MetricType type,
                                 std::vector<std::string> label_names,
                                 std::vector<double> buckets) {
  if (!IsMetricName(name) || name == kMisuseName) {
    return InvalidArgumentError("metric name \"" + std::string(name) +
                                "\" is not a valid Prometheus name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
  }
  for (const std::string& label : label_names) {
    if (!IsLabelName(label)) {
      return InvalidArgumentError("metric " + std::string(name) + ": label name \"" + label +
                                  R"(" is not valid ([a-zA-Z_][a-zA-Z0-9_]*, no "__" prefix))");
    }
  }
  const std::lock_guard lock(mu_);
  for (const auto& f : families_) {
    if (f->name == name) {
      return InvalidArgumentError("metric " + std::string(name) + " is already registered");
    }
  }
  auto family = std::make_unique<Family>();
  family->name = std::string(name);
  family->help = std::string(help);
  family->type = type;
  family->label_names = std::move(label_names);
  family->buckets = std::move(buckets);
  families_.push_back(std::move(family));
  return Status::Ok();
}

MetricsRegistry::Slot MetricsRegistry::Find(std::string_view name, MetricType type,
                                            std::initializer_list<std::string_view> label_values) {
  for (const auto& f : families_) {
    if (f->name != name) {
      continue;
    }
    if (f->type != type || f->label_names.size() != label_values.size()) {
      break;
    }
    std::vector<std::string> key(label_values.begin(), label_values.end());
    auto [it, inserted] = f->series.try_emplace(std::move(key));
    if (inserted && type == MetricType::kHistogram) {
      it->second.counts.assign(f->buckets.size() + 1, 0);
    }
    return {.family = f.get(), .series = &it->second};
  }
  misuse_ += 1;
  return {};
}

void MetricsRegistry::Increment(std::string_view name,
                                std::initializer_list<std::string_view> label_values, double by) {
  const std::lock_guard lock(mu_);
  if (!(by >= 0)) {
    misuse_ += 1;
    return;
  }
  if (Series* s = Find(name, MetricType::kCounter, label_values).series; s != nullptr) {
    s->value += by;
  }
}

void MetricsRegistry::Set(std::string_view name,
                          std::initializer_list<std::string_view> label_values, double value) {
  const std::lock_guard lock(mu_);
  if (Series* s = Find(name, MetricType::kGauge, label_values).series; s != nullptr) {
    s->value = value;
  }
}

void MetricsRegistry::Add(std::string_view name,
                          std::initializer_list<std::string_view> label_values, double by) {
  const std::lock_guard lock(mu_);
  if (Series* s = Find(name, MetricType::kGauge, label_values).series; s != nullptr) {
    s->value += by;
  }
}

void MetricsRegistry::Observe(std::string_view name,
                              std::initializer_list<std::string_view> label_values, double value) {
  const std::lock_guard lock(mu_);
  if (std::isnan(value)) {
    misuse_ += 1;
    return;
  }
  const Slot slot = Find(name, MetricType::kHistogram, label_values);
  if (slot.series == nullptr) {
    return;
  }
  Series* s = slot.series;
  const Family* family = slot.family;
  // The first bucket whose upper bound holds the value (le is inclusive); the last slot is +Inf.
  const auto it = std::lower_bound(family->buckets.begin(), family->buckets.end(), value);
  s->counts[static_cast<size_t>(std::distance(family->buckets.begin(), it))] += 1;
  s->sum += value;
  s->count += 1;
}

double MetricsRegistry::Value(std::string_view name,
                              std::initializer_list<std::string_view> label_values) const {
  const std::lock_guard lock(mu_);
  const std::vector<std::string> key(label_values.begin(), label_values.end());
  for (const auto& f : families_) {
    if (f->name != name) {
      continue;
    }
    const auto it = f->series.find(key);
    if (it == f->series.end()) {
      return 0;
    }
    return f->type == MetricType::kHistogram ? static_cast<double>(it->second.count)
                                             : it->second.value;
  }
  return name == kMisuseName ? misuse_ : 0;
}

std::string MetricsRegistry::Render() const {
  const std::lock_guard lock(mu_);
  std::string out;
  const auto header = [&out](std::string_view name, std::string_view help, MetricType type) {
    out += "# HELP ";
    out += name;
    out += ' ';
    AppendEscaped(out, help, false);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += TypeName(type);
    out += '\n';
  };
  for (const auto& f : families_) {
    header(f->name, f->help, f->type);
    for (const auto& [values, s] : f->series) {
      if (f->type != MetricType::kHistogram) {
        out += f->name + LabelText(f->label_names, values) + ' ' + FormatNumber(s.value) + '\n';
        continue;
      }
      uint64_t cumulative = 0;
      for (size_t i = 0; i <= f->buckets.size(); ++i) {
        cumulative += s.counts[i];
        const std::string le = i < f->buckets.size() ? FormatNumber(f->buckets[i]) : "+Inf";
        out += f->name + "_bucket" + LabelText(f->label_names, values, "le", le) + ' ' +
               std::to_string(cumulative) + '\n';
      }
      const std::string labels = LabelText(f->label_names, values);
      out += f->name + "_sum" + labels + ' ' + FormatNumber(s.sum) + '\n';
      out += f->name + "_count" + labels + ' ' + std::to_string(s.count) + '\n';
    }
  }
  if (misuse_ > 0) {
    header(kMisuseName, "Metric updates dropped because they named no registered series.",
           MetricType::kCounter);
    out += std::string(kMisuseName) + ' ' + FormatNumber(misuse_) + '\n';
  }
  return out;
}

Status RegisterAsrMetrics(MetricsRegistry& registry) {
  ASR_RETURN_IF_ERROR(registry.RegisterCounter(kRemediationOutcomesTotal,
                                               "Remediation outcomes by control and final state.",
                                               {"control", "status"}));
  ASR_RETURN_IF_ERROR(registry.RegisterCounter(kAssumeRoleFailuresTotal,
                                               "Failures to assume the member account role.", {}));
  ASR_RETURN_IF_ERROR(registry.RegisterCounter(
      kNoRunbookTotal, "Findings whose control has no remediation (NO_RUNBOOK).", {}));
  ASR_RETURN_IF_ERROR(registry.RegisterCounter(kJobsStartedTotal, "Remediation jobs started.", {}));
  ASR_RETURN_IF_ERROR(
      registry.RegisterGauge(kQueueDepth, "Jobs admitted and not yet finished.", {}));
  ASR_RETURN_IF_ERROR(registry.RegisterHistogram(
      kFindingToOutcomeSeconds, "Seconds from receiving a finding to its job's outcome.",
      {"control"},
      std::vector<double>(std::begin(kOutcomeSecondsBuckets), std::end(kOutcomeSecondsBuckets))));
  ASR_RETURN_IF_ERROR(registry.RegisterCounter(
      kIntakeEventsTotal, "Intake events by source and result.", {"source", "result"}));
  return registry.RegisterCounter(
      kOutboxDeliveriesTotal, "Outbox delivery attempts by kind and result.", {"kind", "result"});
}

std::unique_ptr<MetricsRegistry> NewAsrMetrics() {
  auto registry = std::make_unique<MetricsRegistry>();
  // The families above are valid by construction; metrics_test checks that this succeeds.
  const Status ignored = RegisterAsrMetrics(*registry);
  static_cast<void>(ignored);
  return registry;
}

}  // namespace asr::report
