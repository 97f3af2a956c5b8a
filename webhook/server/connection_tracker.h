// Counts open connections against --max-connections and lets graceful shutdown reach
// the connections that are idle in keep-alive. It holds weak references only: a session
// still lives exactly as long as its pending operations (Beast's shared_from_this model).
//
// Thread-safety: every method is safe from any thread. Drainable::drain() is called
// without the tracker's lock held and must only post work to the session's strand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "webhook/common/metrics.h"

namespace migwarden::server {

class Drainable {
 public:
  virtual ~Drainable() = default;
  // Finish the request in flight (if any), then close; close now when idle.
  virtual void drain() = 0;
};

class ConnectionTracker;

// One admitted connection. Releasing it (destruction) frees the slot.
class ConnectionSlot {
 public:
  ConnectionSlot(ConnectionSlot&& other) noexcept;
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ~ConnectionSlot();

  // Registers the session that owns this slot so drainAll() can reach it.
  void attach(std::weak_ptr<Drainable> session);

 private:
  friend class ConnectionTracker;
  ConnectionSlot(ConnectionTracker* tracker, uint64_t id) : tracker_(tracker), id_(id) {}
  ConnectionTracker* tracker_;
  uint64_t id_;
};

class ConnectionTracker {
 public:
  // `active` (optional) mirrors the number of open connections.
  ConnectionTracker(size_t maxConnections, Gauge* active);

  // A slot, or nullopt when maxConnections are already open.
  std::optional<ConnectionSlot> tryAcquire();

  // Asks every open connection to drain; after this, `onEmpty` runs (once) as soon as
  // no connection is open (immediately when none is).
  void drainAll(std::function<void()> onEmpty);

  size_t active() const;
  size_t maxConnections() const { return max_; }

 private:
  friend class ConnectionSlot;
  void attach(uint64_t id, std::weak_ptr<Drainable> session);
  void release(uint64_t id);

  const size_t max_;
  Gauge* activeGauge_;
  mutable std::mutex mu_;
  uint64_t nextId_ = 1;                                          // guarded by mu_
  std::unordered_map<uint64_t, std::weak_ptr<Drainable>> open_;  // guarded by mu_
  std::function<void()> onEmpty_;                                // guarded by mu_
};

}  // namespace migwarden::server
