#include "webhook/ledger/etcd/view.h"

#include <spdlog/spdlog.h>

#include "webhook/ledger/node_report.h"
#include "webhook/ledger/record_codec.h"

namespace migwarden::ledger::etcd {

void View::apply(const std::string& key, std::optional<std::string_view> value, int64_t revision) {
  auto& known = revisions_[key];
  if (known.revision >= revision) return;
  const bool wasPresent = known.present;
  known = KeyRevision{revision, value.has_value()};
  if (!value && !wasPresent) return;  // a marker only: nothing to forget
  const Layout::Parsed parsed = layout_.parse(key);
  switch (parsed.kind) {
    case Layout::Kind::kNode: return applyNode(parsed.name, value);
    case Layout::Kind::kReservations: return applyReservations(parsed.name, value);
    case Layout::Kind::kPending: return applyPending(parsed.name, value);
    case Layout::Kind::kHold:
      if (value) {
        holds_[parsed.name] = std::string(*value);
      } else {
        holds_.erase(parsed.name);
      }
      return;
    case Layout::Kind::kLeader:
    case Layout::Kind::kOther: return;
  }
}

void View::pruneTombstones(int64_t revision) {
  std::erase_if(revisions_, [revision](const auto& kv) { return !kv.second.present && kv.second.revision <= revision; });
}

int64_t View::modRevision(const std::string& key) const {
  auto it = revisions_.find(key);
  return it == revisions_.end() || !it->second.present ? 0 : it->second.revision;
}

std::optional<std::string> View::holdOf(const std::string& podUid) const {
  auto it = holds_.find(podUid);
  if (it == holds_.end()) return std::nullopt;
  return it->second;
}

const std::map<std::string, Reservation>& View::reservationsOn(const std::string& node) const {
  static const std::map<std::string, Reservation> kNone;
  auto it = reservationsByNode_.find(node);
  return it == reservationsByNode_.end() ? kNone : it->second;
}

std::string View::resolveUid(const std::string& ns, const std::string& name) const {
  auto it = uidByName_.find(ns + "/" + name);
  return it == uidByName_.end() ? std::string() : it->second;
}

void View::applyNode(const std::string& node, std::optional<std::string_view> value) {
  if (!value) {
    spdlog::warn("ledger etcd: node key of {} was deleted; re-listing", node);
    wantsRelist_ = true;
    return;
  }
  NodeReportLimits unlimited{SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX};
  auto report = parseNodeReport(*value, unlimited);
  if (!report.ok()) {
    spdlog::error("ledger etcd: ignoring undecodable report of node {}: {}", node, report.status().message());
    return;
  }
  state_.restoreNode(std::move(report).value());
}

void View::applyReservations(const std::string& node, std::optional<std::string_view> value) {
  std::map<std::string, Reservation> next;
  if (value) {
    auto decoded = decodeReservationList(*value);
    if (!decoded.ok()) {
      spdlog::error("ledger etcd: ignoring undecodable reservations of node {}: {}", node,
                    decoded.status().message());
      return;
    }
    next = std::move(decoded).value();
  }
  auto& current = reservationsByNode_[node];
  for (const auto& [uid, r] : current) {
    if (next.count(uid) != 0) continue;
    auto held = state_.reservationOf(uid);
    if (held && held->node == node) state_.dropReservation(uid);
    forget(r.ns, r.name, uid);
  }
  for (const auto& [uid, r] : next) {
    if (state_.reservationOf(uid) != r) state_.putReservation(r);
    remember(r.ns, r.name, uid);
  }
  if (next.empty()) {
    reservationsByNode_.erase(node);
  } else {
    current = std::move(next);
  }
}

void View::applyPending(const std::string& uid, std::optional<std::string_view> value) {
  if (value) {
    auto pod = codec::decodePending(*value);
    if (!pod.ok()) {
      spdlog::error("ledger etcd: ignoring undecodable pending record of pod {}: {}", uid, pod.status().message());
      return;
    }
    remember(pod->ns, pod->name, uid);
    state_.putPending(std::move(pod).value());
    return;
  }
  auto pod = state_.pendingOf(uid);
  if (!pod) return;
  // LedgerState::release drops the reservation too; keep it if its node key still has it
  // (the writer that deleted the pending record removes the reservation in the same
  // transaction, but the two keys may reach the view in either order).
  auto reservation = state_.reservationOf(uid);
  state_.release(uid);
  if (reservation && reservationsOn(reservation->node).count(uid) != 0) state_.putReservation(*reservation);
  forget(pod->ns, pod->name, uid);
}

void View::remember(const std::string& ns, const std::string& name, const std::string& uid) {
  if (!ns.empty() || !name.empty()) uidByName_[ns + "/" + name] = uid;
}

void View::forget(const std::string& ns, const std::string& name, const std::string& uid) {
  auto it = uidByName_.find(ns + "/" + name);
  if (it != uidByName_.end() && it->second == uid && !state_.pendingOf(uid) && !state_.reservationOf(uid))
    uidByName_.erase(it);
}

}  // namespace migwarden::ledger::etcd
