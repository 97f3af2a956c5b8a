// CRC32C (Castagnoli, polynomial 0x82F63B78), table-driven, for the ledger's log and
// snapshot framing. The stored form is masked (LevelDB's trick) so that a CRC computed
// over data that itself contains CRCs does not degenerate. Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace migwarden::ledger::crc32c {

// Extends `crc` (the CRC of some prefix) with `data`. Start with 0.
uint32_t extend(uint32_t crc, const void* data, size_t n);
inline uint32_t value(std::string_view data) { return extend(0, data.data(), data.size()); }

inline constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace migwarden::ledger::crc32c
