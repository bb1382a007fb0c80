#include "aws/internal/sigv4_canonical.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "common/strings.h"

namespace asr::aws {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Brings an encoded query key or value to the canonical RFC 3986 form: "%7e" and "~" both
// become "~", raw UTF-8 or reserved characters become %XX with upper-case hex.
std::string CanonicalQueryComponent(std::string_view s) { return UriEncode(UriDecode(s)); }

}  // namespace

std::string FormatAmzDate(std::chrono::system_clock::time_point time) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(time);
  const auto day = std::chrono::floor<std::chrono::days>(secs);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{secs - day};
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d%02u%02uT%02lld%02lld%02lldZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<long long>(hms.hours().count()),
                static_cast<long long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  return buf.data();
}

std::string RemoveDotSegments(std::string_view path) {
  if (path.empty()) {
    return {};
  }
  std::vector<std::string_view> segments;
  for (const std::string_view segment : Split(path, '/')) {
    if (segment.empty() || segment == ".") {
      continue;
    }
    if (segment == "..") {
      if (!segments.empty()) {
        segments.pop_back();
      }
      continue;
    }
    segments.push_back(segment);
  }
  std::string out = path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) {
      out += '/';
    }
    out += segments[i];
  }
  if (path.back() == '/' && !segments.empty()) {
    out += '/';
  }
  return out;
}

std::string CanonicalUri(std::string_view path, PathStyle style) {
  if (path.empty()) {
    return "/";
  }
  if (style != PathStyle::kNormalize) {
    return std::string(path);
  }
  std::string normalized = RemoveDotSegments(path);
  if (normalized.empty()) {
    normalized = "/";
  }
  return UriEncode(normalized, SlashEncoding::kKeep);
}

std::string CanonicalQueryString(std::string_view query,
                                 const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::pair<std::string, std::string>> pairs;
  if (!query.empty()) {
    for (const std::string_view piece : Split(query, '&')) {
      if (piece.empty()) {
        continue;
      }
      const size_t eq = piece.find('=');
      const std::string_view key = piece.substr(0, eq);
      const std::string_view value =
          eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
      pairs.emplace_back(CanonicalQueryComponent(key), CanonicalQueryComponent(value));
    }
  }
  pairs.insert(pairs.end(), extra.begin(), extra.end());
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) {
      out += '&';
    }
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

std::string TrimAll(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (const char c : value) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out += ' ';
      pending_space = false;
    }
    out += c;
  }
  return out;
}

std::string HostHeaderValue(std::string_view scheme, std::string_view host) {
  std::string out = AsciiLower(host);
  // The port follows the last ':' unless that ':' is inside an IPv6 literal ("[::1]").
  const size_t colon = out.rfind(':');
  const size_t bracket = out.rfind(']');
  if (colon == std::string::npos || (bracket != std::string::npos && bracket > colon)) {
    return out;
  }
  const std::string_view port = std::string_view(out).substr(colon + 1);
  const bool is_default = (EqualsIgnoreCase(scheme, "https") && port == "443") ||
                          (EqualsIgnoreCase(scheme, "http") && port == "80");
  if (is_default) {
    out.erase(colon);
  }
  return out;
}

bool IsUnsignableHeader(std::string_view lower_name) {
  static constexpr std::array<std::string_view, 12> kNames = {"authorization",
                                                              "connection",
                                                              "expect",
                                                              "keep-alive",
                                                              "proxy-authenticate",
                                                              "proxy-authorization",
                                                              "te",
                                                              "trailer",
                                                              "transfer-encoding",
                                                              "upgrade",
                                                              "user-agent",
                                                              "x-amzn-trace-id"};
  return std::find(kNames.begin(), kNames.end(), lower_name) != kNames.end();
}

}  // namespace asr::aws
