#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace asr {

// Error categories. Every expected failure in asr maps to one of these (STYLE.md "Errors").
enum class StatusCode {
  kOk,
  kInvalidArgument,
  kNotFound,
  kPermissionDenied,
  kThrottled,
  kUnavailable,
  kConflict,
  kFailedPrecondition,
  kInternal,
};

// Returns the canonical upper-snake name of a code, e.g. "INVALID_ARGUMENT".
std::string_view StatusCodeName(StatusCode code);

enum class Retryable { kNo, kYes };

// The outcome of an operation: OK, or a code with a human-readable message. An error may carry
// the AWS error code and request id of the call that produced it and whether retrying can help.
// Value type; cheap to move. Thread-compatible.
class [[nodiscard]] Status final {
 public:
  // OK.
  Status() = default;
  // An error (or OK when `code` is kOk, in which case the message is dropped).
  Status(StatusCode code, std::string message);

  static Status Ok() { return {}; }

  [[nodiscard]] bool ok() const { return code_ == StatusCode::kOk; }
  [[nodiscard]] StatusCode code() const { return code_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  [[nodiscard]] bool retryable() const { return retryable_ == Retryable::kYes; }
  [[nodiscard]] const std::string& aws_error_code() const { return aws_error_code_; }
  [[nodiscard]] const std::string& request_id() const { return request_id_; }

  // Builders that return a modified copy.
  [[nodiscard]] Status WithRetryable(Retryable retryable) const;
  [[nodiscard]] Status WithAwsError(std::string aws_error_code, std::string request_id) const;
  // Prefixes context: Annotate("apply X") on "AccessDenied" gives "apply X: AccessDenied".
  // OK stays OK.
  [[nodiscard]] Status Annotate(std::string_view context) const;

  // "INVALID_ARGUMENT: message [aws=Code request_id=...]" or "OK".
  [[nodiscard]] std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  Retryable retryable_ = Retryable::kNo;
  std::string aws_error_code_;
  std::string request_id_;
};

// Shorthands for building errors. Throttled and Unavailable are retryable by default.
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status PermissionDeniedError(std::string message);
Status ThrottledError(std::string message);
Status UnavailableError(std::string message);
Status ConflictError(std::string message);
Status FailedPreconditionError(std::string message);
Status InternalError(std::string message);

// A value or an error. Holding an OK status without a value is a programming error and is
// turned into an Internal error so that callers never see "OK but empty".
template <typename T>
class [[nodiscard]] Result final {
 public:
  // NOLINTNEXTLINE(google-explicit-constructor): implicit by design, like absl::StatusOr.
  Result(T value) : rep_(std::in_place_index<1>, std::move(value)) {}
  // NOLINTNEXTLINE(google-explicit-constructor)
  Result(Status status) : rep_(std::in_place_index<0>, std::move(status)) {
    if (std::get<0>(rep_).ok()) {
      rep_.template emplace<0>(StatusCode::kInternal, "Result constructed from an OK status");
    }
  }

  [[nodiscard]] bool ok() const { return rep_.index() == 1; }
  // The error, or OK when a value is held.
  [[nodiscard]] Status status() const { return ok() ? Status() : std::get<0>(rep_); }

  // Precondition: ok().
  T& value() & { return std::get<1>(rep_); }
  const T& value() const& { return std::get<1>(rep_); }
  T&& value() && { return std::get<1>(std::move(rep_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> rep_;
};

}  // namespace asr

#define ASR_INTERNAL_CONCAT_INNER_(a, b) a##b
#define ASR_INTERNAL_CONCAT_(a, b) ASR_INTERNAL_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define ASR_RETURN_IF_ERROR(expr)                                \
  do {                                                           \
    ::asr::Status asr_internal_status_ = (expr);                 \
    if (!asr_internal_status_.ok()) return asr_internal_status_; \
  } while (false)

#define ASR_INTERNAL_ASSIGN_OR_RETURN_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()

// `ASR_ASSIGN_OR_RETURN(auto x, F());` assigns the value of a Result or returns its error.
#define ASR_ASSIGN_OR_RETURN(lhs, expr) \
  ASR_INTERNAL_ASSIGN_OR_RETURN_(ASR_INTERNAL_CONCAT_(asr_internal_result_, __LINE__), lhs, expr)
