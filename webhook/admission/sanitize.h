// Making untrusted text safe to show: in warnings sent to kubectl users and in error
// messages that quote a value from the request (a 3 MiB apiVersion must not come back
// in full). Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace migwarden::admission {

// Replaces invalid UTF-8 with U+FFFD, turns \n \r \t into spaces and drops other control
// characters (C0, DEL, C1), and keeps at most `maxChars` code points (the last one "…"
// when the text was cut).
std::string sanitizeText(std::string_view text, size_t maxChars);

// How much of a request value an error message quotes.
inline constexpr size_t kMaxQuotedChars = 64;
// "\"<sanitized, cut value>\"" for error messages.
std::string quoteValue(std::string_view value);

}  // namespace migwarden::admission
