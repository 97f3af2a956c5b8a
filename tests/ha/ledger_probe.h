// Reads the replicas' ledger views (GET /ledger/v1/nodes) to check that they agree with
// each other and with what clients were told. Every wait polls with a deadline: a
// replica's view follows etcd through a watch, so it is eventually, not instantly,
// current.
//
// Thread-safety: as ReplicaSet (one controlling thread while replicas restart).
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "tests/ha/replica_set.h"

namespace migwarden::testing::ha {

inline constexpr std::chrono::milliseconds kConvergence{15'000};

class LedgerProbe {
 public:
  explicit LedgerProbe(ReplicaSet& replicas) : replicas_(replicas) {}

  // Every running replica lists `node` at `sequence` (or later).
  bool waitForNode(const std::string& node, int64_t sequence, std::chrono::milliseconds timeout = kConvergence);
  // Every running replica knows each of `uids` (pending or reserved).
  bool waitForPods(const std::set<std::string>& uids, std::chrono::milliseconds timeout = kConvergence);

  // Pod uids holding a reservation in replica i's view; nullopt when it does not answer.
  std::optional<std::set<std::string>> reservedPods(int i);

  // Every running replica's reservations are exactly `expected` (waits for convergence).
  ::testing::AssertionResult reservationsConvergeTo(const std::set<std::string>& expected,
                                                    std::chrono::milliseconds timeout = kConvergence);
  // Every running replica's view holds at least `acknowledged`.
  ::testing::AssertionResult reservationsInclude(const std::set<std::string>& acknowledged,
                                                 std::chrono::milliseconds timeout = kConvergence);
  // In every running replica's view of `node`: bound + reserved <= healthy for `resource`,
  // and the reservations listed on the node number exactly its `reserved` count.
  ::testing::AssertionResult notOverAllocated(const std::string& node, const std::string& resource);

 private:
  ReplicaSet& replicas_;
};

}  // namespace migwarden::testing::ha
