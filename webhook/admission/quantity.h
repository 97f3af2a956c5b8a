// Kubernetes resource quantities ("1", "500m", "1e3", "2Gi"), as resource.Quantity
// parses them, held exactly as mantissa * 10^exponent. Extended resources such as
// nvidia.com/mig-1g.10gb are counted in whole devices: wholeDevices() refuses fractions.
// Thread-safety: value type.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "webhook/common/status.h"

namespace migwarden::admission {

class Quantity {
 public:
  Quantity() = default;

  // Grammar (k8s.io/apimachinery resource.Quantity): [+-] digits [. digits] then one of
  // a binary suffix (Ki Mi Gi Ti Pi Ei), a decimal suffix (n u m "" k M G T P E) or a
  // decimal exponent (e3, E-2). Error messages quote the text and say what is wrong.
  static Result<Quantity> parse(std::string_view text);
  // A JSON quantity: a string, or a bare number (the Go decoder accepts both).
  // Errors name `path`.
  static Result<Quantity> fromJson(const rapidjson::Value& value, std::string_view path);
  // The same without a path: errors read "expected quantity (string or number), got boolean"
  // or "invalid quantity ...", for the caller to prefix with its own path.
  static Result<Quantity> fromJson(const rapidjson::Value& value);

  const std::string& text() const { return text_; }  // as written (numbers: their JSON text)
  bool isZero() const { return mantissa_ == 0; }
  bool isNegative() const { return mantissa_ < 0; }
  // The exact integer value, or nullopt when fractional or beyond int64.
  std::optional<int64_t> integerValue() const;
  // Value in thousandths, rounded up like Quantity.MilliValue(); saturates at int64 limits.
  int64_t milliValue() const;

  bool operator==(const Quantity& o) const { return mantissa_ == o.mantissa_ && exponent_ == o.exponent_; }

 private:
  std::string text_;
  int64_t mantissa_ = 0;  // normalized: no trailing decimal zeros (exponent_ carries them)
  int32_t exponent_ = 0;
};

// Whole, non-negative device count. `field` names the quantity in errors, e.g.
// `container "train": resources.limits["nvidia.com/mig-1g.10gb"]: 500m is not a whole number of devices`.
Result<int64_t> wholeDevices(const Quantity& q, std::string_view field);

}  // namespace migwarden::admission
