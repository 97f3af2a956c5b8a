#include "webhook/ledger/api/read_only_ledger.h"

namespace migwarden::ledger {
namespace {

class DiscardingFile final : public WritableFile {
 public:
  Status append(std::string_view) override { return Status::Ok(); }
  Status sync() override { return Status::Ok(); }
  Status close() override { return Status::Ok(); }
};

}  // namespace

Result<std::unique_ptr<WritableFile>> DiscardWritesEnv::newAppendableFile(const std::string&) {
  return std::unique_ptr<WritableFile>(std::make_unique<DiscardingFile>());
}

Result<std::unique_ptr<WritableFile>> DiscardWritesEnv::newWritableFile(const std::string&) {
  return std::unique_ptr<WritableFile>(std::make_unique<DiscardingFile>());
}

Result<std::unique_ptr<LocalStore>> openLedgerForReading(const std::string& dir, DiscardWritesEnv& env,
                                                         const Clock& clock) {
  if (!env.fileExists(dir + "/" + LocalStore::kLogName) && !env.fileExists(dir + "/" + LocalStore::kSnapshotName))
    return Status::NotFound("no ledger in " + dir + " (expected " + LocalStore::kLogName + " or " +
                            LocalStore::kSnapshotName + ")");
  LocalStoreOptions options;
  options.dir = dir;
  options.env = &env;
  options.clock = &clock;
  options.snapshotEveryRecords = 0;  // never write, not even to the overlay
  return LocalStore::open(std::move(options));
}

}  // namespace migwarden::ledger
