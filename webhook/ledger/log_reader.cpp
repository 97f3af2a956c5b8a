#include "webhook/ledger/log_reader.h"

#include "webhook/ledger/crc32c.h"
#include "webhook/ledger/log_writer.h"

namespace migwarden::ledger::log {
namespace {

bool allZero(std::string_view s) { return s.find_first_not_of('\0') == std::string_view::npos; }

}  // namespace

Reader::Next Reader::damaged(std::string what, size_t recordEnd) {
  error_ = "offset " + std::to_string(pos_) + ": " + what;
  // The crash-torn case: nothing (or only zero fill left by a filesystem that extended
  // the file before the data landed) follows the bad record.
  if (recordEnd >= data_.size() || allZero(data_.substr(recordEnd))) return Next::kTornTail;
  return Next::kCorruption;
}

Reader::Next Reader::next(Record* record) {
  if (pos_ == data_.size()) return Next::kEnd;
  std::string_view rest = data_.substr(pos_);
  if (rest.size() < kHeaderSize) {
    return damaged("incomplete record header (" + std::to_string(rest.size()) + " bytes)", data_.size());
  }
  if (allZero(rest.substr(0, kHeaderSize))) return damaged("zero-filled record header", pos_ + kHeaderSize);
  const uint32_t storedCrc = crc32c::unmask(decodeFixed32(rest.data()));
  const uint32_t length = decodeFixed32(rest.data() + 4);
  const auto type = static_cast<uint8_t>(rest[8]);
  if (length > kMaxPayload) return damaged("record length " + std::to_string(length) + " is implausible", data_.size());
  if (rest.size() - kHeaderSize < length) {
    return damaged("record of " + std::to_string(length) + " bytes is cut short", data_.size());
  }
  const size_t end = pos_ + kHeaderSize + length;
  const uint32_t actualCrc = crc32c::extend(0, rest.data() + 8, 1 + size_t{length});
  if (actualCrc != storedCrc) return damaged("checksum mismatch", end);
  if (!isKnownType(type)) return damaged("unknown record type " + std::to_string(type), end);
  record->type = static_cast<RecordType>(type);
  record->payload = rest.substr(kHeaderSize, length);
  record->offset = pos_;
  pos_ = end;
  return Next::kRecord;
}

}  // namespace migwarden::ledger::log
