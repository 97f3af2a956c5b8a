// Expires ledger reservations that no agent report confirmed within their TTL. One
// background thread calls Store::expireReservations(now) every `interval`; it wakes at
// once when destroyed, so shutdown never waits for a tick.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

#include "webhook/common/clock.h"
#include "webhook/ledger/store.h"

namespace migwarden::webhook {

class ReservationSweeper {
 public:
  // `store` and `clock` must outlive the sweeper.
  ReservationSweeper(ledger::Store& store, const Clock& clock, std::chrono::milliseconds interval);
  ~ReservationSweeper();  // stops and joins
  ReservationSweeper(const ReservationSweeper&) = delete;
  ReservationSweeper& operator=(const ReservationSweeper&) = delete;

 private:
  void run(std::stop_token stop);

  ledger::Store& store_;
  const Clock& clock_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: starts after the members above exist
};

}  // namespace migwarden::webhook
