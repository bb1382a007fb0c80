#include "remediation/context.h"

#include <algorithm>
#include <array>
#include <utility>

namespace asr::remediation {

using nlohmann::json;

std::string_view PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kResolve:
      return "resolve";
    case Phase::kPlan:
      return "plan";
    case Phase::kApply:
      return "apply";
    case Phase::kVerify:
      return "verify";
    case Phase::kUndo:
      return "undo";
  }
  return "unknown";
}

bool IsMutatingOperation(std::string_view operation) {
  constexpr std::array<std::string_view, 6> kReadPrefixes = {"Get",  "List",   "Describe",
                                                             "Head", "Lookup", "Search"};
  return std::none_of(kReadPrefixes.begin(), kReadPrefixes.end(),
                      [&](std::string_view p) { return operation.starts_with(p); });
}

std::vector<std::string> IamActionsFor(std::string_view service, std::string_view operation) {
  // Operations whose IAM action is not "<prefix>:<Operation>" (the Service Authorization
  // Reference lists them under a different name).
  struct Exception {
    std::string_view service;
    std::string_view operation;
    std::string_view action;
  };
  static constexpr std::array<Exception, 12> kExceptions = {{
      {"s3", "GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"},
      {"s3", "PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock"},
      {"s3", "DeletePublicAccessBlock", "s3:PutBucketPublicAccessBlock"},
      {"s3", "GetBucketEncryption", "s3:GetEncryptionConfiguration"},
      {"s3", "PutBucketEncryption", "s3:PutEncryptionConfiguration"},
      {"s3", "DeleteBucketEncryption", "s3:PutEncryptionConfiguration"},
      {"s3", "HeadBucket", "s3:ListBucket"},
      {"s3", "GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration"},
      {"s3", "PutBucketLifecycleConfiguration", "s3:PutLifecycleConfiguration"},
      {"s3control", "GetPublicAccessBlock", "s3:GetAccountPublicAccessBlock"},
      {"s3control", "PutPublicAccessBlock", "s3:PutAccountPublicAccessBlock"},
      {"s3control", "DeletePublicAccessBlock", "s3:PutAccountPublicAccessBlock"},
  }};
  for (const Exception& e : kExceptions) {
    if (e.service == service && e.operation == operation) {
      return {std::string(e.action)};
    }
  }
  std::string_view prefix = service;
  if (service == "s3control") {
    prefix = "s3";
  } else if (service == "elbv2" || service == "elb") {
    prefix = "elasticloadbalancing";
  }
  return {std::string(prefix) + ":" + std::string(operation)};
}

json ToJson(const CallRecord& c) {
  json j = {{"phase", c.phase},
            {"service", c.service},
            {"operation", c.operation},
            {"region", c.region},
            {"mutating", c.mutating},
            {"attempts", c.attempts},
            {"http_status", c.http_status},
            {"latency_ms", c.latency_ms}};
  if (!c.request_id.empty()) {
    j["request_id"] = c.request_id;
  }
  if (!c.error.empty()) {
    j["error"] = c.error;
  }
  if (!c.aws_error.empty()) {
    j["aws_error"] = c.aws_error;
  }
  return j;
}

void CallRecorder::OnCall(const aws::CallEvent& e) {
  CallRecord r{.phase = phase_,
               .service = std::string(e.service),
               .operation = std::string(e.operation),
               .region = std::string(e.region),
               .mutating = IsMutatingOperation(e.operation),
               .attempts = e.attempts,
               .http_status = e.http_status,
               .request_id = e.request_id,
               .latency_ms = e.latency.count()};
  if (!e.status.ok()) {
    r.error = std::string(StatusCodeName(e.status.code()));
    r.aws_error = e.status.aws_error_code();
  }
  calls_.push_back(std::move(r));
}

Context::Context(aws::Client& client, const RemediationSpec& spec, const Clock& clock,
                 aws::Sleeper& sleeper, const Logger& logger, ContextOptions options)
    : client_(client),
      spec_(spec),
      clock_(clock),
      sleeper_(sleeper),
      logger_(logger),
      options_(std::move(options)) {}

Status Context::Admit(std::string_view service, std::string_view operation) const {
  const std::string name = std::string(service) + "." + std::string(operation);
  for (const std::string& action : IamActionsFor(service, operation)) {
    if (std::find(spec_.permissions.begin(), spec_.permissions.end(), action) ==
        spec_.permissions.end()) {
      return InternalError("remediation " + spec_.id + " called " + name + ", which needs " +
                           action + ", not in its declared permissions");
    }
  }
  if (IsMutatingOperation(operation) && phase_ != Phase::kApply && phase_ != Phase::kUndo) {
    return InternalError("remediation " + spec_.id + " tried the mutating call " + name +
                         " during " + std::string(PhaseName(phase_)) + " (read-only)");
  }
  return Status::Ok();
}

Result<json> Context::Call(std::string_view service, std::string_view operation, const json& params,
                           std::string_view region) {
  ASR_RETURN_IF_ERROR(Admit(service, operation));
  CallRecorder recorder(calls_, PhaseName(phase_));
  return client_.Call(service, operation, params,
                      {.region = region.empty() ? options_.region : std::string(region),
                       .credentials = options_.credentials,
                       .observer = &recorder});
}

Result<json> Context::CallAll(std::string_view service, std::string_view operation,
                              const json& params, std::string_view region) {
  ASR_RETURN_IF_ERROR(Admit(service, operation));
  CallRecorder recorder(calls_, PhaseName(phase_));
  return client_.PaginateAll(service, operation, params,
                             {.region = region.empty() ? options_.region : std::string(region),
                              .credentials = options_.credentials,
                              .observer = &recorder});
}

Status Context::Poll(std::string_view what, std::chrono::milliseconds every,
                     const std::function<Result<bool>()>& check) {
  const auto deadline = clock_.Now() + options_.max_poll;
  while (true) {
    ASR_ASSIGN_OR_RETURN(const bool done, check());
    if (done) {
      return Status::Ok();
    }
    if (clock_.Now() + every > deadline) {
      return FailedPreconditionError("timed out after " +
                                     std::to_string(options_.max_poll.count()) + " s waiting for " +
                                     std::string(what));
    }
    sleeper_.Sleep(every);
  }
}

}  // namespace asr::remediation
