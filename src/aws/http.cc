#include "aws/http.h"

#include <algorithm>

#include "common/strings.h"

namespace asr::aws {
namespace {

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// The value of a hex digit, or -1.
int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

const std::string* FindIn(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) {
      return &value;
    }
  }
  return nullptr;
}

}  // namespace

std::string HttpRequest::Url() const {
  std::string url = scheme + "://" + host + path;
  if (!query.empty()) {
    url += '?';
    url += query;
  }
  return url;
}

void HttpRequest::SetHeader(std::string_view name, std::string value) {
  // Keep the position of the first occurrence: callers (and the SigV4 test vectors) expect a
  // replaced header to stay where it was.
  auto first = std::find_if(headers.begin(), headers.end(),
                            [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
  if (first == headers.end()) {
    headers.emplace_back(std::string(name), std::move(value));
    return;
  }
  first->second = std::move(value);
  const auto index = first - headers.begin();
  headers.erase(std::remove_if(headers.begin() + index + 1, headers.end(),
                               [&](const auto& h) { return EqualsIgnoreCase(h.first, name); }),
                headers.end());
}

void HttpRequest::RemoveHeader(std::string_view name) {
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [&](const auto& h) { return EqualsIgnoreCase(h.first, name); }),
                headers.end());
}

const std::string* HttpRequest::FindHeader(std::string_view name) const {
  return FindIn(headers, name);
}

const std::string* HttpResponse::FindHeader(std::string_view name) const {
  return FindIn(headers, name);
}

std::string UriEncode(std::string_view s, SlashEncoding slash) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    if (IsUnreserved(c) || (c == '/' && slash == SlashEncoding::kKeep)) {
      out.push_back(c);
      continue;
    }
    const auto b = static_cast<unsigned char>(c);
    out.push_back('%');
    out.push_back(kHex[b >> 4U]);
    out.push_back(kHex[b & 0x0FU]);
  }
  return out;
}

std::string UriDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = HexValue(s[i + 1]);
      const int lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace asr::aws
