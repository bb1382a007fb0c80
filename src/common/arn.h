#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace asr {

// The parts of "arn:<partition>:<service>:<region>:<account>:<resource>" (the resource may
// contain ':' and '/'). Views into the parsed text, which must outlive the Arn.
struct Arn {
  std::string_view partition;
  std::string_view service;
  std::string_view region;
  std::string_view account;
  std::string_view resource;
};

// nullopt when the text has fewer than six ':'-separated parts or does not start with "arn:".
// Checks only the shape, not that the partition or service exist.
std::optional<Arn> ParseArn(std::string_view text);
// The Arn would view a temporary that dies at the end of the statement: hold the text first.
std::optional<Arn> ParseArn(std::string&& text) = delete;
inline std::optional<Arn> ParseArn(const char* text) { return ParseArn(std::string_view(text)); }

// "arn:<partition>:<service>:<region>:<account>:<resource>".
std::string MakeArn(std::string_view partition, std::string_view service, std::string_view region,
                    std::string_view account, std::string_view resource);

}  // namespace asr
