// Opens a ledger directory for inspection (`migwardenctl ledger show --ledger-dir`)
// without changing a byte in it: the recovery a LocalStore runs on open (dropping a
// torn tail, removing a stale snapshot temp file, creating the log) goes to an overlay
// that is thrown away. Safe next to a running webhook; the result is a point-in-time
// view that may miss records written while it was being read.
//
// LocalStore has no read-only mode, so this wraps its Env instead: reads pass through
// to the real files, every write is accepted and discarded.
#pragma once

#include <memory>
#include <string>

#include "webhook/common/clock.h"
#include "webhook/common/env.h"
#include "webhook/common/status.h"
#include "webhook/ledger/local_store.h"

namespace migwarden::ledger {

// An Env whose reads go to `base` and whose writes succeed without touching anything.
// Thread-safe if `base` is; `base` must outlive it.
class DiscardWritesEnv final : public EnvWrapper {
 public:
  explicit DiscardWritesEnv(Env& base) : EnvWrapper(base) {}
  Result<std::unique_ptr<WritableFile>> newAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> newWritableFile(const std::string& path) override;
  Status renameFile(const std::string&, const std::string&) override { return Status::Ok(); }
  Status removeFile(const std::string&) override { return Status::Ok(); }
  Status truncateFile(const std::string&, uint64_t) override { return Status::Ok(); }
  Status createDirs(const std::string&) override { return Status::Ok(); }
  Status syncDir(const std::string&) override { return Status::Ok(); }
  // Reading needs no lock: a running webhook keeps its own, and the reader writes nothing.
  Result<std::unique_ptr<FileLock>> lockFile(const std::string&) override { return std::make_unique<FileLock>(); }
};

// A LocalStore recovered from `dir` through a DiscardWritesEnv. NotFound when the
// directory holds neither a log nor a snapshot (a typo should not show an empty ledger);
// Corruption as LocalStore::open reports it. `env` and `clock` must outlive the store.
Result<std::unique_ptr<LocalStore>> openLedgerForReading(const std::string& dir, DiscardWritesEnv& env,
                                                         const Clock& clock);

}  // namespace migwarden::ledger
