#include "aws/internal/ini.h"

#include <string>
#include <vector>

#include "common/strings.h"

namespace asr::aws::internal {

Result<IniFile> ParseIni(std::string_view text, std::string_view file_name) {
  IniFile file;
  IniSection* section = nullptr;
  // Indentation of the last "key = value" line; a line indented deeper continues that key (or
  // is part of its sub-section). npos when no key has been seen in the current section.
  size_t key_indent = std::string_view::npos;
  const std::vector<std::string_view> lines = Split(text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view raw = lines[i];
    if (raw.ends_with('\r')) {
      raw.remove_suffix(1);
    }
    const std::string_view line = TrimAscii(raw);
    if (line.empty() || line.starts_with('#') || line.starts_with(';')) {
      continue;
    }
    const auto error = [&](std::string_view what) {
      return InvalidArgumentError(std::string(file_name) + ":" + std::to_string(i + 1) + ": " +
                                  std::string(what));
    };
    const size_t indent = raw.find_first_not_of(" \t");
    if (key_indent != std::string_view::npos && indent > key_indent) {
      continue;  // continuation or sub-section line
    }
    if (line.starts_with('[')) {
      const size_t close = line.find(']');
      if (close == std::string_view::npos) {
        return error("section header without a closing ']'");
      }
      section = &file[std::string(TrimAscii(line.substr(1, close - 1)))];
      key_indent = std::string_view::npos;
      continue;
    }
    const size_t sep = line.find_first_of("=:");
    if (sep == std::string_view::npos || sep == 0) {
      return error(R"(expected "[section]" or "key = value")");
    }
    if (section == nullptr) {
      return error("\"key = value\" before the first [section]");
    }
    (*section)[AsciiLower(TrimAscii(line.substr(0, sep)))] =
        std::string(TrimAscii(line.substr(sep + 1)));
    key_indent = indent;
  }
  return file;
}

Profiles MergeProfiles(const IniFile& config, const IniFile& credentials) {
  Profiles profiles;
  for (const auto& [header, values] : config) {
    std::string name;
    if (header == "default") {
      name = "default";
    } else if (header.starts_with("profile ") || header.starts_with("profile\t")) {
      name = std::string(TrimAscii(std::string_view(header).substr(8)));
    } else {
      continue;  // sso-session, services, or a credentials-style header the CLI also ignores
    }
    if (name.empty()) {
      continue;
    }
    for (const auto& [key, value] : values) {
      profiles[name][key] = value;
    }
  }
  for (const auto& [name, values] : credentials) {
    for (const auto& [key, value] : values) {
      profiles[name][key] = value;
    }
  }
  return profiles;
}

}  // namespace asr::aws::internal
