#include "webhook/server/connection_tracker.h"

#include <vector>

namespace migwarden::server {

ConnectionSlot::ConnectionSlot(ConnectionSlot&& other) noexcept : tracker_(other.tracker_), id_(other.id_) {
  other.tracker_ = nullptr;
}

ConnectionSlot::~ConnectionSlot() {
  if (tracker_ != nullptr) tracker_->release(id_);
}

void ConnectionSlot::attach(std::weak_ptr<Drainable> session) {
  if (tracker_ != nullptr) tracker_->attach(id_, std::move(session));
}

ConnectionTracker::ConnectionTracker(size_t maxConnections, Gauge* active)
    : max_(maxConnections), activeGauge_(active) {}

std::optional<ConnectionSlot> ConnectionTracker::tryAcquire() {
  std::lock_guard lock(mu_);
  if (open_.size() >= max_) return std::nullopt;
  uint64_t id = nextId_++;
  open_.emplace(id, std::weak_ptr<Drainable>());
  if (activeGauge_ != nullptr) activeGauge_->add(1);
  return ConnectionSlot(this, id);
}

void ConnectionTracker::attach(uint64_t id, std::weak_ptr<Drainable> session) {
  std::lock_guard lock(mu_);
  auto it = open_.find(id);
  if (it != open_.end()) it->second = std::move(session);
}

void ConnectionTracker::release(uint64_t id) {
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    if (open_.erase(id) == 0) return;
    if (activeGauge_ != nullptr) activeGauge_->add(-1);
    if (open_.empty() && onEmpty_) notify = std::exchange(onEmpty_, nullptr);
  }
  if (notify) notify();
}

void ConnectionTracker::drainAll(std::function<void()> onEmpty) {
  std::vector<std::shared_ptr<Drainable>> live;
  std::function<void()> notifyNow;
  {
    std::lock_guard lock(mu_);
    if (open_.empty()) {
      notifyNow = std::move(onEmpty);
    } else {
      onEmpty_ = std::move(onEmpty);
      for (auto& [id, weak] : open_)
        if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  if (notifyNow) notifyNow();
  for (auto& s : live) s->drain();
}

size_t ConnectionTracker::active() const {
  std::lock_guard lock(mu_);
  return open_.size();
}

}  // namespace migwarden::server
