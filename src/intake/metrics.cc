#include "intake/metrics.h"

namespace asr::intake {

Status RegisterIntakeMetrics(report::MetricsRegistry& registry) {
  ASR_RETURN_IF_ERROR(registry.RegisterCounter(
      kSqsMessagesTotal, "SQS messages handled by result (accepted, duplicate, poison, error).",
      {"result"}));
  ASR_RETURN_IF_ERROR(registry.RegisterCounter(
      kSqsDeletesTotal, "SQS message deletions after a committed submit, by result.", {"result"}));
  ASR_RETURN_IF_ERROR(
      registry.RegisterCounter(kSqsReceiveErrorsTotal, "Failed SQS ReceiveMessage calls.", {}));
  ASR_RETURN_IF_ERROR(registry.RegisterCounter(
      kSweepFindingsTotal,
      "Findings read by the Security Hub sweep by result (submitted, duplicate, filtered, error).",
      {"result"}));
  ASR_RETURN_IF_ERROR(registry.RegisterCounter(
      kSweepsTotal, "Security Hub sweeps by result (ok, capped, stopped, error).", {"result"}));
  return registry.RegisterGauge(kSweepLastSuccessSeconds,
                                "Unix time at which the last Security Hub sweep finished.", {});
}

}  // namespace asr::intake
