#include "aws/internal/serialize_common.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "aws/crypto.h"
#include "aws/internal/iso8601.h"
#include "common/status.h"
#include "common/strings.h"

namespace asr::aws::internal {
namespace {

constexpr std::string_view kHexDigits = "0123456789ABCDEF";

bool IsUnreservedChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

std::string Sha1(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha1(), nullptr);
  return {digest.begin(), digest.begin() + size};
}

std::string Crc32(std::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes a uInt length; feed large bodies in pieces.
  constexpr size_t kChunk = 1U << 30U;
  for (size_t pos = 0; pos < data.size(); pos += kChunk) {
    const size_t n = std::min(kChunk, data.size() - pos);
    // zlib's API takes unsigned bytes.
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data() + pos),  // NOLINT
                static_cast<uInt>(n));
  }
  const auto v = static_cast<std::uint32_t>(crc);
  std::string bytes(4, '\0');
  bytes[0] = static_cast<char>((v >> 24U) & 0xFFU);
  bytes[1] = static_cast<char>((v >> 16U) & 0xFFU);
  bytes[2] = static_cast<char>((v >> 8U) & 0xFFU);
  bytes[3] = static_cast<char>(v & 0xFFU);
  return bytes;
}

// Days since 1970-01-01 to a civil date (proleptic Gregorian).
std::chrono::year_month_day CivilFromSeconds(std::int64_t seconds) {
  const std::chrono::sys_days days{
      std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds{std::chrono::seconds{seconds}})
          .time_since_epoch()};
  return std::chrono::year_month_day{days};
}

struct Clock {
  int year;
  unsigned month;
  unsigned day;
  std::int64_t hour;
  std::int64_t minute;
  std::int64_t second;
  unsigned weekday;  // 0 = Sunday
};

Clock Split(std::int64_t seconds) {
  const auto ymd = CivilFromSeconds(seconds);
  const std::int64_t in_day = ((seconds % 86400) + 86400) % 86400;
  const std::chrono::weekday wd{std::chrono::sys_days{ymd}};
  return Clock{static_cast<int>(ymd.year()),
               static_cast<unsigned>(ymd.month()),
               static_cast<unsigned>(ymd.day()),
               in_day / 3600,
               (in_day / 60) % 60,
               in_day % 60,
               wd.c_encoding()};
}

}  // namespace

std::string_view WireName(const Member& member, std::string_view fallback) {
  if (!member.location_name.empty()) {
    return member.location_name;
  }
  if (member.shape != nullptr && !member.shape->location_name.empty()) {
    return member.shape->location_name;
  }
  return fallback;
}

std::string_view TimestampFormatOf(const Member& member, std::string_view protocol_default) {
  if (!member.timestamp_format.empty()) {
    return member.timestamp_format;
  }
  if (member.shape != nullptr && !member.shape->timestamp_format.empty()) {
    return member.shape->timestamp_format;
  }
  return protocol_default;
}

XmlNamespace XmlNamespaceOf(const Member& member) {
  if (!member.xml_namespace_uri.empty()) {
    return {member.xml_namespace_uri, member.xml_namespace_prefix};
  }
  if (member.shape != nullptr && !member.shape->xml_namespace_uri.empty()) {
    // model.h keeps only the URI of a shape-level namespace (asked for the prefix too). The one
    // shape-level namespace in the models, s3's Grantee, is XML Schema instance, whose prefix
    // "xsi" its xsi:type attribute needs.
    constexpr std::string_view kXsi = "http://www.w3.org/2001/XMLSchema-instance";
    return {member.shape->xml_namespace_uri,
            member.shape->xml_namespace_uri == kXsi ? std::string_view("xsi") : ""};
  }
  return {};
}

Result<Timestamp> ParseTimestampParam(const nlohmann::json& value) {
  if (value.is_number_integer()) {
    return Timestamp{value.get<std::int64_t>(), 0};
  }
  if (value.is_number()) {
    const double v = value.get<double>();
    if (!std::isfinite(v) || std::fabs(v) > 1e13) {
      return InvalidArgumentError("timestamp " + value.dump() + " is out of range");
    }
    const auto micros_total = static_cast<std::int64_t>(std::llround(v * 1e6));
    std::int64_t seconds = micros_total / 1000000;
    std::int64_t micros = micros_total % 1000000;
    if (micros < 0) {
      micros += 1000000;
      seconds -= 1;
    }
    return Timestamp{seconds, micros};
  }
  if (value.is_string()) {
    ASR_ASSIGN_OR_RETURN(auto tp, ParseIso8601(value.get_ref<const std::string&>()));
    const auto us = std::chrono::floor<std::chrono::microseconds>(tp.time_since_epoch()).count();
    std::int64_t seconds = us / 1000000;
    std::int64_t micros = us % 1000000;
    if (micros < 0) {
      micros += 1000000;
      seconds -= 1;
    }
    return Timestamp{seconds, micros};
  }
  return InvalidArgumentError("a timestamp must be an ISO 8601 string or epoch seconds, got " +
                              std::string(value.type_name()));
}

std::string FormatIso8601(const Timestamp& t) {
  const Clock c = Split(t.seconds);
  std::array<char, 48> buf{};
  if (t.micros > 0) {
    std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ", c.year,
                  c.month, c.day, static_cast<long long>(c.hour), static_cast<long long>(c.minute),
                  static_cast<long long>(c.second), static_cast<long long>(t.micros));
  } else {
    std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02uT%02lld:%02lld:%02lldZ", c.year, c.month,
                  c.day, static_cast<long long>(c.hour), static_cast<long long>(c.minute),
                  static_cast<long long>(c.second));
  }
  return buf.data();
}

std::string FormatRfc822(const Timestamp& t) {
  static constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                            "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const Clock c = Split(t.seconds);
  std::array<char, 48> buf{};
  std::snprintf(buf.data(), buf.size(), "%s, %02u %s %04d %02lld:%02lld:%02lld GMT",
                std::string(kDays.at(c.weekday)).c_str(), c.day,
                std::string(kMonths.at(c.month - 1)).c_str(), c.year,
                static_cast<long long>(c.hour), static_cast<long long>(c.minute),
                static_cast<long long>(c.second));
  return buf.data();
}

Result<std::string> FormatTimestampText(const nlohmann::json& value, std::string_view format) {
  ASR_ASSIGN_OR_RETURN(const Timestamp t, ParseTimestampParam(value));
  const std::string f = AsciiLower(format);
  if (f == "iso8601") {
    return FormatIso8601(t);
  }
  if (f == "rfc822") {
    return FormatRfc822(t);
  }
  if (f == "unixtimestamp") {
    return std::to_string(t.seconds);
  }
  return InvalidArgumentError("unsupported timestampFormat " + Quote(format));
}

std::string ScalarText(const nlohmann::json& value) {
  if (value.is_string()) {
    return value.get<std::string>();
  }
  if (value.is_boolean()) {
    return value.get<bool>() ? "true" : "false";
  }
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (std::isnan(d)) {
      return "NaN";
    }
    if (std::isinf(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
  }
  return value.dump();
}

std::string FormEncode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    if (IsUnreservedChar(c)) {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      const auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHexDigits[b >> 4U]);
      out.push_back(kHexDigits[b & 0x0FU]);
    }
  }
  return out;
}

Result<std::string> ExpandHostPrefix(const Operation& op, const nlohmann::json& params) {
  std::string out;
  std::string_view rest = op.host_prefix;
  while (!rest.empty()) {
    const size_t open = rest.find('{');
    if (open == std::string_view::npos) {
      out += rest;
      break;
    }
    const size_t close = rest.find('}', open);
    if (close == std::string_view::npos) {
      return InternalError("malformed hostPrefix " + Quote(op.host_prefix));
    }
    out += rest.substr(0, open);
    const std::string label(rest.substr(open + 1, close - open - 1));
    const auto it = params.find(label);
    if (it == params.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      return InvalidArgumentError(label + ": required to build the host name");
    }
    const auto& value = it->get_ref<const std::string&>();
    for (const char c : value) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.')) {
        return InvalidArgumentError(label + ": " + Quote(value) +
                                    " must contain only letters, digits, hyphens or periods");
      }
    }
    out += value;
    rest.remove_prefix(close + 1);
  }
  return out;
}

void AimAt(const Endpoint& endpoint, std::string_view host_prefix, std::string_view path,
           HttpRequest& request) {
  request.scheme = endpoint.scheme;
  request.host = endpoint.custom ? endpoint.host : std::string(host_prefix) + endpoint.host;
  if (endpoint.base_path.empty()) {
    request.path = path.empty() ? "/" : std::string(path);
  } else if (path.empty() || path == "/") {
    request.path = endpoint.base_path;
  } else {
    request.path = endpoint.base_path + std::string(path);
  }
}

Status AddRequestChecksum(const Operation& op, const nlohmann::json& params, HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (AsciiLower(name).starts_with("x-amz-checksum-")) {
      return Status::Ok();  // the caller supplied one
    }
  }
  std::string algorithm;
  bool default_algorithm = false;
  const auto member =
      op.request_algorithm_member.empty() ? params.end() : params.find(op.request_algorithm_member);
  if (member != params.end() && member->is_string()) {
    algorithm = AsciiLower(member->get_ref<const std::string&>());
  } else if (op.http_checksum_required || op.request_checksum_required) {
    algorithm = "crc32";
    default_algorithm = true;
  } else {
    return Status::Ok();
  }
  std::string digest;
  if (algorithm == "crc32") {
    digest = Crc32(request.body);
  } else if (algorithm == "sha256") {
    digest = Sha256(request.body);
  } else if (algorithm == "sha1") {
    digest = Sha1(request.body);
  } else {
    return InvalidArgumentError(op.request_algorithm_member + ": checksum algorithm " +
                                Quote(algorithm) + " is not supported (use CRC32, SHA1 or SHA256)");
  }
  request.SetHeader("x-amz-checksum-" + algorithm, Base64Encode(digest));
  if (default_algorithm && op.input != nullptr && !op.request_algorithm_member.empty()) {
    if (const Member* m = op.input->FindMember(op.request_algorithm_member);
        m != nullptr && m->location == "header") {
      request.SetHeader(WireName(*m, m->name), "CRC32");
    }
  }
  return Status::Ok();
}

}  // namespace asr::aws::internal
