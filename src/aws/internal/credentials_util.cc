#include "aws/internal/credentials_util.h"

#include <cerrno>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>
#include <utility>

#include "aws/internal/iso8601.h"
#include "common/strings.h"

namespace asr::aws::internal {

Result<Credentials> RefreshingCredentials::Get(const Fetch& fetch) {
  const std::lock_guard<std::mutex> lock(mu_);
  const auto now = clock_.Now();
  if (cached_.has_value() &&
      (!cached_->expiration.has_value() || *cached_->expiration - now > kRefreshWindow)) {
    return *cached_;
  }
  Result<Credentials> fresh = fetch();
  if (fresh.ok()) {
    cached_ = *fresh;
    return fresh;
  }
  if (cached_.has_value() && cached_->expiration.has_value() &&
      *cached_->expiration - now > kMinRemainingOnFailure) {
    // Degraded but handled: the next call tries again.
    return *cached_;
  }
  return fresh;
}

Result<Credentials> ParseCredentialsJson(std::string_view json, const CredentialsJsonFields& fields,
                                         std::string_view what) {
  const std::string prefix(what);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json);
  } catch (const nlohmann::json::exception&) {
    // The exception text can quote the input, which holds secrets: don't pass it on.
    return InvalidArgumentError(prefix + ": response is not valid JSON");
  }
  if (!doc.is_object()) {
    return InvalidArgumentError(prefix + ": response is not a JSON object");
  }
  const auto string_field = [&doc](std::string_view name) -> std::optional<std::string> {
    const auto it = doc.find(name);
    if (it == doc.end() || !it->is_string()) {
      return std::nullopt;
    }
    return it->get<std::string>();
  };
  if (fields.version.has_value()) {
    const auto it = doc.find("Version");
    if (it == doc.end() || !it->is_number_integer() || it->get<int64_t>() != *fields.version) {
      return InvalidArgumentError(
          prefix + ": response needs \"Version\": " + std::to_string(*fields.version));
    }
  }
  if (!fields.success_code.empty()) {
    const auto it = doc.find("Code");
    if (it != doc.end() && (!it->is_string() || it->get<std::string>() != fields.success_code)) {
      return UnavailableError(prefix + ": response \"Code\" is not " + Quote(fields.success_code));
    }
  }
  Credentials creds;
  const std::optional<std::string> key = string_field("AccessKeyId");
  const std::optional<std::string> secret = string_field("SecretAccessKey");
  if (!key.has_value() || key->empty()) {
    return InvalidArgumentError(prefix + ": response has no string field \"AccessKeyId\"");
  }
  if (!secret.has_value() || secret->empty()) {
    return InvalidArgumentError(prefix + ": response has no string field \"SecretAccessKey\"");
  }
  creds.access_key_id = *key;
  creds.secret_access_key = *secret;
  creds.session_token = string_field(fields.session_token).value_or("");
  if (const auto it = doc.find("Expiration"); it != doc.end() && !it->is_null()) {
    if (!it->is_string()) {
      return InvalidArgumentError(prefix + ": field \"Expiration\" is not a string");
    }
    auto expiration = ParseIso8601(it->get<std::string>());
    if (!expiration.ok()) {
      return expiration.status().Annotate(prefix + ": field \"Expiration\"");
    }
    creds.expiration = *expiration;
  }
  creds.source = prefix;
  return creds;
}

Result<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return NotFoundError(path + " does not exist");
    }
    return FailedPreconditionError("cannot read " + path + ": " +
                                   std::error_code(err, std::generic_category()).message());
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    return FailedPreconditionError("cannot read " + path);
  }
  return std::move(contents).str();
}

std::string ExpandHome(const std::string& path, const EnvLookup& env) {
  if (!path.starts_with("~/")) {
    return path;
  }
  const std::optional<std::string> home = env("HOME");
  if (!home.has_value() || home->empty()) {
    return path;
  }
  return *home + path.substr(1);
}

Result<ParsedUrl> ParseHttpUrl(std::string_view url, std::string_view what) {
  ParsedUrl parsed;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return InvalidArgumentError(std::string(what) + ": not an absolute http(s) URL");
  }
  parsed.scheme = AsciiLower(url.substr(0, scheme_end));
  if (parsed.scheme != "http" && parsed.scheme != "https") {
    return InvalidArgumentError(std::string(what) + ": scheme " + Quote(parsed.scheme) +
                                " is not http or https");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const size_t host_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, host_end);
  rest = host_end == std::string_view::npos ? "" : rest.substr(host_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return InvalidArgumentError(std::string(what) + ": URL has no host (or has user info)");
  }
  parsed.host = std::string(authority);
  if (authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return InvalidArgumentError(std::string(what) + ": unterminated IPv6 address");
    }
    parsed.hostname = std::string(authority.substr(1, close - 1));
  } else {
    parsed.hostname = std::string(authority.substr(0, authority.find(':')));
  }
  parsed.hostname = AsciiLower(parsed.hostname);
  const size_t fragment = rest.find('#');
  rest = rest.substr(0, fragment);
  const size_t question = rest.find('?');
  const std::string_view path = rest.substr(0, question);
  parsed.path = path.empty() ? "/" : std::string(path);
  if (question != std::string_view::npos) {
    parsed.query = std::string(rest.substr(question + 1));
  }
  return parsed;
}

bool IsTrue(const std::optional<std::string>& value) {
  return value.has_value() && EqualsIgnoreCase(TrimAscii(*value), "true");
}

}  // namespace asr::aws::internal
