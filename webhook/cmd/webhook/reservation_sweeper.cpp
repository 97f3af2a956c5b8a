#include "webhook/cmd/webhook/reservation_sweeper.h"

#include <spdlog/spdlog.h>

namespace migwarden::webhook {

ReservationSweeper::ReservationSweeper(ledger::Store& store, const Clock& clock, std::chrono::milliseconds interval)
    : store_(store), clock_(clock), interval_(interval), thread_([this](std::stop_token stop) { run(stop); }) {}

ReservationSweeper::~ReservationSweeper() {
  thread_.request_stop();
  thread_.join();
}

void ReservationSweeper::run(std::stop_token stop) {
  std::unique_lock lock(mu_);
  for (;;) {
    // Returns early only when stop is requested (the predicate never becomes true).
    wake_.wait_for(lock, stop, interval_, [] { return false; });
    if (stop.stop_requested()) return;
    auto expired = store_.expireReservations(clock_.now());
    if (!expired.ok()) {
      // Read-only ledger: /readyz already reports it; keep trying in case it was transient.
      spdlog::warn("ledger: expiring reservations failed: {}", expired.status().message());
      continue;
    }
    for (const auto& podUid : *expired) spdlog::info("ledger: reservation of pod {} expired unconfirmed", podUid);
  }
}

}  // namespace migwarden::webhook
