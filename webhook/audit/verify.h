// Verifies an audit chain spread over files (in chain order) and names the first problem.
// Used by `migwardenctl audit verify` and by tests; reads through Env. Stateless.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/audit/chain.h"
#include "webhook/common/env.h"
#include "webhook/common/status.h"

namespace migwarden::audit {

enum class ProblemKind {
  kTruncated,  // the last line is incomplete (cut mid-record)
  kAltered,    // a record's bytes do not match its hash, it is not valid JSON, or a link broke
  kRemoved,    // one or more sequence numbers are missing
  kReordered,  // a record appears before one with a lower sequence number
  kInserted,   // a record that does not belong in the chain
};
std::string_view problemKindName(ProblemKind kind);

struct VerifyProblem {
  ProblemKind kind = ProblemKind::kAltered;
  std::string file;
  uint64_t line = 0;             // 1-based
  std::optional<uint64_t> seq;   // absent when the line could not be read
  std::string detail;
};

struct VerifyReport {
  uint64_t records = 0;   // records checked before the problem (all of them when intact)
  uint64_t firstSeq = 0;
  uint64_t lastSeq = 0;
  bool fromGenesis = false;  // the first record is seq 1; otherwise older files were rotated away
  std::optional<VerifyProblem> problem;
};

// Errors only for unreadable files; chain problems are reported in VerifyReport::problem.
Result<VerifyReport> verifyChain(const std::vector<std::string>& files, const ChainHasher& hasher, Env& env);

// "audit.log line 7 (seq 42): removed: records seq 40..41 are missing"
std::string describeProblem(const VerifyProblem& problem);

}  // namespace migwarden::audit
