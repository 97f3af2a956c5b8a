// EtcdStore: transactions for every mutation, and queries from the view.
#include "webhook/ledger/etcd/etcd_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "webhook/ledger/etcd/etcd_json.h"
#include "webhook/ledger/etcd/etcd_store_metrics.h"
#include "webhook/ledger/node_state.h"
#include "webhook/ledger/record_codec.h"

namespace migwarden::ledger::etcd {

Status EtcdStore::unavailable(const Status& cause) const {
  // IOError: the Store contract's "cannot record mutations right now"; admission denies
  // with 503 (fail closed) and the scheduler retries.
  return Status::IOError("ledger backend etcd unavailable: " + cause.message());
}

Status EtcdStore::checkSynced() const {
  if (synced_.load()) return Status::Ok();
  std::lock_guard lock(healthMu_);
  return unavailable(watchError_.ok() ? Status::Unavailable("not synchronised with etcd yet") : watchError_);
}

void EtcdStore::noteCall(const Status& result) const {
  std::lock_guard lock(healthMu_);
  callError_ = result.ok() ? Status::Ok() : unavailable(result);
}

Result<bool> EtcdStore::commit(const Plan& plan) {
  TxnRequest txn;
  for (const auto& [key, revision] : plan.guards) {
    txn.compares.push_back(Compare{key, Compare::Target::kModRevision, revision});
    txn.failure.push_back(Op{Op::Kind::kRange, key, {}, 0});
  }
  for (const auto& [key, value] : plan.puts) txn.success.push_back(Op{Op::Kind::kPut, key, value, 0});
  for (const auto& key : plan.deletes) txn.success.push_back(Op{Op::Kind::kDelete, key, {}, 0});

  const auto started = std::chrono::steady_clock::now();
  auto answer = client_->post("/v3/kv/txn", encodeTxn(txn));
  Result<TxnResponse> response = answer.ok() ? decodeTxn(*answer) : Result<TxnResponse>(answer.status());
  noteCall(response.status());
  if (metrics_) {
    metrics_->txnSeconds->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  if (!response.ok()) {
    if (metrics_) metrics_->txnFailed->inc();
    return unavailable(response.status());
  }
  std::unique_lock lock(mu_);
  if (response->succeeded) {
    if (metrics_) metrics_->txnCommitted->inc();
    for (const auto& [key, value] : plan.puts) view_->apply(key, value, response->revision);
    for (const auto& key : plan.deletes) view_->apply(key, std::nullopt, response->revision);
    return true;
  }
  if (metrics_) metrics_->txnConflicts->inc();
  // Lost a race: learn what the winner wrote (an absent key was deleted at or before
  // the answer's revision) so the next attempt decides on it.
  for (size_t i = 0; i < plan.guards.size(); ++i) {
    const std::string& key = plan.guards[i].first;
    if (i < response->ranges.size() && !response->ranges[i].empty()) {
      const KeyValue& kv = response->ranges[i].front();
      view_->apply(key, kv.value, kv.modRevision);
    } else {
      view_->apply(key, std::nullopt, response->revision);
    }
  }
  return false;
}

EtcdStore::Plan EtcdStore::dropReservationsPlan(const View& v, const std::string& node,
                                                const std::vector<std::string>& uids) const {
  Plan plan;
  const std::string key = layout_.reservations(node);
  auto list = v.reservationsOn(node);
  for (const auto& uid : uids) {
    if (list.erase(uid) == 0) continue;
    plan.deletes.push_back(layout_.hold(uid));
  }
  if (plan.deletes.empty()) return plan;
  plan.guards.emplace_back(key, v.modRevision(key));
  plan.puts.emplace_back(key, encodeReservationList(list));
  return plan;
}

Result<ApplyOutcome> EtcdStore::applyNodeReport(const NodeReport& report) {
  MIGWARDEN_RETURN_IF_ERROR(checkSynced());
  for (int attempt = 0; attempt < options_.maxTxnAttempts; ++attempt) {
    Plan plan;
    ApplyOutcome outcome;
    {
      std::shared_lock lock(mu_);
      const View& v = *view_;
      const LedgerState& st = v.state();
      if (Status s = st.checkReport(report); !s.ok()) {
        if (metrics_) metrics_->reportsStale->inc();
        return s;
      }
      NodeReport resolved = report;
      for (Allocation& a : resolved.allocations) {
        if (a.podUid.empty()) a.podUid = v.resolveUid(a.ns, a.pod);
      }
      NodeState next = buildNodeState(std::move(resolved));
      const NodeState* prev = nullptr;
      if (auto it = st.nodes().find(report.node); it != st.nodes().end()) prev = &it->second;
      outcome.newBoot = prev == nullptr || prev->report.bootId != report.bootId;
      // Pods the agent now sees holding devices: their reservation (here, or stale on
      // another node) and pending record have done their job, in the same transaction.
      std::map<std::string, std::vector<std::string>> dropByNode;
      for (const auto& [key, pod] : next.bound) {
        if (pod.podUid.empty()) continue;
        if (auto r = st.reservationOf(pod.podUid)) {
          outcome.nowBound.push_back(pod.podUid);
          dropByNode[r->node].push_back(pod.podUid);
        }
        if (st.pendingOf(pod.podUid)) plan.deletes.push_back(layout_.pending(pod.podUid));
      }
      for (const auto& [node, uids] : dropByNode) {
        Plan drop = dropReservationsPlan(v, node, uids);
        plan.guards.insert(plan.guards.end(), drop.guards.begin(), drop.guards.end());
        plan.puts.insert(plan.puts.end(), drop.puts.begin(), drop.puts.end());
        plan.deletes.insert(plan.deletes.end(), drop.deletes.begin(), drop.deletes.end());
      }
      if (prev != nullptr) {
        for (const auto& [key, pod] : prev->bound) {
          if (next.bound.count(key) == 0) outcome.released.push_back(key);
        }
      }
      outcome.conflicts = next.conflicts;
      for (const Conflict& c : next.conflicts) {
        if (prev == nullptr || std::find(prev->conflicts.begin(), prev->conflicts.end(), c) == prev->conflicts.end())
          outcome.newConflicts.push_back(c);
      }
      const std::string nodeKey = layout_.node(report.node);
      plan.guards.emplace_back(nodeKey, v.modRevision(nodeKey));
      plan.puts.emplace_back(nodeKey, encodeNodeReport(next.report));
    }
    auto committed = commit(plan);
    if (!committed.ok()) return committed.status();
    if (*committed) {
      for (const Conflict& c : outcome.newConflicts)
        spdlog::warn("ledger: conflict {} on node {}: {}", conflictKindName(c.kind), c.node, c.message);
      if (metrics_) metrics_->reportsApplied->inc();
      return outcome;
    }
  }
  return unavailable(Status::Unavailable("the report of node " + report.node + " lost " +
                                         std::to_string(options_.maxTxnAttempts) +
                                         " races in a row against other writers; the agent will retry"));
}

Status EtcdStore::recordPending(const PendingPod& pod, bool dryRun) {
  {
    std::shared_lock lock(mu_);
    MIGWARDEN_RETURN_IF_ERROR(view_->state().checkPending(pod));
  }
  if (dryRun) return Status::Ok();
  MIGWARDEN_RETURN_IF_ERROR(checkSynced());
  Plan plan;
  plan.puts.emplace_back(layout_.pending(pod.podUid), codec::encodePending(pod));
  auto committed = commit(plan);  // unguarded: a later record replaces an earlier one
  return committed.ok() ? Status::Ok() : committed.status();
}

Result<ReserveOutcome> EtcdStore::reserve(const ReserveRequest& request) {
  if (request.dryRun) {
    std::shared_lock lock(mu_);
    return view_->state().decideReserve(request, options_.clock->now());
  }
  MIGWARDEN_RETURN_IF_ERROR(checkSynced());
  std::lock_guard stripe(nodeStripes_[std::hash<std::string>{}(request.node) % kNodeStripes]);
  for (int attempt = 0; attempt < options_.maxTxnAttempts; ++attempt) {
    const TimePoint now = options_.clock->now();
    Plan plan;
    std::optional<Result<ReserveOutcome>> answer;
    std::optional<ReserveOutcome> granted;
    {
      std::shared_lock lock(mu_);
      const View& v = *view_;
      auto decision = v.state().decideReserve(request, now);
      if (!decision.ok()) {
        // A slice held by an abandoned binding is never what denies: drop the node's
        // due reservations and decide again.
        if (decision.status().code() == StatusCode::kResourceExhausted) {
          std::vector<std::string> due;
          for (const auto& [uid, r] : v.reservationsOn(request.node)) {
            if (r.expiresAt <= now) due.push_back(uid);
          }
          plan = dropReservationsPlan(v, request.node, due);
        }
        if (plan.empty()) answer = decision;
      } else if (decision->kind != ReserveOutcome::Kind::kReserved) {
        answer = decision;
      } else {
        const Reservation& r = decision->reservation;
        const std::string nodeKey = layout_.node(r.node);
        const std::string listKey = layout_.reservations(r.node);
        const std::string holdKey = layout_.hold(r.podUid);
        auto list = v.reservationsOn(r.node);
        list[r.podUid] = r;
        plan.guards = {{nodeKey, v.modRevision(nodeKey)}, {listKey, v.modRevision(listKey)},
                       {holdKey, v.modRevision(holdKey)}};
        // A hold without a reservation in the view: either the view is behind (the
        // guard on that node's list makes this attempt fail and fetch it) or the hold
        // is dangling and this transaction replaces it.
        if (auto hold = v.holdOf(r.podUid); hold && *hold != r.node) {
          const std::string otherList = layout_.reservations(*hold);
          plan.guards.emplace_back(otherList, v.modRevision(otherList));
        }
        plan.puts = {{listKey, encodeReservationList(list)}, {holdKey, r.node}};
        granted = std::move(decision).value();
      }
    }
    if (answer) {
      if (metrics_) (answer->ok() ? metrics_->reservationsRetried : metrics_->reservationsDenied)->inc();
      return std::move(*answer);
    }
    auto committed = commit(plan);
    if (!committed.ok()) return committed.status();
    if (*committed && granted) {
      if (metrics_) metrics_->reservationsGranted->inc();
      return std::move(*granted);
    }
  }
  if (metrics_) metrics_->reservationsDenied->inc();
  return unavailable(Status::Unavailable("the reservation of pod " + request.podUid + " on node " + request.node +
                                         " lost " + std::to_string(options_.maxTxnAttempts) +
                                         " races in a row against other replicas; retry the binding"));
}

Result<bool> EtcdStore::release(std::string_view podUid) {
  MIGWARDEN_RETURN_IF_ERROR(checkSynced());
  const std::string uid(podUid);
  for (int attempt = 0; attempt < options_.maxTxnAttempts; ++attempt) {
    Plan plan;
    {
      std::shared_lock lock(mu_);
      const View& v = *view_;
      auto r = v.state().reservationOf(uid);
      const bool pending = v.state().pendingOf(uid).has_value();
      if (!r && !pending) return false;
      if (r) plan = dropReservationsPlan(v, r->node, {uid});
      if (pending) plan.deletes.push_back(layout_.pending(uid));
    }
    auto committed = commit(plan);
    if (!committed.ok()) return committed.status();
    if (*committed) return true;
  }
  return unavailable(Status::Unavailable("releasing pod " + uid + " lost " + std::to_string(options_.maxTxnAttempts) +
                                         " races in a row against other replicas"));
}

Result<std::vector<std::string>> EtcdStore::expireReservations(TimePoint now) {
  std::vector<std::string> expired;
  if (!synced_.load() || !campaign()) return expired;  // another replica sweeps
  constexpr size_t kMaxNodesPerTxn = 32;  // keeps a transaction well under etcd's 128 ops
  int conflicts = 0;
  while (conflicts < options_.maxTxnAttempts) {
    Plan plan;
    std::vector<std::string> uids;
    {
      std::shared_lock lock(mu_);
      const View& v = *view_;
      std::map<std::string, std::vector<std::string>> byNode;
      for (const std::string& uid : v.state().dueReservations(now)) {
        if (auto r = v.state().reservationOf(uid)) byNode[r->node].push_back(uid);
      }
      for (const auto& [node, due] : byNode) {
        if (plan.guards.size() >= kMaxNodesPerTxn) break;
        Plan drop = dropReservationsPlan(v, node, due);
        plan.guards.insert(plan.guards.end(), drop.guards.begin(), drop.guards.end());
        plan.puts.insert(plan.puts.end(), drop.puts.begin(), drop.puts.end());
        plan.deletes.insert(plan.deletes.end(), drop.deletes.begin(), drop.deletes.end());
        uids.insert(uids.end(), due.begin(), due.end());
      }
    }
    if (plan.empty()) break;
    auto committed = commit(plan);
    if (!committed.ok()) return committed.status();
    if (!*committed) {
      ++conflicts;
      continue;
    }
    for (const auto& uid : uids) spdlog::info("ledger: reservation of pod {} expired unconfirmed", uid);
    if (metrics_) metrics_->reservationsExpired->inc(uids.size());
    expired.insert(expired.end(), uids.begin(), uids.end());
  }
  return expired;
}

int64_t EtcdStore::freeSlices(std::string_view node, std::string_view resource) const {
  std::shared_lock lock(mu_);
  return view_->state().freeSlices(node, resource);
}

std::vector<std::string> EtcdStore::nodesThatCouldTake(const ResourceCounts& needs) const {
  std::shared_lock lock(mu_);
  return view_->state().nodesThatCouldTake(needs);
}

std::optional<Reservation> EtcdStore::reservationOf(std::string_view podUid) const {
  std::shared_lock lock(mu_);
  return view_->state().reservationOf(podUid);
}

std::optional<PendingPod> EtcdStore::pendingOf(std::string_view podUid) const {
  {
    std::shared_lock lock(mu_);
    if (auto pod = view_->state().pendingOf(podUid)) return pod;
  }
  // A miss may only mean that the watch has not yet delivered another replica's write:
  // the pod was admitted on replica A and its binding arrives here first. A binding
  // judged on that miss would skip the reservation, so catch the view up to etcd's
  // current revision (one quorum read) and look again. Non-GPU pods pay that read at
  // binding; with etcd unreachable the miss stands (documented in docs/ha.md).
  auto revision = currentRevision();
  if (!revision.ok() || !waitForRevision(*revision, options_.catchUpTimeout)) return std::nullopt;
  std::shared_lock lock(mu_);
  return view_->state().pendingOf(podUid);
}

bool EtcdStore::isReconfiguring(std::string_view node) const {
  std::shared_lock lock(mu_);
  return view_->state().isReconfiguring(node);
}

LedgerView EtcdStore::view() const {
  LedgerView out;
  {
    std::shared_lock lock(mu_);
    out = view_->state().view();
  }
  const Status h = health();
  out.readOnly = !h.ok();
  out.readOnlyReason = h.message();
  return out;
}

std::optional<std::pair<NodeReport, NodeSummary>> EtcdStore::node(std::string_view name) const {
  std::shared_lock lock(mu_);
  return view_->state().node(name);
}

std::vector<Conflict> EtcdStore::conflicts() const {
  std::shared_lock lock(mu_);
  return view_->state().conflicts();
}

Status EtcdStore::health() const {
  std::lock_guard lock(healthMu_);
  if (!watchConnected_) return unavailable(watchError_);
  return callError_;
}

Result<LedgerDump> EtcdStore::exportLedger() const {
  MIGWARDEN_RETURN_IF_ERROR(health());
  std::shared_lock lock(mu_);
  const LedgerState& st = view_->state();
  LedgerDump dump;
  for (const auto& [name, n] : st.nodes()) dump.nodes.push_back(n.report);
  dump.reservations = st.reservations();
  dump.pending = st.pendingPods();
  return dump;
}

Status EtcdStore::importLedger(const LedgerDump& dump) {
  MIGWARDEN_RETURN_IF_ERROR(checkSynced());
  auto answer = client_->post("/v3/kv/range", encodeRange(layout_.prefix(), prefixEnd(layout_.prefix()), 0, 0, true));
  Result<RangeResponse> existing = answer.ok() ? decodeRange(*answer) : Result<RangeResponse>(answer.status());
  noteCall(existing.status());
  if (!existing.ok()) return unavailable(existing.status());
  {
    std::shared_lock lock(mu_);
    const int64_t leaderKeys = view_->modRevision(layout_.leader()) != 0 ? 1 : 0;
    if (existing->count > leaderKeys)
      return Status::FailedPrecondition("etcd prefix " + layout_.prefix() + " already holds " +
                                        std::to_string(existing->count) + " keys: import needs an empty ledger");
  }
  std::vector<std::pair<std::string, std::string>> puts;
  for (const PendingPod& p : dump.pending) puts.emplace_back(layout_.pending(p.podUid), codec::encodePending(p));
  std::map<std::string, std::map<std::string, Reservation>> byNode;
  for (const Reservation& r : dump.reservations) {
    byNode[r.node][r.podUid] = r;
    puts.emplace_back(layout_.hold(r.podUid), r.node);
  }
  for (const auto& [node, list] : byNode) puts.emplace_back(layout_.reservations(node), encodeReservationList(list));
  for (const NodeReport& n : dump.nodes) puts.emplace_back(layout_.node(n.node), encodeNodeReport(n));
  constexpr size_t kBatch = 100;  // etcd allows 128 operations per transaction by default
  for (size_t i = 0; i < puts.size(); i += kBatch) {
    Plan plan;
    plan.puts.assign(puts.begin() + static_cast<std::ptrdiff_t>(i),
                     puts.begin() + static_cast<std::ptrdiff_t>(std::min(puts.size(), i + kBatch)));
    auto committed = commit(plan);
    if (!committed.ok()) return committed.status().withContext("import stopped after " + std::to_string(i) + " keys");
  }
  spdlog::info("ledger etcd: imported {} nodes, {} reservations, {} pending pods into {}", dump.nodes.size(),
               dump.reservations.size(), dump.pending.size(), layout_.prefix());
  return Status::Ok();
}

}  // namespace migwarden::ledger::etcd
