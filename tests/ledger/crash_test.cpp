// The hard way: a writer process making acknowledged reservations and releases is
// killed with SIGKILL at random points, many times; after each kill the ledger is
// recovered and every acknowledged change must be there.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <deque>
#include <map>
#include <random>
#include <sstream>

#include "tests/ledger/ledger_test_util.h"
#include "tests/support/temp_dir.h"

namespace migwarden::ledger {
namespace {

using namespace testutil;

constexpr int kWindow = 30;  // live reservations the writer keeps (node has 56 slices)

LocalStoreOptions optionsFor(const std::string& dir, Env* env, const Clock* clock) {
  LocalStoreOptions o;
  o.dir = dir;
  o.env = env;
  o.clock = clock;
  o.snapshotEveryRecords = 25;  // so kills also land during snapshots and truncations
  return o;
}

void say(int fd, const std::string& line) {
  std::string l = line + "\n";
  (void)!::write(fd, l.data(), l.size());  // < PIPE_BUF: atomic
}

// Runs in the child. Protocol: "r uid" before a reserve, "R uid" once acknowledged;
// "x uid" before a release, "X uid" once acknowledged.
[[noreturn]] void writer(const std::string& dir, int fd, int round) {
  PosixEnv env;
  SystemClock clock;
  auto store = LocalStore::open(optionsFor(dir, &env, &clock));
  if (!store.ok()) _exit(3);
  std::deque<std::string> live;
  for (const Reservation& r : (*store)->view().reservations) live.push_back(r.podUid);
  for (int i = 0;; ++i) {
    if (static_cast<int>(live.size()) >= kWindow) {
      const std::string uid = live.front();
      live.pop_front();
      say(fd, "x " + uid);
      if (!(*store)->release(uid).ok()) _exit(4);
      say(fd, "X " + uid);
    } else {
      const std::string uid = numbered(numbered("k", round) + "-", i);
      ReserveRequest req = reserveRequest(uid, "gpu-a", 1);
      req.ttl = std::chrono::hours(24);
      say(fd, "r " + uid);
      if (!(*store)->reserve(req).ok()) _exit(5);
      say(fd, "R " + uid);
      live.push_back(uid);
    }
  }
}

enum class Known { kReserving, kReserved, kReleasing, kReleased };

TEST(LedgerCrashRecovery, EveryAcknowledgedChangeSurvivesSigkillAtRandomPoints) {
  testing::TempDir dir;
  PosixEnv env;
  SystemClock clock;
  {
    auto store = LocalStore::open(optionsFor(dir.path(), &env, &clock));
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->applyNodeReport(a100Node("gpu-a", 8)).ok());
  }
  std::mt19937 rng(20261127);
  std::map<std::string, Known> known;
  int totalAcks = 0;
  for (int round = 0; round < 30; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      writer(dir.path(), fds[1], round);
    }
    ::close(fds[1]);
    const int killAfter = std::uniform_int_distribution<int>(1, 60)(rng);
    int acks = 0;
    bool killed = false;
    std::string buffer;
    char chunk[4096];
    for (;;) {
      ssize_t n = ::read(fds[0], chunk, sizeof chunk);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<size_t>(n));
      size_t nl;
      while ((nl = buffer.find('\n')) != std::string::npos) {
        const std::string line = buffer.substr(0, nl);
        buffer.erase(0, nl + 1);
        const std::string uid = line.substr(2);
        switch (line[0]) {
          case 'r': known[uid] = Known::kReserving; break;
          case 'R': known[uid] = Known::kReserved; ++acks; break;
          case 'x': known[uid] = Known::kReleasing; break;
          case 'X': known[uid] = Known::kReleased; ++acks; break;
        }
      }
      if (!killed && acks >= killAfter) {
        ::kill(pid, SIGKILL);
        killed = true;
      }
    }
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited early with " << WEXITSTATUS(status);
    totalAcks += acks;

    auto store = LocalStore::open(optionsFor(dir.path(), &env, &clock));
    ASSERT_TRUE(store.ok()) << "round " << round << ": " << store.status().toString();
    int live = 0;
    for (auto& [uid, state] : known) {
      const bool present = (*store)->reservationOf(uid).has_value();
      if (state == Known::kReserved) {
        EXPECT_TRUE(present) << "acknowledged reservation lost: " << uid;
      }
      if (state == Known::kReleased) {
        EXPECT_FALSE(present) << "acknowledged release lost: " << uid;
      }
      // In flight when killed: either outcome is correct; settle it for the next round.
      if (state == Known::kReserving || state == Known::kReleasing) {
        state = present ? Known::kReserved : Known::kReleased;
      }
      if (present) ++live;
    }
    EXPECT_EQ((*store)->freeSlices("gpu-a", kMig1g), 56 - live);
  }
  EXPECT_GT(totalAcks, 30);
}

}  // namespace
}  // namespace migwarden::ledger
