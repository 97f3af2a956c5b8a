// AuditLog: the tamper-evident audit log the webhook writes one record to per admission
// decision and per ledger change (docs/audit.md).
//
// Request threads call append(), which serializes the record and queues it; it never
// waits for the disk. One writer thread drains the queue in batches: it chains each record
// (seq, prev, hash), writes the batch and fdatasyncs once. When the sink fails (write or
// fsync error, e.g. disk full) the error is latched: the file's state is unknown, so no
// further record is written until the process restarts (LevelDB's rule for its log).
//
// Failure policy (--audit-failure): in kDeny mode the webhook must deny requests that
// would change state while acceptingWrites() is false, so nothing happens unaudited; in
// kAllow mode it keeps serving and only the failure counter moves.
//
// Thread-safety: every public method may be called from any thread. The destructor
// drains the queue and syncs (graceful shutdown); it must not race with append().
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "webhook/audit/audit_record.h"
#include "webhook/audit/chain_writer.h"
#include "webhook/common/clock.h"
#include "webhook/common/env.h"
#include "webhook/common/metrics.h"
#include "webhook/common/status.h"

namespace migwarden::audit {

enum class AuditFailureMode { kDeny, kAllow };
// "deny" | "allow" (the --audit-failure flag); nullopt otherwise.
std::optional<AuditFailureMode> parseAuditFailureMode(std::string_view text);

struct AuditLogOptions {
  std::string path;                     // --audit-log; "-" = stdout
  std::string hmacKey;                  // contents of --audit-hmac-key (loadHmacKeyFile); empty = SHA-256
  uint64_t maxFileBytes = 100ull << 20; // --audit-max-bytes; 0 = never rotate
  uint32_t keepRotated = 10;            // --audit-keep; 0 = keep every rotated file
  size_t queueCapacity = 16384;         // records waiting for the writer; more are refused
  size_t maxBatch = 1024;               // records per write + fdatasync
  AuditFailureMode failureMode = AuditFailureMode::kDeny;  // --audit-failure deny|allow
};

class AuditLog {
 public:
  // Opens (or creates) the log, resumes the chain from the files on disk, and starts the
  // writer thread. Fails when the directory is unusable or the existing chain's last
  // record does not verify with `options.hmacKey`.
  static Result<std::unique_ptr<AuditLog>> open(AuditLogOptions options, Env& env, const Clock& clock,
                                                MetricsRegistry& metrics);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Queues one record (time stamped now if unset). Returns false when the record was not
  // accepted (queue full, sink failed or log closing); that is counted as a failure.
  bool append(AuditRecord record);

  // OK, or the latched sink error.
  Status health() const;
  // False in kDeny mode while the sink has failed or the queue is full: the caller must
  // then deny requests that change state. Always true in kAllow mode.
  bool acceptingWrites() const;
  AuditFailureMode failureMode() const { return options_.failureMode; }

  // Blocks until every record appended before the call is written and synced (or failed).
  void flush();

  const ResumeInfo& resumeInfo() const { return resume_; }

 private:
  AuditLog(AuditLogOptions options, const Clock& clock, MetricsRegistry& metrics,
           std::unique_ptr<ChainWriter> writer);
  void run();
  void writeBatch(std::deque<std::string>& batch);

  const AuditLogOptions options_;
  const Clock& clock_;
  Counter& recordsTotal_;
  Counter& failuresTotal_;
  Gauge& queueDepth_;
  std::unique_ptr<ChainWriter> writer_;  // writer thread only (and the destructor after join)
  ResumeInfo resume_;

  mutable std::mutex mu_;
  std::condition_variable workReady_;
  std::condition_variable progress_;
  std::deque<std::string> queue_;  // canonical record bodies
  uint64_t enqueued_ = 0;          // records accepted by append()
  uint64_t processed_ = 0;         // records the writer finished with (written or failed)
  bool stopping_ = false;
  Status sinkError_;               // latched
  std::thread thread_;
};

}  // namespace migwarden::audit
