#pragma once

// Pure building blocks of the SigV4 canonical request (aws/sigv4.cc), exposed for unit tests.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/http.h"
#include "aws/sigv4.h"

namespace asr::aws {

// "YYYYMMDDTHHMMSSZ" (X-Amz-Date) of `time` in UTC, truncated to whole seconds.
[[nodiscard]] std::string FormatAmzDate(std::chrono::system_clock::time_point time);

// RFC 3986 §5.2.4 dot-segment removal that also collapses empty segments ("//"), as AWS services
// expect and botocore's remove_dot_segments does. "" stays "".
[[nodiscard]] std::string RemoveDotSegments(std::string_view path);

// The canonical URI of an (encoded) request path. kNormalize: dot segments and empty segments
// removed, then percent-encoded once more (so "%20" becomes "%2520", as botocore and the AWS
// services do). kS3 and kAsSent: the path as sent. An empty path is "/".
[[nodiscard]] std::string CanonicalUri(std::string_view path, PathStyle style);

// The canonical query string of `query` (as sent, without '?') plus `extra` parameters that
// are already encoded: pairs split on '&' and the first '=', each key and value brought to the
// RFC 3986 encoding (decode, then encode everything but unreserved characters), sorted by key
// then value, joined as "k=v&k=v". Empty pieces ("a=1&&b=2") are dropped.
[[nodiscard]] std::string CanonicalQueryString(
    std::string_view query, const std::vector<std::pair<std::string, std::string>>& extra);

// A header value as SigV4 signs it: leading and trailing whitespace removed and every run of
// inner whitespace replaced by one space (the spec's Trimall).
[[nodiscard]] std::string TrimAll(std::string_view value);

// The host header value derived from a request's scheme and host: lower-case, without the
// scheme's default port (":443" for https, ":80" for http).
[[nodiscard]] std::string HostHeaderValue(std::string_view scheme, std::string_view host);

// True for headers that are never signed: hop-by-hop headers and those proxies or the transport
// may rewrite (botocore's SIGNED_HEADERS_BLACKLIST), plus Authorization itself. `lower_name` is
// lower-case.
[[nodiscard]] bool IsUnsignableHeader(std::string_view lower_name);

}  // namespace asr::aws
