#include "webhook/audit/rfc3339.h"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <ctime>

namespace migwarden::audit {
namespace {

using std::chrono::microseconds;
using std::chrono::system_clock;

// Reads exactly `width` digits at text[pos].
std::optional<int> digits(std::string_view text, size_t pos, size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool at(std::string_view text, size_t pos, char c) { return pos < text.size() && text[pos] == c; }

}  // namespace

std::string formatRfc3339Micros(system_clock::time_point t) {
  const auto us = std::chrono::duration_cast<microseconds>(t.time_since_epoch()).count();
  int64_t secs = us / 1'000'000;
  int64_t frac = us % 1'000'000;
  if (frac < 0) {  // before 1970: floor, not truncate
    frac += 1'000'000;
    --secs;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(frac));
  return buf;
}

std::optional<system_clock::time_point> parseRfc3339(std::string_view text) {
  auto year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  auto hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || !at(text, 4, '-') || !at(text, 7, '-') ||
      !(at(text, 10, 'T') || at(text, 10, 't') || at(text, 10, ' ')) || !at(text, 13, ':') || !at(text, 16, ':'))
    return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  size_t pos = 19;
  int64_t micros = 0;
  if (at(text, pos, '.')) {
    ++pos;
    int64_t scale = 100'000;
    const size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      micros += (text[pos] - '0') * scale;  // digits past µs are dropped
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int offsetSeconds = 0;
  if (at(text, pos, 'Z') || at(text, pos, 'z')) {
    ++pos;
  } else if (at(text, pos, '+') || at(text, pos, '-')) {
    auto oh = digits(text, pos + 1, 2), om = digits(text, pos + 4, 2);
    if (!oh || !om || !at(text, pos + 3, ':') || *oh > 23 || *om > 59) return std::nullopt;
    offsetSeconds = (*oh * 3600 + *om * 60) * (text[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  const int64_t secs = static_cast<int64_t>(timegm(&tm)) - offsetSeconds;
  return system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(microseconds(secs * 1'000'000 + micros)));
}

}  // namespace migwarden::audit
