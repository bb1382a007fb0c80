#include "aws/internal/parse_common.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "aws/crypto.h"
#include "aws/http.h"
#include "aws/internal/iso8601.h"
#include "aws/model.h"
#include "common/strings.h"

namespace asr::aws::internal {
namespace {

using std::chrono::microseconds;
using SysMicros = std::chrono::time_point<std::chrono::system_clock, microseconds>;

// Python's datetime covers years 1..9999; botocore fails beyond, and so do we.
constexpr int64_t kMinEpochSeconds = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxEpochSeconds = 253402300799;  // 9999-12-31T23:59:59Z

std::optional<std::string> FormatMicros(SysMicros t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const int64_t epoch = seconds.time_since_epoch().count();
  if (epoch < kMinEpochSeconds || epoch > kMaxEpochSeconds) {
    return std::nullopt;
  }
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss<std::chrono::seconds> hms(seconds - day);
  const int64_t micros = (t - seconds).count();
  std::array<char, 40> buf{};
  int n = std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02uT%02d:%02d:%02d",
                        static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                        static_cast<int>(hms.minutes().count()),
                        static_cast<int>(hms.seconds().count()));
  std::string out(buf.data(), static_cast<size_t>(n));
  if (micros != 0) {
    if (micros % 1000 == 0) {
      n = std::snprintf(buf.data(), buf.size(), ".%03lld", static_cast<long long>(micros / 1000));
    } else {
      n = std::snprintf(buf.data(), buf.size(), ".%06lld", static_cast<long long>(micros));
    }
    out.append(buf.data(), static_cast<size_t>(n));
  }
  out += 'Z';
  return out;
}

// ISO 8601 in the shapes AWS and dateutil accept beyond aws/internal/iso8601.h: no zone (UTC),
// "+0000" and "+00" offsets, a bare date.
std::optional<std::string> NormalizeIso8601(std::string_view s) {
  std::string text(s);
  if (text.size() == 10) {
    text += "T00:00:00";
  }
  if (text.size() < 19) {
    return std::nullopt;
  }
  // Find where the zone starts: after the seconds and an optional fraction.
  size_t pos = 19;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      ++pos;
    }
  }
  const std::string zone = text.substr(pos);
  if (zone.empty()) {
    text += 'Z';
  } else if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-')) {
    text.insert(pos + 3, ":");
  } else if (zone.size() == 3 && (zone[0] == '+' || zone[0] == '-')) {
    text += ":00";
  }
  const auto parsed = ParseIso8601(text);
  if (!parsed.ok()) {
    return std::nullopt;
  }
  return FormatMicros(std::chrono::floor<microseconds>(*parsed));
}

// RFC 822 / RFC 7231 dates as S3 sends them in headers: "Wed, 12 Oct 2009 17:50:00 GMT" (the
// weekday is optional; "GMT", "UTC", "Z" or a "+hhmm" offset).
std::optional<std::string> NormalizeRfc822(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (const size_t comma = s.find(','); comma != std::string_view::npos) {
    s = TrimAscii(s.substr(comma + 1));
  }
  std::vector<std::string_view> parts;
  for (std::string_view p : Split(s, ' ')) {
    if (!p.empty()) {
      parts.push_back(p);
    }
  }
  if (parts.size() != 5 || parts[3].size() != 8 || parts[3][2] != ':' || parts[3][5] != ':') {
    return std::nullopt;
  }
  const auto number = [](std::string_view digits) -> int {
    int value = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return (ec == std::errc() && ptr == digits.data() + digits.size()) ? value : -1;
  };
  const int day = number(parts[0]);
  const int year = number(parts[2]);
  const int hour = number(parts[3].substr(0, 2));
  const int minute = number(parts[3].substr(3, 2));
  const int second = number(parts[3].substr(6, 2));
  int month = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (AsciiLower(parts[1]).starts_with(kMonths[i])) {
      month = static_cast<int>(i) + 1;
    }
  }
  std::string zone = AsciiUpper(parts[4]);
  if (zone == "GMT" || zone == "UTC" || zone == "UT" || zone == "Z") {
    zone = "Z";
  } else if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-')) {
    zone.insert(3, ":");
  } else {
    return std::nullopt;
  }
  if (day < 0 || year < 0 || hour < 0 || minute < 0 || second < 0 || month == 0) {
    return std::nullopt;
  }
  std::array<char, 40> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d%s", year,
                              month, day, hour, minute, second, zone.c_str());
  return NormalizeIso8601(std::string_view(buf.data(), static_cast<size_t>(n)));
}

std::string_view StripSign(std::string_view s, bool& negative) {
  negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  return s;
}

std::optional<double> ParseDouble(std::string_view text) {
  bool negative = false;
  const std::string_view s = StripSign(TrimAscii(text), negative);
  if (s.empty() || s[0] == '+' || s[0] == '-') {
    return std::nullopt;
  }
  double value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ptr != s.data() + s.size() || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves the value alone on overflow; Python gives inf (or 0 on underflow).
    value = std::strtod(std::string(s).c_str(), nullptr);
  }
  return negative ? -value : value;
}

}  // namespace

std::optional<std::string> TimestampFromEpoch(double seconds) {
  if (!std::isfinite(seconds)) {
    return std::nullopt;
  }
  double whole = 0;
  const double fraction = std::modf(seconds, &whole);
  if (whole < static_cast<double>(kMinEpochSeconds) ||
      whole > static_cast<double>(kMaxEpochSeconds)) {
    return std::nullopt;
  }
  // Like CPython's datetime.fromtimestamp: the fraction rounds half-to-even to microseconds.
  auto micros = static_cast<int64_t>(std::nearbyint(fraction * 1e6));
  auto secs = static_cast<int64_t>(whole);
  if (micros >= 1000000) {
    secs += 1;
    micros -= 1000000;
  } else if (micros < 0) {
    secs -= 1;
    micros += 1000000;
  }
  return FormatMicros(SysMicros(microseconds(secs * 1000000 + micros)));
}

std::optional<std::string> NormalizeTimestampText(std::string_view text) {
  const std::string_view s = TrimAscii(text);
  if (s.empty()) {
    return std::nullopt;
  }
  // botocore tries float(value) first: epoch seconds sent as text.
  if (const std::optional<double> epoch = ParseDouble(s); epoch.has_value()) {
    return TimestampFromEpoch(*epoch);
  }
  if (s.size() >= 10 && s[4] == '-' && s[7] == '-') {
    return NormalizeIso8601(s);
  }
  return NormalizeRfc822(s);
}

const std::string& WireName(const Member& member) {
  if (!member.location_name.empty()) {
    return member.location_name;
  }
  if (member.shape != nullptr && !member.shape->location_name.empty()) {
    return member.shape->location_name;
  }
  return member.name;
}

std::optional<std::string> HeaderValue(const HttpResponse& response, std::string_view name) {
  std::optional<std::string> value;
  for (const auto& [key, v] : response.headers) {
    if (!EqualsIgnoreCase(key, name)) {
      continue;
    }
    if (value.has_value()) {
      *value += ", ";
      *value += v;
    } else {
      value = v;
    }
  }
  return value;
}

std::string RequestIdFromHeaders(const HttpResponse& response) {
  for (std::string_view name : {"x-amzn-RequestId", "x-amz-request-id", "x-amz-id-2"}) {
    if (std::optional<std::string> v = HeaderValue(response, name); v.has_value()) {
      return *v;
    }
  }
  return "";
}

std::string_view ReasonPhrase(int status) {
  static constexpr std::array<std::pair<int, std::string_view>, 30> kPhrases = {{
      {200, "OK"},
      {201, "Created"},
      {202, "Accepted"},
      {204, "No Content"},
      {206, "Partial Content"},
      {301, "Moved Permanently"},
      {302, "Found"},
      {304, "Not Modified"},
      {307, "Temporary Redirect"},
      {308, "Permanent Redirect"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {406, "Not Acceptable"},
      {408, "Request Timeout"},
      {409, "Conflict"},
      {410, "Gone"},
      {411, "Length Required"},
      {412, "Precondition Failed"},
      {413, "Request Entity Too Large"},
      {415, "Unsupported Media Type"},
      {416, "Requested Range Not Satisfiable"},
      {429, "Too Many Requests"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
  }};
  for (const auto& [code, phrase] : kPhrases) {
    if (code == status) {
      return phrase;
    }
  }
  return "";
}

std::optional<nlohmann::json> ParseIntegerText(std::string_view text) {
  bool negative = false;
  const std::string_view trimmed = TrimAscii(text);
  const std::string_view digits = StripSign(trimmed, negative);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  // from_chars takes the '-' but not a '+'.
  const std::string_view signed_digits = negative ? trimmed : digits;
  int64_t value = 0;
  const char* end = signed_digits.data() + signed_digits.size();
  if (auto [ptr, ec] = std::from_chars(signed_digits.data(), end, value);
      ec == std::errc() && ptr == end) {
    return nlohmann::json(value);
  }
  uint64_t unsigned_value = 0;
  if (!negative) {
    const char* digits_end = digits.data() + digits.size();
    if (auto [ptr, ec] = std::from_chars(digits.data(), digits_end, unsigned_value);
        ec == std::errc() && ptr == digits_end) {
      return nlohmann::json(unsigned_value);
    }
  }
  // Beyond 64 bits: JSON numbers in asr are doubles there (nlohmann has no big integers).
  const std::optional<double> approx = ParseDouble(trimmed);
  if (!approx.has_value()) {
    return std::nullopt;
  }
  return nlohmann::json(*approx);
}

std::optional<nlohmann::json> ParseFloatText(std::string_view text) {
  const std::optional<double> value = ParseDouble(text);
  if (!value.has_value()) {
    return std::nullopt;
  }
  return nlohmann::json(*value);
}

std::optional<nlohmann::json> ScalarFromText(const Shape& shape, std::string_view text,
                                             BooleanText booleans) {
  switch (shape.type) {
    case ShapeType::kInteger:
    case ShapeType::kLong:
      return ParseIntegerText(text);
    case ShapeType::kFloat:
    case ShapeType::kDouble:
      return ParseFloatText(text);
    case ShapeType::kBoolean:
      return nlohmann::json(booleans == BooleanText::kExactTrue ? text == "true"
                                                                : AsciiLower(text) == "true");
    case ShapeType::kTimestamp: {
      std::optional<std::string> normalized = NormalizeTimestampText(text);
      return nlohmann::json(normalized.has_value() ? *std::move(normalized) : std::string(text));
    }
    case ShapeType::kString:
    case ShapeType::kBlob:
    case ShapeType::kStructure:
    case ShapeType::kList:
    case ShapeType::kMap:
      break;
  }
  return nlohmann::json(std::string(text));
}

namespace {

// A header value of a member: lists are comma-separated (RFC 7230), jsonvalue strings are base64
// JSON.
std::optional<nlohmann::json> HeaderMember(const Member& member, const std::string& value,
                                           BooleanText booleans) {
  const Shape& shape = *member.shape;
  if (shape.type == ShapeType::kList) {
    nlohmann::json items = nlohmann::json::array();
    for (std::string_view item : Split(value, ',')) {
      std::optional<nlohmann::json> v =
          ScalarFromText(*shape.member.shape, TrimAscii(item), booleans);
      items.push_back(v.has_value() ? *std::move(v) : nlohmann::json());
    }
    return items;
  }
  if (shape.type == ShapeType::kString && member.json_value) {
    const Result<std::string> decoded = Base64Decode(value);
    if (decoded.ok()) {
      nlohmann::json doc = nlohmann::json::parse(*decoded, nullptr, /*allow_exceptions=*/false);
      if (!doc.is_discarded()) {
        return doc;
      }
    }
    return nlohmann::json(value);
  }
  return ScalarFromText(shape, value, booleans);
}

nlohmann::json HeaderMap(const Member& member, const HttpResponse& response) {
  // botocore matches the prefix case-insensitively and keeps the rest of the name as sent.
  const std::string prefix = AsciiLower(
      !member.location_name.empty() ? member.location_name : member.shape->location_name);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : response.headers) {
    if (!AsciiLower(name).starts_with(prefix)) {
      continue;
    }
    const std::string key = name.substr(prefix.size());
    if (!out.contains(key)) {
      out[key] = *HeaderValue(response, name);
    }
  }
  return out;
}

bool IsPolicyDocument(const Shape& shape) {
  return shape.type == ShapeType::kString && shape.name == "policyDocumentType";
}

// botocore handlers.json_decode_policies: IAM policy documents are urlencode(json).
// Recursion follows the output shape, which is a finite tree of structures and lists.
// NOLINTNEXTLINE(misc-no-recursion)
void DecodePolicyDocuments(const Shape& shape, nlohmann::json& parsed) {
  if (shape.type == ShapeType::kStructure && parsed.is_object()) {
    for (const Member& member : shape.members) {
      auto it = parsed.find(member.name);
      if (it == parsed.end()) {
        continue;
      }
      if (IsPolicyDocument(*member.shape)) {
        if (it->is_string()) {
          nlohmann::json doc = nlohmann::json::parse(UriDecode(it->get<std::string>()), nullptr,
                                                     /*allow_exceptions=*/false);
          if (!doc.is_discarded()) {
            *it = std::move(doc);
          }
        }
      } else {
        DecodePolicyDocuments(*member.shape, *it);
      }
    }
  } else if (shape.type == ShapeType::kList && parsed.is_array()) {
    for (nlohmann::json& item : parsed) {
      DecodePolicyDocuments(*shape.member.shape, item);
    }
  }
}

}  // namespace

nlohmann::json ParseLocatedMembers(const Shape& output, const HttpResponse& response,
                                   BooleanText booleans) {
  nlohmann::json out = nlohmann::json::object();
  for (const Member& member : output.members) {
    if (member.location == "statusCode") {
      out[member.name] = response.status;
    } else if (member.location == "headers") {
      out[member.name] = HeaderMap(member, response);
    } else if (member.location == "header") {
      const std::optional<std::string> value = HeaderValue(response, WireName(member));
      if (!value.has_value()) {
        continue;
      }
      if (std::optional<nlohmann::json> v = HeaderMember(member, *value, booleans); v.has_value()) {
        out[member.name] = *std::move(v);
      }
    }
  }
  return out;
}

nlohmann::json ApplyAfterCallCustomizations(const ServiceModel& model, const Operation& op,
                                            nlohmann::json parsed) {
  if (model.metadata().service_name == "iam" && op.output != nullptr) {
    DecodePolicyDocuments(*op.output, parsed);
  }
  return parsed;
}

}  // namespace asr::aws::internal
