#pragma once

// Helpers shared by the response parsers (parse_xml.cc, parse_json.cc). Private to src/aws.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "aws/http.h"
#include "aws/model.h"

namespace asr::aws::internal {

// Timestamps in parsed output are ISO 8601 UTC with a "Z": "2026-11-28T08:00:00Z". Sub-second
// precision is kept to the microsecond (like botocore's datetime): ".123Z" when it is a whole
// number of milliseconds, ".123456Z" otherwise, nothing when it is zero.
//
// Normalises a timestamp as AWS sends it (ISO 8601 with any offset or none, epoch seconds as
// text, or RFC 822 "Wed, 12 Oct 2009 17:50:00 GMT") to that form; nullopt when unrecognised.
[[nodiscard]] std::optional<std::string> NormalizeTimestampText(std::string_view text);
// The same for epoch seconds (json protocols send numbers, possibly with a fraction); rounds to
// the microsecond half-to-even like Python's datetime.fromtimestamp.
[[nodiscard]] std::optional<std::string> TimestampFromEpoch(double seconds);

// The wire name of a member: its own locationName, else its shape's, else the member name.
[[nodiscard]] const std::string& WireName(const Member& member);

// The value of a response header (case-insensitive); repeated headers are joined with ", " like
// urllib3 does. nullopt when absent.
[[nodiscard]] std::optional<std::string> HeaderValue(const HttpResponse& response,
                                                     std::string_view name);

// The request id AWS sends in headers: x-amzn-RequestId, else x-amz-request-id, else x-amz-id-2.
[[nodiscard]] std::string RequestIdFromHeaders(const HttpResponse& response);

// Python's http.client.responses phrase for a status ("Not Found"), "" when unknown.
[[nodiscard]] std::string_view ReasonPhrase(int status);

// Parses integer/float text the way Python's int()/float() accept it (surrounding whitespace, a
// sign). Integers beyond 64 bits become doubles. nullopt when not a number.
[[nodiscard]] std::optional<nlohmann::json> ParseIntegerText(std::string_view text);
[[nodiscard]] std::optional<nlohmann::json> ParseFloatText(std::string_view text);

// How text booleans read: XML protocols accept exactly "true"; rest-json headers any case.
enum class BooleanText { kExactTrue, kCaseInsensitive };

// Converts the text of a scalar (an XML element or an HTTP header) to the JSON value of `shape`:
// strings as is, numbers typed, booleans per `booleans`, timestamps normalised (text that is not
// a timestamp is kept as is), blobs kept as base64 text. nullopt when a number does not parse.
[[nodiscard]] std::optional<nlohmann::json> ScalarFromText(const Shape& shape,
                                                           std::string_view text,
                                                           BooleanText booleans);

// rest-xml / rest-json: the members of `output` bound to the status code, a header or a header
// prefix (botocore's _parse_non_payload_attrs), as a JSON object. Header lists are
// comma-separated; `jsonvalue` headers are base64 JSON and are decoded (kept as is when they
// don't decode).
[[nodiscard]] nlohmann::json ParseLocatedMembers(const Shape& output, const HttpResponse& response,
                                                 BooleanText booleans);

// What boto3 does to parsed output after the call (botocore handlers.py "after-call"): IAM
// returns policy documents URL-encoded and boto3 hands them out as decoded JSON (a string that
// doesn't decode stays a string).
[[nodiscard]] nlohmann::json ApplyAfterCallCustomizations(const ServiceModel& model,
                                                          const Operation& op,
                                                          nlohmann::json parsed);

}  // namespace asr::aws::internal
