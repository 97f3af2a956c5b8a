#include "webhook/ledger/api/view_decode.h"

#include <rapidjson/document.h>

#include "webhook/common/json_util.h"
#include "webhook/ledger/json_fields.h"

namespace migwarden::ledger {
namespace {

using rapidjson::Value;
namespace f = fields;

constexpr size_t kMaxItems = 1'000'000;
constexpr size_t kMaxString = 64 * 1024;

Status readStr(const Value& o, const char* key, const std::string& base, std::string* out) {
  return f::readString(o, key, base, false, kMaxString, out);
}

TimePoint fromUnix(int64_t seconds) { return TimePoint(std::chrono::seconds(seconds)); }

Status readTime(const Value& o, const char* key, const std::string& base, TimePoint* out) {
  int64_t secs = 0;
  MIGWARDEN_RETURN_IF_ERROR(f::readInt(o, key, base, false, INT64_MIN, &secs));
  *out = fromUnix(secs);
  return Status::Ok();
}

// Visits every element of an optional array member.
template <typename Fn>
Status eachItem(const Value& o, const char* key, const std::string& base, Fn fn) {
  const Value* items = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(f::readArray(o, key, base, false, kMaxItems, &items));
  if (items == nullptr) return Status::Ok();
  const std::string path = f::path(base, key);
  for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
    const std::string at = f::index(path, i);
    if (!(*items)[i].IsObject()) return f::fieldError(at, "must be an object");
    MIGWARDEN_RETURN_IF_ERROR(fn((*items)[i], at));
  }
  return Status::Ok();
}

Status decodeSummary(const Value& v, const std::string& at, NodeSummary* n) {
  MIGWARDEN_RETURN_IF_ERROR(f::readString(v, "name", at, true, kMaxString, &n->name));
  MIGWARDEN_RETURN_IF_ERROR(readStr(v, "bootId", at, &n->bootId));
  MIGWARDEN_RETURN_IF_ERROR(f::readInt(v, "sequence", at, false, 0, &n->sequence));
  MIGWARDEN_RETURN_IF_ERROR(readStr(v, "driverVersion", at, &n->driverVersion));
  MIGWARDEN_RETURN_IF_ERROR(readStr(v, "cudaDriverVersion", at, &n->cudaDriverVersion));
  MIGWARDEN_RETURN_IF_ERROR(readStr(v, "migConfigState", at, &n->migConfigState));
  MIGWARDEN_RETURN_IF_ERROR(f::readBool(v, "reconfiguring", at, false, &n->reconfiguring));
  MIGWARDEN_RETURN_IF_ERROR(f::readBool(v, "acceptsReservations", at, false, &n->acceptsReservations));
  int64_t gpus = 0;
  MIGWARDEN_RETURN_IF_ERROR(f::readInt(v, "gpus", at, false, 0, &gpus));
  n->gpuCount = static_cast<size_t>(gpus);
  MIGWARDEN_RETURN_IF_ERROR(eachItem(v, "resources", at, [&](const Value& rv, const std::string& rat) {
    ResourceSummary r;
    MIGWARDEN_RETURN_IF_ERROR(f::readString(rv, "resource", rat, true, kMaxString, &r.resource));
    for (auto [key, out] : {std::pair{"total", &r.total}, {"healthy", &r.healthy}, {"bound", &r.bound},
                            {"reserved", &r.reserved}, {"free", &r.free}}) {
      MIGWARDEN_RETURN_IF_ERROR(f::readInt(rv, key, rat, false, 0, out));
    }
    MIGWARDEN_RETURN_IF_ERROR(f::readBool(rv, "conflicted", rat, false, &r.conflicted));
    n->resources.push_back(std::move(r));
    return Status::Ok();
  }));
  return eachItem(v, "boundPods", at, [&](const Value& pv, const std::string& pat) {
    BoundPod p;
    MIGWARDEN_RETURN_IF_ERROR(readStr(pv, "podUid", pat, &p.podUid));
    MIGWARDEN_RETURN_IF_ERROR(readStr(pv, "namespace", pat, &p.ns));
    MIGWARDEN_RETURN_IF_ERROR(readStr(pv, "name", pat, &p.name));
    if (json::find(pv, "devices") != nullptr) MIGWARDEN_RETURN_IF_ERROR(f::readCounts(pv, "devices", pat, &p.devices));
    n->boundPods.push_back(std::move(p));
    return Status::Ok();
  });
}

Result<ConflictKind> conflictKindFromName(std::string_view name, const std::string& at) {
  for (ConflictKind k : kAllConflictKinds)
    if (conflictKindName(k) == name) return k;
  return f::fieldError(at, "unknown conflict kind \"" + std::string(name.substr(0, 64)) + "\"");
}

}  // namespace

Result<LedgerView> decodeLedgerView(std::string_view text) {
  auto doc = json::parse(text);
  if (!doc.ok()) return Status::InvalidArgument(doc.status().message());
  const Value& root = *doc;
  if (!root.IsObject()) return Status::InvalidArgument("ledger view: must be a JSON object");
  LedgerView view;
  const std::string base;
  MIGWARDEN_RETURN_IF_ERROR(eachItem(root, "nodes", base, [&](const Value& v, const std::string& at) {
    NodeSummary n;
    MIGWARDEN_RETURN_IF_ERROR(decodeSummary(v, at, &n));
    view.nodes.push_back(std::move(n));
    return Status::Ok();
  }));
  MIGWARDEN_RETURN_IF_ERROR(eachItem(root, "reservations", base, [&](const Value& v, const std::string& at) {
    Reservation r;
    MIGWARDEN_RETURN_IF_ERROR(readStr(v, "podUid", at, &r.podUid));
    MIGWARDEN_RETURN_IF_ERROR(readStr(v, "namespace", at, &r.ns));
    MIGWARDEN_RETURN_IF_ERROR(readStr(v, "name", at, &r.name));
    MIGWARDEN_RETURN_IF_ERROR(readStr(v, "node", at, &r.node));
    if (json::find(v, "needs") != nullptr) MIGWARDEN_RETURN_IF_ERROR(f::readCounts(v, "needs", at, &r.needs));
    MIGWARDEN_RETURN_IF_ERROR(readTime(v, "createdAt", at, &r.createdAt));
    MIGWARDEN_RETURN_IF_ERROR(readTime(v, "expiresAt", at, &r.expiresAt));
    view.reservations.push_back(std::move(r));
    return Status::Ok();
  }));
  MIGWARDEN_RETURN_IF_ERROR(eachItem(root, "pending", base, [&](const Value& v, const std::string& at) {
    PendingPod p;
    MIGWARDEN_RETURN_IF_ERROR(readStr(v, "podUid", at, &p.podUid));
    MIGWARDEN_RETURN_IF_ERROR(readStr(v, "namespace", at, &p.ns));
    MIGWARDEN_RETURN_IF_ERROR(readStr(v, "name", at, &p.name));
    if (json::find(v, "needs") != nullptr) MIGWARDEN_RETURN_IF_ERROR(f::readCounts(v, "needs", at, &p.needs));
    MIGWARDEN_RETURN_IF_ERROR(readTime(v, "recordedAt", at, &p.recordedAt));
    view.pending.push_back(std::move(p));
    return Status::Ok();
  }));
  MIGWARDEN_RETURN_IF_ERROR(eachItem(root, "conflicts", base, [&](const Value& v, const std::string& at) {
    Conflict c;
    std::string kind;
    MIGWARDEN_RETURN_IF_ERROR(f::readString(v, "kind", at, true, kMaxString, &kind));
    auto k = conflictKindFromName(kind, f::path(at, "kind"));
    if (!k.ok()) return k.status();
    c.kind = *k;
    MIGWARDEN_RETURN_IF_ERROR(readStr(v, "node", at, &c.node));
    MIGWARDEN_RETURN_IF_ERROR(readStr(v, "message", at, &c.message));
    for (auto [key, out] : {std::pair{"resources", &c.resources}, {"devices", &c.devices}, {"pods", &c.pods}}) {
      if (json::find(v, key) != nullptr)
        MIGWARDEN_RETURN_IF_ERROR(f::readStringArray(v, key, at, kMaxItems, kMaxString, out));
    }
    view.conflicts.push_back(std::move(c));
    return Status::Ok();
  }));
  MIGWARDEN_RETURN_IF_ERROR(f::readBool(root, "readOnly", base, false, &view.readOnly));
  MIGWARDEN_RETURN_IF_ERROR(readStr(root, "readOnlyReason", base, &view.readOnlyReason));
  return view;
}

}  // namespace migwarden::ledger
