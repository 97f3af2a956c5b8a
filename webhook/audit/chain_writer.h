// ChainWriter: the synchronous half of the audit log. Appends chained lines to the active
// file, syncs on commit(), rotates by size, and on open resumes the chain from what is on
// disk. Not thread-safe: AuditLog's writer thread is its only user.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "webhook/audit/chain.h"
#include "webhook/common/env.h"
#include "webhook/common/status.h"

namespace migwarden::audit {

struct ChainWriterOptions {
  std::string path;            // active file; "-" = stdout (no fsync, no rotation)
  std::string hmacKey;         // empty: plain SHA-256 chain
  uint64_t maxFileBytes = 0;   // rotate before a line would grow the file past this; 0 = never
  uint32_t keepRotated = 0;    // rotated files kept; older ones are deleted; 0 = keep all
};

// What open() found on disk.
struct ResumeInfo {
  uint64_t lastSeq = 0;          // 0: a new chain starts at seq 1
  std::string resumedFrom;       // file holding the last record ("" for a new chain)
  uint64_t tornBytesDropped = 0; // an incomplete last line (crash mid-write) cut off the active file
};

class ChainWriter {
 public:
  static Result<std::unique_ptr<ChainWriter>> open(const ChainWriterOptions& options, Env& env);
  ~ChainWriter();
  ChainWriter(const ChainWriter&) = delete;
  ChainWriter& operator=(const ChainWriter&) = delete;

  // Chains one canonical record body (encodeRecordBody) into the pending batch; rotates
  // first when the line would overflow the active file.
  Status add(std::string_view body);
  // Writes the pending batch and makes it durable (one fdatasync).
  Status commit();
  // Syncs and closes the active file.
  Status close();

  uint64_t lastSeq() const { return lastSeq_; }
  const std::string& lastHash() const { return lastHash_; }
  const ResumeInfo& resumeInfo() const { return resume_; }

 private:
  ChainWriter(ChainWriterOptions options, Env& env);
  Status resume();
  Status openActive();
  Status rotate();
  Status pruneRotated();

  ChainWriterOptions options_;
  Env& env_;
  ChainHasher hasher_;
  std::unique_ptr<WritableFile> file_;
  bool stdout_ = false;
  uint64_t fileBytes_ = 0;       // durable-or-pending size of the active file
  uint64_t fileFirstSeq_ = 0;    // seq of the active file's first line (0: empty file)
  uint64_t lastSeq_ = 0;
  std::string lastHash_{kGenesisHash};
  std::string pending_;
  Status broken_;  // latched write/sync error: the file's tail is unknown, write nothing more
  ResumeInfo resume_;
};

}  // namespace migwarden::audit
