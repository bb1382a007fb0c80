#pragma once

// Helpers shared by the request serializers (serialize_*.cc). Private to src/aws.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "aws/endpoints.h"
#include "aws/http.h"
#include "aws/model.h"
#include "common/status.h"

namespace asr::aws::internal {

// The wire name of a member, as botocore merges traits: the member's locationName, else the
// target shape's locationName, else `fallback`.
[[nodiscard]] std::string_view WireName(const Member& member, std::string_view fallback);

// The member's timestampFormat, else its shape's, else `protocol_default`.
[[nodiscard]] std::string_view TimestampFormatOf(const Member& member,
                                                 std::string_view protocol_default);

// The member's xmlNamespace URI and prefix, else its shape's URI.
struct XmlNamespace {
  std::string_view uri;
  std::string_view prefix;
};
[[nodiscard]] XmlNamespace XmlNamespaceOf(const Member& member);

// A point in time with microsecond precision (what botocore keeps).
struct Timestamp {
  std::int64_t seconds = 0;  // since the Unix epoch
  std::int64_t micros = 0;   // 0..999999
};

// A timestamp parameter: an ISO 8601 string or a number of seconds since the epoch.
// InvalidArgument otherwise.
Result<Timestamp> ParseTimestampParam(const nlohmann::json& value);

// "2024-01-02T03:04:05Z", with ".ffffffZ" when there are microseconds (botocore's default).
[[nodiscard]] std::string FormatIso8601(const Timestamp& t);
// "Tue, 02 Jan 2024 03:04:05 GMT".
[[nodiscard]] std::string FormatRfc822(const Timestamp& t);

// A timestamp in `format` ("iso8601", "rfc822", "unixTimestamp"; case-insensitive) as text.
Result<std::string> FormatTimestampText(const nlohmann::json& value, std::string_view format);

// A scalar as Python's str() of the value botocore would hold: strings as is, integers in
// decimal, floats in shortest round-trip form, booleans "true"/"false".
[[nodiscard]] std::string ScalarText(const nlohmann::json& value);

// application/x-www-form-urlencoded as Python's urlencode (quote_plus): unreserved characters
// (A-Z a-z 0-9 - _ . ~) kept, ' ' as '+', everything else %XX of its UTF-8 bytes.
[[nodiscard]] std::string FormEncode(std::string_view s);

// Expands Operation::host_prefix ("{AccountId}.") with the input's hostLabel members. Returns ""
// when the operation has none. InvalidArgument when a label value is not [A-Za-z0-9.-]+.
Result<std::string> ExpandHostPrefix(const Operation& op, const nlohmann::json& params);

// Points `request` at `endpoint`: scheme, host (with `host_prefix`, which is only applied to
// endpoints that are not custom: on a custom endpoint such as http://127.0.0.1:5000 the prefix
// would make an unresolvable name), and base path + `path` joined like botocore (a bare "/"
// path on a base path gives the base path alone).
void AimAt(const Endpoint& endpoint, std::string_view host_prefix, std::string_view path,
           HttpRequest& request);

// Adds the checksum headers an operation needs (botocore 1.43 with
// request_checksum_calculation=when_required): when the operation requires a checksum or the
// caller named an algorithm in Operation::request_algorithm_member, x-amz-checksum-<alg> of the
// body (CRC32 by default, also SHA1 and SHA256), plus x-amz-sdk-checksum-algorithm when the
// default was chosen and the operation has an algorithm member. Nothing when a checksum header
// is already set. InvalidArgument for an algorithm asr doesn't implement.
Status AddRequestChecksum(const Operation& op, const nlohmann::json& params, HttpRequest& request);

// The JSON body value of `value` (already validated against `shape`) for the json and rest-json
// protocols: members renamed by locationName, timestamps as integer epoch seconds unless the
// model names a format, blobs as base64 of the raw text, documents as given.
Result<nlohmann::json> ToJsonBody(const Shape& shape, const nlohmann::json& value);

// The rest-xml body for `value` (already validated): an element named by `root`'s wire name,
// with its namespace, laid out as botocore's RestXMLSerializer does (flattened lists and maps,
// xmlAttribute members, timestamps in ISO 8601, blobs base64, ElementTree's escaping).
Result<std::string> ToXmlBody(const Member& root, const nlohmann::json& value);

}  // namespace asr::aws::internal
