#pragma once

#include <string_view>

#include "common/status.h"
#include "report/metrics.h"

namespace asr::intake {

// Metric families of the SQS poller and the Security Hub sweep (in addition to
// report::kIntakeEventsTotal, which the engine counts for every Submit with source "sqs" or
// "sweep"). Label names are listed with each.
inline constexpr std::string_view kSqsMessagesTotal =
    "asr_sqs_messages_total";  // result: accepted|duplicate|poison|error
inline constexpr std::string_view kSqsDeletesTotal = "asr_sqs_deletes_total";  // result: ok|error
inline constexpr std::string_view kSqsReceiveErrorsTotal = "asr_sqs_receive_errors_total";
inline constexpr std::string_view kSweepFindingsTotal =
    "asr_sweep_findings_total";  // result: submitted|duplicate|filtered|error
inline constexpr std::string_view kSweepsTotal =
    "asr_sweeps_total";  // result: ok|capped|stopped|error
inline constexpr std::string_view kSweepLastSuccessSeconds =
    "asr_sweep_last_success_timestamp_seconds";  // gauge, Unix time of the last finished sweep

// Registers the families above. Call once per registry (after report::NewAsrMetrics); a second
// call returns InvalidArgument ("already registered") and changes nothing that was registered.
// Until it is called, updates by the poller and the sweep are counted as misuse by the registry
// (asr_metrics_misuse_total) and otherwise dropped.
Status RegisterIntakeMetrics(report::MetricsRegistry& registry);

}  // namespace asr::intake
