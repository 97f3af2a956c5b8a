#include "webhook/policy/version.h"

#include <algorithm>

namespace migwarden::policy {

Version::Version(std::initializer_list<uint32_t> parts) {
  for (uint32_t p : parts) {
    if (count_ == kMaxComponents) break;
    parts_[count_++] = p;
  }
}

Result<Version> Version::parse(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("empty version");
  Version v;
  size_t digits = 0;
  uint64_t current = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '.') {
      if (digits == 0) {
        return Status::InvalidArgument("version \"" + std::string(text) + "\" has an empty component");
      }
      if (v.count_ == kMaxComponents) {
        return Status::InvalidArgument("version \"" + std::string(text) + "\" has more than 4 components");
      }
      v.widths_[v.count_] = static_cast<uint8_t>(digits);
      v.parts_[v.count_++] = static_cast<uint32_t>(current);
      digits = 0;
      current = 0;
      continue;
    }
    char c = text[i];
    if (c < '0' || c > '9') {
      return Status::InvalidArgument("version \"" + std::string(text) + "\" is not dotted numbers (unexpected '" +
                                     std::string(1, c) + "')");
    }
    if (++digits > 9) return Status::InvalidArgument("version \"" + std::string(text) + "\" has a component too long");
    current = current * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

Version Version::truncated(size_t n) const {
  Version v;
  v.count_ = static_cast<uint8_t>(std::min<size_t>(n, count_));
  for (size_t i = 0; i < v.count_; ++i) {
    v.parts_[i] = parts_[i];
    v.widths_[i] = widths_[i];
  }
  return v;
}

std::string Version::toString() const {
  std::string out;
  for (size_t i = 0; i < count_; ++i) {
    if (i) out += '.';
    std::string digits = std::to_string(parts_[i]);
    if (digits.size() < widths_[i]) out.append(widths_[i] - digits.size(), '0');
    out += digits;
  }
  return out;
}

}  // namespace migwarden::policy
