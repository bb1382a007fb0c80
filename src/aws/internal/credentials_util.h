#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "common/clock.h"
#include "common/status.h"

namespace asr::aws::internal {

// Cached credentials are refreshed when less than this remains before they expire.
inline constexpr std::chrono::minutes kRefreshWindow{5};
// When a refresh fails, the old credentials are still handed out if at least this remains.
inline constexpr std::chrono::minutes kMinRemainingOnFailure{1};

// Caches temporary credentials and refreshes them through a fetch function. Long-term
// credentials (no expiration) are fetched once. The lock is held while fetching, so concurrent
// callers wait for one refresh instead of starting their own. Thread-safe.
class RefreshingCredentials final {
 public:
  using Fetch = std::function<Result<Credentials>()>;
  explicit RefreshingCredentials(const Clock& clock) : clock_(clock) {}

  // The cached credentials while more than kRefreshWindow remains; otherwise fetches. If the
  // fetch fails and the cached ones still have more than kMinRemainingOnFailure, returns them.
  Result<Credentials> Get(const Fetch& fetch);

 private:
  const Clock& clock_;
  std::mutex mu_;
  std::optional<Credentials> cached_;  // guarded by mu_
};

// Names of the fields of a credentials JSON document, which vary between sources.
struct CredentialsJsonFields {
  std::string_view session_token = "Token";  // "SessionToken" for credential_process
  // When set, the document must have a numeric "Version" of this value.
  std::optional<int> version;
  // When non-empty, a "Code" field, if present, must have this value (IMDS says "Success").
  std::string_view success_code;
};

// Parses {"AccessKeyId", "SecretAccessKey", <session token>, "Expiration"} (extra fields are
// ignored). AccessKeyId and SecretAccessKey are required; Expiration is ISO 8601 when present.
// InvalidArgument naming `what` and the missing/bad field; the document is never quoted.
[[nodiscard]] Result<Credentials> ParseCredentialsJson(std::string_view json,
                                                       const CredentialsJsonFields& fields,
                                                       std::string_view what);

// Reads a whole file. NotFound when it doesn't exist, FailedPrecondition when it can't be read.
[[nodiscard]] Result<std::string> ReadFileToString(const std::string& path);

// "~/x" -> "$HOME/x" (unchanged when HOME is unset or the path doesn't start with "~/").
[[nodiscard]] std::string ExpandHome(const std::string& path, const EnvLookup& env);

// The parts of an absolute http(s) URL.
struct ParsedUrl {
  std::string scheme;    // lower-case "http" or "https"
  std::string host;      // as written, with port and IPv6 brackets: "[fd00:ec2::23]:80"
  std::string hostname;  // without port or brackets: "fd00:ec2::23"
  std::string path = "/";
  std::string query;
};
// InvalidArgument (naming `what`, without quoting the URL's query) for anything else.
[[nodiscard]] Result<ParsedUrl> ParseHttpUrl(std::string_view url, std::string_view what);

// True for values "true" in any case (AWS_EC2_METADATA_DISABLED and friends).
[[nodiscard]] bool IsTrue(const std::optional<std::string>& value);

}  // namespace asr::aws::internal
