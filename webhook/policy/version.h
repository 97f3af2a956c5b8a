// Dotted numeric versions: CUDA toolkits ("12.4", "12.4.1"), Linux drivers ("550.54.15",
// "570.26"), compute capabilities ("8.0"). Comparison follows libnvidia-container's
// NVIDIA_REQUIRE_* rule: numeric per component, missing components count as 0, so
// "12.4" == "12.4.0". parse() is the only place that reads version text; everything at
// request time compares the parsed form. Value type, thread-compatible.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "webhook/common/status.h"

namespace migwarden::policy {

class Version {
 public:
  static constexpr size_t kMaxComponents = 4;

  Version() = default;
  Version(std::initializer_list<uint32_t> parts);

  // Accepts 1..4 dot-separated decimal components, each at most 9 digits; no signs, no
  // spaces, no empty components. Errors say what is wrong with the text.
  static Result<Version> parse(std::string_view text);

  size_t size() const { return count_; }  // how many components the text had
  bool empty() const { return count_ == 0; }
  uint32_t major() const { return parts_[0]; }
  uint32_t minor() const { return parts_[1]; }
  uint32_t patch() const { return parts_[2]; }
  uint32_t component(size_t i) const { return i < kMaxComponents ? parts_[i] : 0; }

  // The version cut to its first n components ("12.4.1" -> 2 -> "12.4").
  Version truncated(size_t n) const;
  // Text as parsed (zero padding kept): "580.65.06".
  std::string toString() const;

  friend std::strong_ordering operator<=>(const Version& a, const Version& b) { return a.parts_ <=> b.parts_; }
  friend bool operator==(const Version& a, const Version& b) { return a.parts_ == b.parts_; }

 private:
  std::array<uint32_t, kMaxComponents> parts_{};
  // Digits as written, so "535.104.05" prints back as written (drivers zero-pad);
  // ignored by comparison.
  std::array<uint8_t, kMaxComponents> widths_{};
  uint8_t count_ = 0;
};

}  // namespace migwarden::policy
