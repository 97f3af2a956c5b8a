#include "webhook/admission/quantity.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <limits>

#include "webhook/admission/sanitize.h"
#include "webhook/common/json_util.h"

namespace migwarden::admission {
namespace {

// Kubernetes limits quantities to this many significant digits in practice; more would
// overflow our exact int64 mantissa.
constexpr int kMaxDigits = 18;

Status invalid(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("invalid quantity " + quoteValue(text) + ": " + std::string(why));
}

bool mulOverflows(int64_t a, int64_t b, int64_t& out) { return __builtin_mul_overflow(a, b, &out); }

struct Suffix {
  int decimalExponent = 0;
  int binaryPower = 0;  // multiplier 1024^binaryPower
};

std::optional<Suffix> parseSuffix(std::string_view s) {
  if (s.empty()) return Suffix{};
  if (s.size() == 2 && s[1] == 'i') {
    switch (s[0]) {
      case 'K':
        return Suffix{0, 1};
      case 'M':
        return Suffix{0, 2};
      case 'G':
        return Suffix{0, 3};
      case 'T':
        return Suffix{0, 4};
      case 'P':
        return Suffix{0, 5};
      case 'E':
        return Suffix{0, 6};
      default:
        return std::nullopt;
    }
  }
  if (s.size() == 1) {
    switch (s[0]) {
      case 'n':
        return Suffix{-9, 0};
      case 'u':
        return Suffix{-6, 0};
      case 'm':
        return Suffix{-3, 0};
      case 'k':
        return Suffix{3, 0};
      case 'M':
        return Suffix{6, 0};
      case 'G':
        return Suffix{9, 0};
      case 'T':
        return Suffix{12, 0};
      case 'P':
        return Suffix{15, 0};
      case 'E':
        return Suffix{18, 0};
      default:
        return std::nullopt;
    }
  }
  if (s[0] == 'e' || s[0] == 'E') {
    std::string_view e = s.substr(1);
    bool neg = false;
    if (!e.empty() && (e[0] == '+' || e[0] == '-')) {
      neg = e[0] == '-';
      e.remove_prefix(1);
    }
    if (e.empty() || e.size() > 4 || e.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    int v = 0;
    for (char c : e) v = v * 10 + (c - '0');
    return Suffix{neg ? -v : v, 0};
  }
  return std::nullopt;
}

}  // namespace

Result<Quantity> Quantity::parse(std::string_view text) {
  if (text.empty()) return invalid(text, "empty");
  size_t i = 0;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    ++i;
  }
  int64_t mantissa = 0;
  int32_t exponent = 0;
  int significant = 0;
  size_t digits = 0;
  bool seenDot = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (seenDot) return invalid(text, "more than one decimal point");
      seenDot = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    ++digits;
    if (seenDot) --exponent;
    if (mantissa == 0 && c == '0') continue;  // leading zeros are not significant
    if (++significant > kMaxDigits) return invalid(text, "too many significant digits");
    mantissa = mantissa * 10 + (c - '0');
  }
  if (digits == 0) return invalid(text, "expected a number (e.g. 1, 500m, 2Gi)");
  std::optional<Suffix> suffix = parseSuffix(text.substr(i));
  if (!suffix) return invalid(text, "unknown suffix " + quoteValue(text.substr(i)));
  exponent += suffix->decimalExponent;
  for (int p = 0; p < suffix->binaryPower; ++p) {
    if (mulOverflows(mantissa, 1024, mantissa)) return invalid(text, "out of range");
  }
  if (mantissa == 0) {
    exponent = 0;
  } else {
    while (mantissa % 10 == 0) {
      mantissa /= 10;
      ++exponent;
    }
  }
  if (exponent > 1000 || exponent < -1000) return invalid(text, "exponent out of range");
  Quantity q;
  q.text_ = std::string(text);
  q.mantissa_ = negative ? -mantissa : mantissa;
  q.exponent_ = exponent;
  return q;
}

Result<Quantity> Quantity::fromJson(const rapidjson::Value& value) {
  if (value.IsString()) return parse(std::string_view(value.GetString(), value.GetStringLength()));
  if (value.IsNumber()) return parse(json::toString(value));
  return Status::InvalidArgument(std::string("expected quantity (string or number), got ") +
                                 std::string(json::typeName(value)));
}

Result<Quantity> Quantity::fromJson(const rapidjson::Value& value, std::string_view path) {
  Result<Quantity> q = fromJson(value);
  if (!q.ok()) return q.status().withContext(path);
  return q;
}

std::optional<int64_t> Quantity::integerValue() const {
  if (exponent_ < 0) return std::nullopt;  // normalized: a negative exponent means a fraction
  int64_t v = mantissa_;
  for (int32_t e = 0; e < exponent_; ++e) {
    if (mulOverflows(v, 10, v)) return std::nullopt;
  }
  return v;
}

int64_t Quantity::milliValue() const {
  int64_t v = mantissa_;
  int32_t e = exponent_ + 3;
  for (; e > 0; --e) {
    if (mulOverflows(v, 10, v))
      return mantissa_ < 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
  }
  // Fractions of a milli round away from zero, as Quantity.MilliValue() rounds up.
  bool remainder = false;
  for (; e < 0; ++e) {
    remainder = remainder || v % 10 != 0;
    v /= 10;
  }
  if (remainder) v += mantissa_ < 0 ? -1 : 1;
  return v;
}

Result<int64_t> wholeDevices(const Quantity& q, std::string_view field) {
  std::optional<int64_t> v = q.integerValue();
  if (!v) {
    return Status::InvalidArgument(std::string(field) + ": " + sanitizeText(q.text(), kMaxQuotedChars) +
                                   " is not a whole number of devices");
  }
  if (*v < 0) return Status::InvalidArgument(std::string(field) + ": " + q.text() + " is negative");
  return *v;
}

}  // namespace migwarden::admission
