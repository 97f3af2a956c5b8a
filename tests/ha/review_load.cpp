#include "tests/ha/review_load.h"

#include <algorithm>
#include <cmath>
#include <memory>

namespace migwarden::testing::ha {

ReviewLoad::ReviewLoad(const ReplicaSet& replicas, LoadOptions options)
    : replicas_(replicas), options_(std::move(options)),
      allowedBy_(std::make_unique<std::atomic<int>[]>(static_cast<size_t>(replicas.size()))) {
  started_ = std::chrono::steady_clock::now();
  for (int t = 0; t < options_.threads; ++t) threads_.emplace_back([this] { run(); });
}

ReviewLoad::~ReviewLoad() { join(); }

void ReviewLoad::join() {
  bool joined = false;
  for (auto& t : threads_) {
    if (t.joinable()) {
      t.join();
      joined = true;
    }
  }
  if (joined) finished_ = std::chrono::steady_clock::now();
}

void ReviewLoad::run() {
  const int n = replicas_.size();
  std::vector<std::unique_ptr<HttpClient>> connections(static_cast<size_t>(n));
  std::vector<int64_t> latencies;
  std::map<int, ItemOutcome> outcomes;
  for (;;) {
    size_t index = next_.fetch_add(1);
    if (index >= options_.items.size()) break;
    const int item = options_.items[index];
    const nlohmann::json review = options_.review(item);
    ItemOutcome outcome;
    const int attempts = options_.failOver ? n : 1;
    for (int a = 0; a < attempts; ++a) {
      int r = (item + a) % n;
      outcome.replica = r;
      auto& conn = connections[static_cast<size_t>(r)];
      if (!conn) conn = replicas_.connect(r);
      if (!conn) {
        outcome.verdict = Verdict{};
        outcome.verdict.failure = "cannot connect to replica " + std::to_string(r);
        continue;
      }
      auto begin = std::chrono::steady_clock::now();  // the request, not the TLS handshake
      outcome.verdict = admitOn(*conn, review);
      if (!outcome.verdict.answered) {
        conn.reset();  // the connection may be broken; the next request opens a new one
        continue;
      }
      latencies.push_back(
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - begin).count());
      break;
    }
    if (outcome.verdict.allowed) {
      allowedBy_[static_cast<size_t>(outcome.replica)]++;
      allowed_++;
    }
    done_++;
    outcomes.emplace(item, std::move(outcome));
  }
  std::lock_guard lock(mu_);
  outcomes_.merge(outcomes);
  latencies_.insert(latencies_.end(), latencies.begin(), latencies.end());
}

int64_t percentile(std::vector<int64_t>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace migwarden::testing::ha
