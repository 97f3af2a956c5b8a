#include "webhook/ledger/ledger_state.h"

#include <algorithm>

namespace migwarden::ledger {
namespace {

std::string nameKey(const std::string& ns, const std::string& name) { return ns + "/" + name; }

std::string describeCounts(const ResourceCounts& c) {
  std::string out;
  for (const auto& [res, n] : c) {
    if (!out.empty()) out += ", ";
    out += std::to_string(n) + " " + res;
  }
  return out;
}

}  // namespace

Status LedgerState::checkReport(const NodeReport& report) const {
  auto it = nodes_.find(report.node);
  if (it == nodes_.end() || it->second.report.bootId != report.bootId) return Status::Ok();
  if (report.sequence < it->second.report.sequence) {
    return Status::Conflict("stale report for node " + report.node + ": sequence " + std::to_string(report.sequence) +
                            " < last accepted " + std::to_string(it->second.report.sequence) + " for boot " +
                            report.bootId);
  }
  return Status::Ok();
}

Status LedgerState::checkPending(const PendingPod& pod) const {
  if (pod.podUid.empty()) return Status::InvalidArgument("podUid: must not be empty");
  if (pod.needs.empty()) return Status::InvalidArgument("needs: must name at least one resource");
  for (const auto& [res, n] : pod.needs) {
    if (n < 1) return Status::InvalidArgument("needs." + res + ": must be >= 1");
  }
  return Status::Ok();
}

std::string LedgerState::resolveUid(const std::string& uid, const std::string& ns, const std::string& name) const {
  if (!uid.empty()) return uid;
  auto it = uidByName_.find(nameKey(ns, name));
  return it == uidByName_.end() ? std::string() : it->second;
}

ApplyOutcome LedgerState::applyReport(NodeReport report) {
  ApplyOutcome out;
  for (Allocation& a : report.allocations) a.podUid = resolveUid(a.podUid, a.ns, a.pod);
  NodeState next = buildNodeState(std::move(report));
  const std::string name = next.report.node;

  std::vector<Conflict> before;
  std::set<std::string> boundBefore;
  auto prev = nodes_.find(name);
  if (prev == nodes_.end() || prev->second.report.bootId != next.report.bootId) out.newBoot = true;
  if (prev != nodes_.end()) {
    before = prev->second.conflicts;
    for (const auto& [key, pod] : prev->second.bound) boundBefore.insert(key);
  }
  for (const auto& [key, pod] : next.bound) {
    if (pod.podUid.empty()) continue;
    auto r = reservations_.find(pod.podUid);
    // The agent sees the pod holding devices: its reservation (here, or stale elsewhere)
    // has done its job.
    if (r != reservations_.end()) {
      out.nowBound.push_back(pod.podUid);
      release(pod.podUid);
    } else if (pending_.count(pod.podUid) != 0) {
      release(pod.podUid);
    }
  }
  for (const std::string& key : boundBefore) {
    if (next.bound.count(key) == 0) out.released.push_back(key);
  }
  out.conflicts = next.conflicts;
  for (const Conflict& c : next.conflicts) {
    if (std::find(before.begin(), before.end(), c) == before.end()) out.newConflicts.push_back(c);
  }
  installNode(std::move(next));
  return out;
}

void LedgerState::restoreNode(NodeReport report) { installNode(buildNodeState(std::move(report))); }

void LedgerState::installNode(NodeState state) {
  const std::string name = state.report.node;
  auto prev = nodes_.find(name);
  if (prev != nodes_.end()) {
    for (const auto& [key, pod] : prev->second.bound) {
      auto b = boundNodeByUid_.find(pod.podUid);
      if (!pod.podUid.empty() && b != boundNodeByUid_.end() && b->second == name) boundNodeByUid_.erase(b);
    }
  }
  for (const auto& [key, pod] : state.bound) {
    if (!pod.podUid.empty()) boundNodeByUid_[pod.podUid] = name;
  }
  auto reserved = reservedByNode_.find(name);
  if (reserved != reservedByNode_.end()) {
    for (const auto& [res, n] : reserved->second) state.tallies[res].reserved = n;
  }
  nodes_.insert_or_assign(name, std::move(state));
  reindex(name);
}

void LedgerState::reindex(const std::string& node) {
  auto& current = indexed_[node];
  for (const auto& [res, free] : current) freeIndex_[res].erase({free, node});
  current.clear();
  auto it = nodes_.find(node);
  if (it == nodes_.end() || !it->second.acceptsReservations || it->second.reconfiguring) return;
  for (const auto& [res, tally] : it->second.tallies) {
    const int64_t free = tally.free();
    if (free <= 0) continue;
    freeIndex_[res].insert({free, node});
    current[res] = free;
  }
}

void LedgerState::adjustReserved(const Reservation& r, int64_t sign) {
  auto& perNode = reservedByNode_[r.node];
  for (const auto& [res, n] : r.needs) {
    perNode[res] += sign * n;
    if (perNode[res] == 0) perNode.erase(res);
  }
  if (perNode.empty()) reservedByNode_.erase(r.node);
  auto node = nodes_.find(r.node);
  if (node == nodes_.end()) return;
  for (const auto& [res, n] : r.needs) node->second.tallies[res].reserved += sign * n;
  reindex(r.node);
}

void LedgerState::putPending(PendingPod pod) {
  uidByName_[nameKey(pod.ns, pod.name)] = pod.podUid;
  pending_.insert_or_assign(pod.podUid, std::move(pod));
}

Result<ReserveOutcome> LedgerState::decideReserve(const ReserveRequest& req, TimePoint now) const {
  if (req.podUid.empty()) return Status::InvalidArgument("podUid: must not be empty");
  if (req.node.empty()) return Status::InvalidArgument("node: must not be empty");
  if (req.ttl.count() <= 0) return Status::InvalidArgument("ttl: must be positive");
  Reservation r{req.podUid, req.ns, req.name, req.node, req.needs, now, now + req.ttl};
  auto pending = pending_.find(req.podUid);
  if (pending != pending_.end()) {
    if (r.needs.empty()) r.needs = pending->second.needs;
    if (r.ns.empty() && r.name.empty()) {
      r.ns = pending->second.ns;
      r.name = pending->second.name;
    }
  }
  if (r.needs.empty()) {
    return Status::InvalidArgument("needs: pod " + req.podUid + " has no recorded requirements and none were given");
  }
  for (const auto& [res, n] : r.needs) {
    if (n < 1) return Status::InvalidArgument("needs." + res + ": must be >= 1");
  }
  auto existing = reservations_.find(req.podUid);
  if (existing != reservations_.end()) {
    const Reservation& e = existing->second;
    if (e.node == r.node && e.needs == r.needs) return ReserveOutcome{ReserveOutcome::Kind::kAlreadyReserved, e};
    return Status::AlreadyExists("pod " + req.podUid + " already holds a reservation of " + describeCounts(e.needs) +
                                 " on node " + e.node);
  }
  auto bound = boundNodeByUid_.find(req.podUid);
  if (bound != boundNodeByUid_.end()) {
    if (bound->second == r.node) return ReserveOutcome{ReserveOutcome::Kind::kAlreadyBound, r};
    return Status::AlreadyExists("pod " + req.podUid + " is already bound on node " + bound->second);
  }
  auto node = nodes_.find(r.node);
  if (node == nodes_.end()) return Status::NotFound("node " + r.node + " has never reported to the ledger");
  const NodeState& n = node->second;
  if (n.reconfiguring || !n.acceptsReservations) {
    return Status::FailedPrecondition("node " + r.node + " is not taking reservations: migConfigState is " +
                                      n.report.migConfigState);
  }
  for (const auto& [res, need] : r.needs) {
    auto t = n.tallies.find(res);
    const Tally tally = t == n.tallies.end() ? Tally{} : t->second;
    if (tally.conflicted) {
      return Status::FailedPrecondition(res + " on node " + r.node +
                                        " is in conflict; no new reservations until the conflict is resolved");
    }
    if (tally.free() < need) {
      return Status::ResourceExhausted("node " + r.node + " has " + std::to_string(tally.free()) + " free " + res +
                                       " (needs " + std::to_string(need) + "): " + std::to_string(tally.healthy) +
                                       " healthy, " + std::to_string(tally.boundHealthy) + " bound, " +
                                       std::to_string(tally.reserved) + " reserved");
    }
  }
  return ReserveOutcome{ReserveOutcome::Kind::kReserved, std::move(r)};
}

void LedgerState::putReservation(Reservation r) {
  dropReservation(r.podUid);  // replay safety: never count one pod twice
  if (!r.ns.empty() || !r.name.empty()) uidByName_[nameKey(r.ns, r.name)] = r.podUid;
  expiries_.insert({r.expiresAt, r.podUid});
  adjustReserved(r, +1);
  reservations_.emplace(r.podUid, std::move(r));
}

void LedgerState::forgetName(const std::string& ns, const std::string& name, const std::string& uid) {
  auto it = uidByName_.find(nameKey(ns, name));
  if (it != uidByName_.end() && it->second == uid && pending_.count(uid) == 0 && reservations_.count(uid) == 0) {
    uidByName_.erase(it);
  }
}

bool LedgerState::dropReservation(std::string_view podUid) {
  auto r = reservations_.find(std::string(podUid));
  if (r == reservations_.end()) return false;
  Reservation gone = std::move(r->second);
  reservations_.erase(r);
  expiries_.erase({gone.expiresAt, gone.podUid});
  adjustReserved(gone, -1);
  forgetName(gone.ns, gone.name, gone.podUid);
  return true;
}

bool LedgerState::release(std::string_view podUid) {
  const std::string uid(podUid);
  bool held = dropReservation(uid);
  auto p = pending_.find(uid);
  if (p != pending_.end()) {
    const PendingPod gone = std::move(p->second);
    pending_.erase(p);
    forgetName(gone.ns, gone.name, uid);
    held = true;
  }
  return held;
}

std::vector<std::string> LedgerState::dueReservations(TimePoint now) const {
  std::vector<std::string> due;
  for (const auto& [when, uid] : expiries_) {
    if (when > now) break;
    due.push_back(uid);
  }
  return due;
}

int64_t LedgerState::freeSlices(std::string_view node, std::string_view resource) const {
  auto n = nodes_.find(node);
  if (n == nodes_.end()) return 0;
  auto t = n->second.tallies.find(resource);
  return t == n->second.tallies.end() ? 0 : t->second.free();
}

std::vector<std::string> LedgerState::nodesThatCouldTake(const ResourceCounts& needs) const {
  std::vector<std::string> out;
  if (needs.empty()) return out;
  // Walk the index of the first resource from the smallest sufficient free count up and
  // check the remaining resources per candidate.
  auto first = freeIndex_.find(needs.begin()->first);
  if (first == freeIndex_.end()) return out;
  for (auto it = first->second.lower_bound({needs.begin()->second, std::string()}); it != first->second.end(); ++it) {
    const std::string& node = it->second;
    bool fits = true;
    for (const auto& [res, n] : needs) {
      if (freeSlices(node, res) < n) {
        fits = false;
        break;
      }
    }
    if (fits) out.push_back(node);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<Reservation> LedgerState::reservationOf(std::string_view podUid) const {
  auto it = reservations_.find(std::string(podUid));
  if (it == reservations_.end()) return std::nullopt;
  return it->second;
}

std::optional<PendingPod> LedgerState::pendingOf(std::string_view podUid) const {
  auto it = pending_.find(std::string(podUid));
  if (it == pending_.end()) return std::nullopt;
  return it->second;
}

bool LedgerState::isReconfiguring(std::string_view node) const {
  auto n = nodes_.find(node);
  return n != nodes_.end() && n->second.reconfiguring;
}

std::vector<Conflict> LedgerState::conflicts() const {
  std::vector<Conflict> out;
  for (const auto& [name, n] : nodes_) out.insert(out.end(), n.conflicts.begin(), n.conflicts.end());
  return out;
}

std::map<ConflictKind, int64_t> LedgerState::conflictCounts() const {
  std::map<ConflictKind, int64_t> counts;
  for (ConflictKind k : kAllConflictKinds) counts[k] = 0;
  for (const auto& [name, n] : nodes_) {
    for (const Conflict& c : n.conflicts) ++counts[c.kind];
  }
  return counts;
}

std::vector<Reservation> LedgerState::reservations() const {
  std::vector<Reservation> out;
  out.reserve(reservations_.size());
  for (const auto& [uid, r] : reservations_) out.push_back(r);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.podUid < b.podUid; });
  return out;
}

std::vector<PendingPod> LedgerState::pendingPods() const {
  std::vector<PendingPod> out;
  out.reserve(pending_.size());
  for (const auto& [uid, p] : pending_) out.push_back(p);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.podUid < b.podUid; });
  return out;
}

NodeSummary LedgerState::summarize(const NodeState& n) const {
  NodeSummary s;
  const NodeReport& r = n.report;
  s.name = r.node;
  s.bootId = r.bootId;
  s.sequence = r.sequence;
  s.driverVersion = r.driverVersion;
  s.cudaDriverVersion = r.cudaDriverVersion;
  s.migConfigState = r.migConfigState;
  s.reconfiguring = n.reconfiguring;
  s.acceptsReservations = n.acceptsReservations && !n.reconfiguring;
  s.gpuCount = r.gpus.size();
  for (const auto& [res, t] : n.tallies) {
    s.resources.push_back(ResourceSummary{res, t.total, t.healthy, t.bound, t.reserved, t.free(), t.conflicted});
  }
  for (const auto& [key, pod] : n.bound) s.boundPods.push_back(pod);
  return s;
}

LedgerView LedgerState::view() const {
  LedgerView v;
  for (const auto& [name, n] : nodes_) v.nodes.push_back(summarize(n));
  v.reservations = reservations();
  v.pending = pendingPods();
  v.conflicts = conflicts();
  return v;
}

std::optional<std::pair<NodeReport, NodeSummary>> LedgerState::node(std::string_view name) const {
  auto n = nodes_.find(name);
  if (n == nodes_.end()) return std::nullopt;
  return std::make_pair(n->second.report, summarize(n->second));
}

}  // namespace migwarden::ledger
