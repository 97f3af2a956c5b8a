// Report sequence numbers. The ledger refuses (409) a report whose `sequence` is lower
// than the last one it accepted for the same boot id, so the numbers must keep growing
// across agent restarts within one boot.
//
// Choice: start from the wall clock in milliseconds when the agent starts, then +1 per
// report. A restarted agent starts above everything its predecessor sent as long as that
// one sent fewer than one report per millisecond (it sends at most one per poll
// interval), and nothing has to be persisted (a DaemonSet pod has no durable writable
// volume without a hostPath). If the wall clock steps backwards, the 409's
// "last accepted N" lets the agent jump past N (jumpPast) and carry on.
//
// Thread-safety: not thread-safe; the report loop owns it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "webhook/common/clock.h"

namespace migwarden::agent {

class SequenceCounter {
 public:
  explicit SequenceCounter(int64_t first) : next_(first) {}
  // Milliseconds since the Unix epoch (never below 1).
  static SequenceCounter startingAtWallClock(const Clock& clock);

  // The number for the next report; every call returns a larger one.
  int64_t take() { return next_++; }
  // Makes the next number larger than `seen` (a value the ledger already accepted).
  void jumpPast(int64_t seen);
  int64_t peek() const { return next_; }

 private:
  int64_t next_;
};

// The "last accepted N" from a 409 answer's message; nullopt when absent.
std::optional<int64_t> lastAcceptedSequence(std::string_view conflictBody);

}  // namespace migwarden::agent
