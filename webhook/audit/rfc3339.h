// RFC 3339 timestamps for audit records: always written in UTC with microseconds
// ("2026-11-27T08:33:04.123456Z"); parsed from any RFC 3339 form (fraction optional,
// "Z" or a numeric offset) so query flags accept what people paste from other logs.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace migwarden::audit {

std::string formatRfc3339Micros(std::chrono::system_clock::time_point t);
std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text);

}  // namespace migwarden::audit
