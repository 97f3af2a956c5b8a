// Concurrent AdmissionReview traffic against a ReplicaSet, as several kube-apiservers
// (or one apiserver's many connections) send it: `threads` clients, each with one
// keep-alive TLS connection per replica, work through a list of items; item k goes to
// replica k % replicas. With failOver, a request whose replica does not answer (killed,
// refusing) is sent to the next replica, as the apiserver retries through the Service.
//
// Thread-safety: the constructor starts the clients; allowed()/answered() may be read
// from any thread while they run; join() and the result accessors are for the owner.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/ha/replica_set.h"

namespace migwarden::testing::ha {

struct LoadOptions {
  std::vector<int> items;
  std::function<nlohmann::json(int item)> review;  // must be thread-safe
  int threads = 6;
  bool failOver = false;
};

struct ItemOutcome {
  Verdict verdict;
  int replica = -1;  // the replica that answered (or was tried last)
};

class ReviewLoad {
 public:
  ReviewLoad(const ReplicaSet& replicas, LoadOptions options);
  ~ReviewLoad();  // joins
  ReviewLoad(const ReviewLoad&) = delete;
  ReviewLoad& operator=(const ReviewLoad&) = delete;

  void join();
  int allowed() const { return allowed_.load(); }
  int allowedBy(int replica) const { return allowedBy_[static_cast<size_t>(replica)].load(); }
  int done() const { return done_.load(); }

  // After join():
  const std::map<int, ItemOutcome>& outcomes() const { return outcomes_; }
  // Client-side latency of every answered request (microseconds, unsorted).
  const std::vector<int64_t>& latenciesMicros() const { return latencies_; }
  std::chrono::steady_clock::duration elapsed() const { return finished_ - started_; }

 private:
  void run();  // one client thread

  const ReplicaSet& replicas_;
  LoadOptions options_;
  std::atomic<size_t> next_{0};
  std::atomic<int> allowed_{0};
  std::atomic<int> done_{0};
  std::unique_ptr<std::atomic<int>[]> allowedBy_;  // per replica
  std::mutex mu_;
  std::map<int, ItemOutcome> outcomes_;
  std::vector<int64_t> latencies_;
  std::vector<std::thread> threads_;
  std::chrono::steady_clock::time_point started_, finished_;
};

// Percentile p (0..100) of `values` (sorted in place); 0 when empty.
int64_t percentile(std::vector<int64_t>& values, double p);

}  // namespace migwarden::testing::ha
