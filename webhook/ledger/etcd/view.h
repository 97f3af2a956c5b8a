// View: one replica's in-memory ledger, derived from the ledger's keys in etcd.
//
// Every key is a full replacement of its part of the ledger (layout.h), so the view is
// a per-key merge: a value observed at revision R (from the watch, from a transaction
// this replica committed, or from the failure branch of one that lost a race) is
// applied unless the view already holds that key at a newer revision. Applying the
// same change twice, or a stale one late, is therefore harmless, and a committed write
// is in the view before the call that made it returns (read-your-writes) without
// waiting for the watch. Deletions leave a marker until the watch has passed them, so
// a late PUT cannot resurrect a deleted key.
//
// Decisions made on the view are only hints: every write compares the revisions of
// the keys its decision read, so a stale view costs a retry, never an over-allocation.
//
// Not thread-safe: EtcdStore guards it with its lock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "webhook/ledger/etcd/layout.h"
#include "webhook/ledger/ledger_state.h"

namespace migwarden::ledger::etcd {

class View {
 public:
  explicit View(Layout layout) : layout_(std::move(layout)) {}

  // Applies `key`'s value as of `revision` (nullopt: deleted) unless the view has a
  // newer revision of it. An undecodable value is logged and kept out of the view:
  // another writer's bug must not stop admission.
  void apply(const std::string& key, std::optional<std::string_view> value, int64_t revision);
  // Drops deletion markers at or below `revision` (the watch has delivered up to it).
  void pruneTombstones(int64_t revision);

  // The revision the view holds `key` at; 0 when absent.
  int64_t modRevision(const std::string& key) const;
  // The node a pod's hold key names, if the view has it.
  std::optional<std::string> holdOf(const std::string& podUid) const;
  // Reservations on `node` as stored in its key (empty map when none).
  const std::map<std::string, Reservation>& reservationsOn(const std::string& node) const;
  // The uid of the pod "ns/name" from pending records and reservations ("" if unknown):
  // lets a report without pod uids be matched, exactly as LedgerState does.
  std::string resolveUid(const std::string& ns, const std::string& name) const;
  // A node key was deleted (only an operator or an import does that): LedgerState
  // cannot forget a node, so the owner should re-list.
  bool wantsRelist() const { return wantsRelist_; }

  const LedgerState& state() const { return state_; }
  const Layout& layout() const { return layout_; }

 private:
  struct KeyRevision {
    int64_t revision = 0;
    bool present = false;
  };

  void applyNode(const std::string& node, std::optional<std::string_view> value);
  void applyReservations(const std::string& node, std::optional<std::string_view> value);
  void applyPending(const std::string& uid, std::optional<std::string_view> value);
  void remember(const std::string& ns, const std::string& name, const std::string& uid);
  void forget(const std::string& ns, const std::string& name, const std::string& uid);

  Layout layout_;
  LedgerState state_;
  std::unordered_map<std::string, KeyRevision> revisions_;
  std::unordered_map<std::string, std::string> holds_;
  std::map<std::string, std::map<std::string, Reservation>, std::less<>> reservationsByNode_;
  std::unordered_map<std::string, std::string> uidByName_;
  bool wantsRelist_ = false;
};

}  // namespace migwarden::ledger::etcd
