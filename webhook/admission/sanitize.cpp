#include "webhook/admission/sanitize.h"

#include <algorithm>

namespace migwarden::admission {
namespace {

// Decodes one UTF-8 sequence at s[i]; returns its length (0 when invalid) and the code point.
size_t decodeUtf8(std::string_view s, size_t i, char32_t& cp) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  size_t len;
  char32_t min;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong encodings, surrogates and values beyond Unicode are invalid UTF-8.
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

bool isControl(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

}  // namespace

std::string sanitizeText(std::string_view text, size_t maxChars) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  static constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026
  std::string out;
  out.reserve(std::min(text.size(), maxChars * 4));
  size_t chars = 0;
  size_t lastCharStart = 0;
  for (size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    size_t len = decodeUtf8(text, i, cp);
    std::string_view piece;
    if (len == 0) {
      piece = kReplacement;
      len = 1;
    } else if (isControl(cp)) {
      // A newline or tab separates words; other control characters simply vanish.
      piece = (cp == '\n' || cp == '\t' || cp == '\r') ? std::string_view(" ") : std::string_view();
    } else {
      piece = text.substr(i, len);
    }
    i += len;
    if (piece.empty()) continue;
    if (chars == maxChars) {
      out.resize(lastCharStart);
      out += kEllipsis;
      return out;
    }
    lastCharStart = out.size();
    out += piece;
    ++chars;
  }
  return out;
}

std::string quoteValue(std::string_view value) {
  std::string out = "\"";
  out += sanitizeText(value, kMaxQuotedChars);
  out += '"';
  return out;
}

}  // namespace migwarden::admission
