#include "webhook/ledger/log_writer.h"

#include "webhook/ledger/crc32c.h"

namespace migwarden::ledger::log {

bool isKnownType(uint8_t type) {
  return (type >= static_cast<uint8_t>(RecordType::kNodeReport) && type <= static_cast<uint8_t>(RecordType::kExpiry)) ||
         type == static_cast<uint8_t>(RecordType::kSnapshot);
}

void putFixed32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}

void putFixed64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}

uint32_t decodeFixed32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} | (uint32_t{u[1]} << 8) | (uint32_t{u[2]} << 16) | (uint32_t{u[3]} << 24);
}

uint64_t decodeFixed64(const char* p) {
  return uint64_t{decodeFixed32(p)} | (uint64_t{decodeFixed32(p + 4)} << 32);
}

void appendRecord(std::string& out, RecordType type, std::string_view payload) {
  const char typeByte = static_cast<char>(type);
  uint32_t crc = crc32c::extend(0, &typeByte, 1);
  crc = crc32c::extend(crc, payload.data(), payload.size());
  putFixed32(out, crc32c::mask(crc));
  putFixed32(out, static_cast<uint32_t>(payload.size()));
  out.push_back(typeByte);
  out.append(payload);
}

}  // namespace migwarden::ledger::log
