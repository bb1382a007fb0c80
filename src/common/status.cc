#include "common/status.h"

namespace asr {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case StatusCode::kThrottled:
      return "THROTTLED";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case StatusCode::kConflict:
      return "CONFLICT";
    case StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case StatusCode::kInternal:
      return "INTERNAL";
  }
  return "UNKNOWN";
}

Status::Status(StatusCode code, std::string message) : code_(code) {
  if (code_ != StatusCode::kOk) {
    message_ = std::move(message);
  }
}

Status Status::WithRetryable(Retryable retryable) const {
  Status copy = *this;
  if (!copy.ok()) {
    copy.retryable_ = retryable;
  }
  return copy;
}

Status Status::WithAwsError(std::string aws_error_code, std::string request_id) const {
  Status copy = *this;
  if (!copy.ok()) {
    copy.aws_error_code_ = std::move(aws_error_code);
    copy.request_id_ = std::move(request_id);
  }
  return copy;
}

Status Status::Annotate(std::string_view context) const {
  if (ok() || context.empty()) {
    return *this;
  }
  Status copy = *this;
  copy.message_ = std::string(context) + ": " + message_;
  return copy;
}

std::string Status::ToString() const {
  if (ok()) {
    return "OK";
  }
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  if (!aws_error_code_.empty() || !request_id_.empty()) {
    out += " [aws=" + aws_error_code_;
    if (!request_id_.empty()) {
      out += " request_id=" + request_id_;
    }
    out += "]";
  }
  return out;
}

Status InvalidArgumentError(std::string message) {
  return {StatusCode::kInvalidArgument, std::move(message)};
}
Status NotFoundError(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
Status PermissionDeniedError(std::string message) {
  return {StatusCode::kPermissionDenied, std::move(message)};
}
Status ThrottledError(std::string message) {
  return Status(StatusCode::kThrottled, std::move(message)).WithRetryable(Retryable::kYes);
}
Status UnavailableError(std::string message) {
  return Status(StatusCode::kUnavailable, std::move(message)).WithRetryable(Retryable::kYes);
}
Status ConflictError(std::string message) { return {StatusCode::kConflict, std::move(message)}; }
Status FailedPreconditionError(std::string message) {
  return {StatusCode::kFailedPrecondition, std::move(message)};
}
Status InternalError(std::string message) { return {StatusCode::kInternal, std::move(message)}; }

}  // namespace asr
