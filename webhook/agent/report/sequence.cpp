#include "webhook/agent/report/sequence.h"

#include <algorithm>
#include <charconv>

namespace migwarden::agent {

SequenceCounter SequenceCounter::startingAtWallClock(const Clock& clock) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch()).count();
  return SequenceCounter(std::max<int64_t>(1, ms));
}

void SequenceCounter::jumpPast(int64_t seen) {
  if (seen < INT64_MAX) next_ = std::max(next_, seen + 1);
}

std::optional<int64_t> lastAcceptedSequence(std::string_view body) {
  constexpr std::string_view kMarker = "last accepted ";
  const size_t at = body.find(kMarker);
  if (at == std::string_view::npos) return std::nullopt;
  const char* begin = body.data() + at + kMarker.size();
  const char* end = body.data() + body.size();
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr == begin || value < 0) return std::nullopt;
  return value;
}

}  // namespace migwarden::agent
