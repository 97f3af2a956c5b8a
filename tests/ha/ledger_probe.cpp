#include "tests/ha/ledger_probe.h"

#include <algorithm>
#include <iterator>

namespace migwarden::testing::ha {

using nlohmann::json;

namespace {

std::string describeDifference(int replica, const std::set<std::string>& want, const std::set<std::string>& have) {
  std::vector<std::string> missing, extra;
  std::set_difference(want.begin(), want.end(), have.begin(), have.end(), std::back_inserter(missing));
  std::set_difference(have.begin(), have.end(), want.begin(), want.end(), std::back_inserter(extra));
  std::string text = "replica " + std::to_string(replica) + " holds " + std::to_string(have.size()) +
                     " reservations, expected " + std::to_string(want.size());
  auto list = [](const std::vector<std::string>& uids) {
    std::string s;
    for (size_t i = 0; i < uids.size() && i < 10; ++i) s += (i ? ", " : "") + uids[i];
    return uids.size() > 10 ? s + ", ..." : s;
  };
  if (!missing.empty()) text += "; missing: " + list(missing);
  if (!extra.empty()) text += "; unexpected: " + list(extra);
  return text;
}

}  // namespace

bool LedgerProbe::waitForNode(const std::string& node, int64_t sequence, std::chrono::milliseconds timeout) {
  return pollUntil(
      [&] {
        for (int i = 0; i < replicas_.size(); ++i) {
          if (!replicas_.running(i)) continue;
          auto view = replicas_.ledgerView(i);
          if (!view) return false;
          bool seen = false;
          for (const json& n : (*view)["nodes"])
            seen = seen || (n.value("name", "") == node && n.value("sequence", int64_t{-1}) >= sequence);
          if (!seen) return false;
        }
        return true;
      },
      timeout);
}

bool LedgerProbe::waitForPods(const std::set<std::string>& uids, std::chrono::milliseconds timeout) {
  return pollUntil(
      [&] {
        for (int i = 0; i < replicas_.size(); ++i) {
          if (!replicas_.running(i)) continue;
          auto view = replicas_.ledgerView(i);
          if (!view) return false;
          std::set<std::string> known;
          for (const char* list : {"pending", "reservations"})
            for (const json& p : (*view)[list]) known.insert(p.value("podUid", ""));
          if (!std::includes(known.begin(), known.end(), uids.begin(), uids.end())) return false;
        }
        return true;
      },
      timeout, std::chrono::milliseconds(25));
}

std::optional<std::set<std::string>> LedgerProbe::reservedPods(int i) {
  auto view = replicas_.ledgerView(i);
  if (!view) return std::nullopt;
  std::set<std::string> uids;
  for (const json& r : (*view)["reservations"]) uids.insert(r.value("podUid", ""));
  return uids;
}

::testing::AssertionResult LedgerProbe::reservationsConvergeTo(const std::set<std::string>& expected,
                                                               std::chrono::milliseconds timeout) {
  std::string last;
  bool ok = pollUntil(
      [&] {
        for (int i = 0; i < replicas_.size(); ++i) {
          if (!replicas_.running(i)) continue;
          auto have = reservedPods(i);
          if (!have) {
            last = "replica " + std::to_string(i) + " did not answer GET /ledger/v1/nodes";
            return false;
          }
          if (*have != expected) {
            last = describeDifference(i, expected, *have);
            return false;
          }
        }
        return true;
      },
      timeout, std::chrono::milliseconds(25));
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << last;
}

::testing::AssertionResult LedgerProbe::reservationsInclude(const std::set<std::string>& acknowledged,
                                                            std::chrono::milliseconds timeout) {
  std::string last;
  bool ok = pollUntil(
      [&] {
        for (int i = 0; i < replicas_.size(); ++i) {
          if (!replicas_.running(i)) continue;
          auto have = reservedPods(i);
          if (!have) {
            last = "replica " + std::to_string(i) + " did not answer GET /ledger/v1/nodes";
            return false;
          }
          if (!std::includes(have->begin(), have->end(), acknowledged.begin(), acknowledged.end())) {
            std::set<std::string> shown;
            std::set_intersection(have->begin(), have->end(), acknowledged.begin(), acknowledged.end(),
                                  std::inserter(shown, shown.end()));
            last = describeDifference(i, acknowledged, shown);
            return false;
          }
        }
        return true;
      },
      timeout, std::chrono::milliseconds(25));
  if (ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "acknowledged reservations lost: " << last;
}

::testing::AssertionResult LedgerProbe::notOverAllocated(const std::string& node, const std::string& resource) {
  for (int i = 0; i < replicas_.size(); ++i) {
    if (!replicas_.running(i)) continue;
    auto view = replicas_.ledgerView(i);
    if (!view) return ::testing::AssertionFailure() << "replica " << i << " did not answer GET /ledger/v1/nodes";
    int64_t listed = 0;
    for (const json& r : (*view)["reservations"])
      if (r.value("node", "") == node) listed += r["needs"].value(resource, int64_t{0});
    for (const json& n : (*view)["nodes"]) {
      if (n.value("name", "") != node) continue;
      for (const json& r : n["resources"]) {
        if (r.value("resource", "") != resource) continue;
        int64_t healthy = r.value("healthy", int64_t{0}), bound = r.value("bound", int64_t{0}),
                reserved = r.value("reserved", int64_t{0}), free = r.value("free", int64_t{0});
        if (bound + reserved > healthy || free < 0)
          return ::testing::AssertionFailure() << "replica " << i << " over-allocates " << node << ": " << r.dump();
        if (reserved != listed)
          return ::testing::AssertionFailure() << "replica " << i << ": " << node << " counts " << reserved
                                               << " reserved but the reservations list " << listed;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace migwarden::testing::ha
