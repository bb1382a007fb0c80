#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace asr {

// ASCII-only helpers; AWS identifiers are ASCII.
[[nodiscard]] std::string AsciiLower(std::string_view s);
[[nodiscard]] std::string AsciiUpper(std::string_view s);
[[nodiscard]] bool EqualsIgnoreCase(std::string_view a, std::string_view b);
[[nodiscard]] std::string_view TrimAscii(std::string_view s);
// Splits on every occurrence of `sep`; "a::b" with ':' gives {"a", "", "b"}.
[[nodiscard]] std::vector<std::string_view> Split(std::string_view s, char sep);
// True when every character is a decimal digit and the string has exactly `n` of them.
[[nodiscard]] bool IsDigits(std::string_view s, size_t n);
// An AWS region name as it may appear in config or a request: lower-case letters, digits and
// dashes, at least one dash, no dash at either end, 4 to 40 characters (us-east-1, us-gov-west-1).
[[nodiscard]] bool IsAwsRegionName(std::string_view s);
// Glob match supporting '*' (any run, including empty) and '?' (one character). Case-sensitive.
[[nodiscard]] bool GlobMatch(std::string_view pattern, std::string_view text);
// Quotes a string for human-readable messages: abc -> "abc", truncated after `max` characters
// and with control characters escaped, so untrusted input can't forge log or terminal output.
[[nodiscard]] std::string Quote(std::string_view s, size_t max = 120);

// Case-insensitive ordering for ASCII keys (e.g. control ids "Autoscaling.5"/"AutoScaling.5").
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

}  // namespace asr
