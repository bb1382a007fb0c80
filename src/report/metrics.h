#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace asr::report {

// Metric names asr exports (GET /metrics). Label names are listed with each.
inline constexpr std::string_view kRemediationOutcomesTotal =
    "asr_remediation_outcomes_total";  // control, status
inline constexpr std::string_view kAssumeRoleFailuresTotal = "asr_assume_role_failures_total";
inline constexpr std::string_view kNoRunbookTotal = "asr_no_runbook_total";
inline constexpr std::string_view kJobsStartedTotal = "asr_jobs_started_total";
inline constexpr std::string_view kQueueDepth = "asr_queue_depth";  // gauge
inline constexpr std::string_view kFindingToOutcomeSeconds =
    "asr_finding_to_outcome_seconds";                                              // control
inline constexpr std::string_view kIntakeEventsTotal = "asr_intake_events_total";  // source, result
inline constexpr std::string_view kOutboxDeliveriesTotal =
    "asr_outbox_deliveries_total";  // kind, result

// Buckets of kFindingToOutcomeSeconds, in seconds (from "queued a moment ago" to a day).
inline constexpr std::array<double, 12> kOutcomeSecondsBuckets = {
    1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400};

enum class MetricType { kCounter, kGauge, kHistogram };

// A small Prometheus registry: counters, gauges and histograms (fixed buckets), each a family
// with a fixed list of label names and one series per distinct list of label values.
// Render() writes the text exposition format 0.0.4.
//
// Updates never fail the caller: an update naming an unregistered family, a family of another
// type, or the wrong number of label values is dropped and counted in the counter
// "asr_metrics_misuse_total" (rendered once it is non-zero), so a typo is visible on /metrics.
// Thread-safe (one mutex).
class MetricsRegistry final {
 public:
  // Adds a family. InvalidArgument when the name or a label name is not a valid Prometheus name
  // ([a-zA-Z_:][a-zA-Z0-9_:]* for metrics, [a-zA-Z_][a-zA-Z0-9_]* for labels, no "__" prefix, no
  // "le" on histograms), when buckets are not strictly increasing finite numbers, or when the
  // name is already registered.
  Status RegisterCounter(std::string_view name, std::string_view help,
                         std::vector<std::string> label_names);
  Status RegisterGauge(std::string_view name, std::string_view help,
                       std::vector<std::string> label_names);
  Status RegisterHistogram(std::string_view name, std::string_view help,
                           std::vector<std::string> label_names, std::vector<double> buckets);

  // Adds `by` (negative values are dropped as misuse) to a counter.
  void Increment(std::string_view name, std::initializer_list<std::string_view> label_values,
                 double by = 1);
  // Sets / adds to a gauge.
  void Set(std::string_view name, std::initializer_list<std::string_view> label_values,
           double value);
  void Add(std::string_view name, std::initializer_list<std::string_view> label_values, double by);
  // Records one observation in a histogram.
  void Observe(std::string_view name, std::initializer_list<std::string_view> label_values,
               double value);

  // The current value of a counter or gauge series, or a histogram series' count; 0 when the
  // series does not exist. For tests and health summaries.
  [[nodiscard]] double Value(std::string_view name,
                             std::initializer_list<std::string_view> label_values) const;

  // Families in registration order, series sorted by label values: "# HELP", "# TYPE", then
  // `name{l="v"} value` lines (histograms: cumulative _bucket{le=...} including le="+Inf",
  // _sum, _count). Label values escape '\\', '"' and newline; HELP escapes '\\' and newline.
  [[nodiscard]] std::string Render() const;

 private:
  struct Series {
    double value = 0;              // counter / gauge
    std::vector<uint64_t> counts;  // histogram: per bucket (not cumulative), then +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  struct Family {
    std::string name;
    std::string help;
    MetricType type = MetricType::kCounter;
    std::vector<std::string> label_names;
    std::vector<double> buckets;
    std::map<std::vector<std::string>, Series> series;
  };

  Status Register(std::string_view name, std::string_view help, MetricType type,
                  std::vector<std::string> label_names, std::vector<double> buckets);
  struct Slot {
    const Family* family = nullptr;
    Series* series = nullptr;  // nullptr when the update is misuse (then counted)
  };
  // The series to update, created on first use. Requires mu_ held.
  Slot Find(std::string_view name, MetricType type,
            std::initializer_list<std::string_view> label_values);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;
  double misuse_ = 0;
};

// Registers the asr families above with their help texts and labels.
Status RegisterAsrMetrics(MetricsRegistry& registry);

// A registry with the asr families registered.
std::unique_ptr<MetricsRegistry> NewAsrMetrics();

}  // namespace asr::report
