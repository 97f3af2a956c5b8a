// openLedgerForReading: `migwardenctl ledger show --ledger-dir` must never change the
// directory it inspects, even when recovery would (torn tail, stale temp file).
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/ledger/ledger_test_util.h"
#include "tests/support/temp_dir.h"
#include "webhook/ledger/api/read_only_ledger.h"

namespace migwarden::ledger::testutil {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(ReadOnlyLedger, ShowsTheStateWithoutChangingAByte) {
  StoreFixture f;
  NodeReport report = a100Node("gpu-a");
  allocate(report, "uid-1", "train", kMig1g, {migUuid("gpu-a", 0, 0)});
  ASSERT_TRUE(f.store().applyNodeReport(report).ok());
  ASSERT_TRUE(f.store().reserve(reserveRequest("uid-2", "gpu-a", 2)).ok());
  f.close();
  {
    // A crash mid-append leaves a torn record; a LocalStore opened for writing truncates it.
    std::ofstream log(f.logPath(), std::ios::binary | std::ios::app);
    log << "\x07\x01";
  }
  testing::writeFile(f.dir() + "/LEDGER.snapshot.tmp", "half a snapshot");
  const std::string before = slurp(f.logPath());
  const auto namesBefore = entries(f.dir());

  PosixEnv posix;
  DiscardWritesEnv env(posix);
  SystemClock clock;
  auto store = openLedgerForReading(f.dir(), env, clock);
  ASSERT_TRUE(store.ok()) << store.status().toString();
  LedgerView view = (*store)->view();
  ASSERT_EQ(view.nodes.size(), 1u);
  EXPECT_EQ(view.nodes[0].name, "gpu-a");
  ASSERT_EQ(view.reservations.size(), 1u);
  EXPECT_EQ(view.reservations[0].podUid, "uid-2");
  store->reset();

  EXPECT_EQ(slurp(f.logPath()), before);
  EXPECT_EQ(entries(f.dir()), namesBefore);
}

TEST(ReadOnlyLedger, DirectoryWithoutALedgerIsNotFound) {
  testing::TempDir empty;
  PosixEnv posix;
  DiscardWritesEnv env(posix);
  SystemClock clock;
  auto store = openLedgerForReading(empty.path(), env, clock);
  EXPECT_EQ(store.status().code(), StatusCode::kNotFound);
  auto missing = openLedgerForReading(empty.file("no-such-dir"), env, clock);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(empty.file("no-such-dir")));
}

}  // namespace
}  // namespace migwarden::ledger::testutil
