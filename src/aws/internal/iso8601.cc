#include "aws/internal/iso8601.h"

#include <string>

#include "common/strings.h"

namespace asr::aws::internal {
namespace {

// Reads exactly `n` digits at `pos`; -1 when they aren't there.
int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) {
    return -1;
  }
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return -1;
    }
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

}  // namespace

Result<std::chrono::system_clock::time_point> ParseIso8601(std::string_view text) {
  using std::chrono::days;
  using std::chrono::hours;
  using std::chrono::minutes;
  using std::chrono::nanoseconds;
  using std::chrono::seconds;

  const auto invalid = [&text] {
    return InvalidArgumentError("timestamp " + Quote(text) +
                                " is not ISO 8601 like \"2026-11-28T09:00:00Z\"");
  };
  const std::string_view s = TrimAscii(text);
  // YYYY-MM-DDTHH:MM:SS is 19 characters.
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) {
    return invalid();
  }
  const int year = Digits(s, 0, 4);
  const int month = Digits(s, 5, 2);
  const int day = Digits(s, 8, 2);
  const int hour = Digits(s, 11, 2);
  const int minute = Digits(s, 14, 2);
  const int second = Digits(s, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 60) {
    return invalid();
  }
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) {
    return invalid();
  }

  size_t pos = 19;
  nanoseconds fraction{0};
  if (s[pos] == '.' || s[pos] == ',') {
    ++pos;
    const size_t start = pos;
    int64_t scale = 100000000;  // the first digit is tenths of a second: 1e8 ns
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      fraction += nanoseconds((s[pos] - '0') * scale);
      scale /= 10;  // digits beyond nanoseconds add nothing
      ++pos;
    }
    if (pos == start) {
      return invalid();
    }
  }

  minutes offset{0};
  const std::string_view zone = s.substr(pos);
  if (zone == "Z" || zone == "z") {
    // UTC
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    const int off_hours = Digits(zone, 1, 2);
    const int off_minutes = Digits(zone, 4, 2);
    if (off_hours < 0 || off_hours > 23 || off_minutes < 0 || off_minutes > 59) {
      return invalid();
    }
    offset = hours(off_hours) + minutes(off_minutes);
    if (zone[0] == '-') {
      offset = -offset;
    }
  } else {
    return invalid();
  }

  const std::chrono::sys_days day_point(date);
  const auto local = day_point + hours(hour) + minutes(minute) + seconds(second) + fraction;
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(local - offset);
}

}  // namespace asr::aws::internal
