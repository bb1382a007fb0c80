#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace asr::aws::internal {

// key -> value of one section; keys are lower-cased (as botocore's configparser does).
using IniSection = std::map<std::string, std::string>;
// section header (trimmed text between the brackets) -> its keys.
using IniFile = std::map<std::string, IniSection>;

// Parses the INI dialect of the AWS shared config and credentials files:
//   - full-line comments starting with '#' or ';'; blank lines;
//   - "[section]" headers (anything after the closing bracket is ignored);
//   - "key = value" (or "key: value"), whitespace around both trimmed;
//   - indented lines after a key are continuation or sub-section lines ("s3 =\n  key = v") and
//     are ignored, as are the sub-section keys themselves;
//   - a section seen twice is merged, later keys winning.
// InvalidArgument with `file_name` and the line number for a key before any section or a line
// that is neither; the message never quotes the line (it may hold a secret).
[[nodiscard]] Result<IniFile> ParseIni(std::string_view text, std::string_view file_name);

// The profiles of a config file ("[default]", "[profile name]"; other sections such as
// "[sso-session x]" or "[services x]" are skipped) merged with those of a credentials file
// ("[name]"), credentials-file values overriding config-file ones key by key, as botocore does.
using Profiles = std::map<std::string, IniSection>;
[[nodiscard]] Profiles MergeProfiles(const IniFile& config, const IniFile& credentials);

}  // namespace asr::aws::internal
