// Iterates over the framed records of a log held in memory. Distinguishes the two kinds
// of damage recovery must treat differently:
//  - a torn tail: the last write was cut short by a crash (incomplete header or payload,
//    or a bad final record with nothing valid after it). Safe to drop: it was never
//    acknowledged, because acknowledgement waits for fsync of the whole record.
//  - corruption: a bad record followed by more data. Something damaged acknowledged
//    history; the caller reports it with the offset and decides (refuse or repair).
// Not thread-safe; the data must outlive the reader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "webhook/ledger/log_format.h"

namespace migwarden::ledger::log {

struct Record {
  RecordType type{};
  std::string_view payload;
  uint64_t offset = 0;  // of the header
};

class Reader {
 public:
  enum class Next { kRecord, kEnd, kTornTail, kCorruption };

  explicit Reader(std::string_view data) : data_(data) {}

  // kRecord fills *record. After kTornTail or kCorruption, offset() is where the damage
  // starts (= the length of the valid prefix) and error() says what was wrong.
  Next next(Record* record);
  uint64_t offset() const { return pos_; }
  const std::string& error() const { return error_; }

 private:
  // A damaged record at pos_: torn tail if nothing after it parses, otherwise corruption.
  Next damaged(std::string what, size_t recordEnd);

  std::string_view data_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace migwarden::ledger::log
