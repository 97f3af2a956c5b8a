#include "webhook/ledger/record_codec.h"

#include <rapidjson/document.h>

#include "webhook/common/json_util.h"
#include "webhook/ledger/json_fields.h"

namespace migwarden::ledger::codec {
namespace {

using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

constexpr size_t kMaxString = 1 << 16;

Value str(const std::string& s, Alloc& a) { return Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a); }

int64_t toNanos(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
TimePoint fromNanos(int64_t n) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(n)));
}

Value countsValue(const ResourceCounts& c, Alloc& a) {
  Value v(rapidjson::kObjectType);
  for (const auto& [res, n] : c) v.AddMember(str(res, a), Value(n), a);
  return v;
}

Value pendingValue(const PendingPod& p, Alloc& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("podUid", str(p.podUid, a), a);
  v.AddMember("namespace", str(p.ns, a), a);
  v.AddMember("name", str(p.name, a), a);
  v.AddMember("needs", countsValue(p.needs, a), a);
  v.AddMember("recordedAtNs", Value(toNanos(p.recordedAt)), a);
  return v;
}

Value reservationValue(const Reservation& r, Alloc& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("podUid", str(r.podUid, a), a);
  v.AddMember("namespace", str(r.ns, a), a);
  v.AddMember("name", str(r.name, a), a);
  v.AddMember("node", str(r.node, a), a);
  v.AddMember("needs", countsValue(r.needs, a), a);
  v.AddMember("createdAtNs", Value(toNanos(r.createdAt)), a);
  v.AddMember("expiresAtNs", Value(toNanos(r.expiresAt)), a);
  return v;
}

Result<PendingPod> readPending(const Value& v, const std::string& p) {
  if (!v.IsObject()) return fields::fieldError(p, "must be an object");
  PendingPod pod;
  int64_t at = 0;
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "podUid", p, true, kMaxString, &pod.podUid));
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "namespace", p, true, kMaxString, &pod.ns));
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "name", p, true, kMaxString, &pod.name));
  MIGWARDEN_RETURN_IF_ERROR(fields::readCounts(v, "needs", p, &pod.needs));
  MIGWARDEN_RETURN_IF_ERROR(fields::readInt(v, "recordedAtNs", p, true, INT64_MIN, &at));
  pod.recordedAt = fromNanos(at);
  return pod;
}

Result<Reservation> readReservation(const Value& v, const std::string& p) {
  if (!v.IsObject()) return fields::fieldError(p, "must be an object");
  Reservation r;
  int64_t created = 0, expires = 0;
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "podUid", p, true, kMaxString, &r.podUid));
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "namespace", p, true, kMaxString, &r.ns));
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "name", p, true, kMaxString, &r.name));
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "node", p, true, kMaxString, &r.node));
  MIGWARDEN_RETURN_IF_ERROR(fields::readCounts(v, "needs", p, &r.needs));
  MIGWARDEN_RETURN_IF_ERROR(fields::readInt(v, "createdAtNs", p, true, INT64_MIN, &created));
  MIGWARDEN_RETURN_IF_ERROR(fields::readInt(v, "expiresAtNs", p, true, INT64_MIN, &expires));
  r.createdAt = fromNanos(created);
  r.expiresAt = fromNanos(expires);
  return r;
}

std::string serialize(const Value& v) { return json::toString(v); }

}  // namespace

std::string encodePending(const PendingPod& pod) {
  rapidjson::Document d;
  Value v = pendingValue(pod, d.GetAllocator());
  return serialize(v);
}

Result<PendingPod> decodePending(std::string_view text) {
  auto doc = json::parse(text);
  if (!doc.ok()) return doc.status();
  return readPending(*doc, "pending");
}

std::string encodeReservation(const Reservation& r) {
  rapidjson::Document d;
  Value v = reservationValue(r, d.GetAllocator());
  return serialize(v);
}

Result<Reservation> decodeReservation(std::string_view text) {
  auto doc = json::parse(text);
  if (!doc.ok()) return doc.status();
  return readReservation(*doc, "reservation");
}

std::string encodeUids(const std::vector<std::string>& uids) {
  rapidjson::Document d;
  auto& a = d.GetAllocator();
  Value v(rapidjson::kObjectType);
  Value arr(rapidjson::kArrayType);
  for (const auto& u : uids) arr.PushBack(str(u, a), a);
  v.AddMember("podUids", arr, a);
  return serialize(v);
}

Result<std::vector<std::string>> decodeUids(std::string_view text) {
  auto doc = json::parse(text);
  if (!doc.ok()) return doc.status();
  if (!doc->IsObject()) return fields::fieldError("record", "must be an object");
  std::vector<std::string> uids;
  MIGWARDEN_RETURN_IF_ERROR(fields::readStringArray(*doc, "podUids", "", SIZE_MAX, kMaxString, &uids));
  return uids;
}

std::string encodeSnapshot(const LedgerState& state, uint64_t sequence) {
  rapidjson::Document d;
  auto& a = d.GetAllocator();
  d.SetObject();
  d.AddMember("version", 1, a);
  d.AddMember("sequence", Value(static_cast<uint64_t>(sequence)), a);
  Value nodes(rapidjson::kArrayType);
  for (const auto& [name, n] : state.nodes()) {
    Value nv;
    writeNodeReport(n.report, nv, a);
    nodes.PushBack(nv, a);
  }
  d.AddMember("nodes", nodes, a);
  Value reservations(rapidjson::kArrayType);
  for (const Reservation& r : state.reservations()) reservations.PushBack(reservationValue(r, a), a);
  d.AddMember("reservations", reservations, a);
  Value pending(rapidjson::kArrayType);
  for (const PendingPod& p : state.pendingPods()) pending.PushBack(pendingValue(p, a), a);
  d.AddMember("pending", pending, a);
  return serialize(d);
}

Result<uint64_t> decodeSnapshot(std::string_view text, LedgerState* state) {
  auto doc = json::parse(text);
  if (!doc.ok()) return doc.status();
  const Value& d = *doc;
  if (!d.IsObject()) return fields::fieldError("snapshot", "must be an object");
  int64_t version = 0;
  MIGWARDEN_RETURN_IF_ERROR(fields::readInt(d, "version", "snapshot", true, 1, &version));
  if (version != 1) return Status::InvalidArgument("snapshot.version: unsupported " + std::to_string(version));
  auto seq = d.FindMember("sequence");
  if (seq == d.MemberEnd() || !seq->value.IsUint64()) return fields::fieldError("snapshot.sequence", "must be an integer");
  const Value* arr = nullptr;
  // Limits are for untrusted agents; the snapshot is our own output.
  NodeReportLimits unlimited{SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX, kMaxString};
  MIGWARDEN_RETURN_IF_ERROR(fields::readArray(d, "nodes", "snapshot", true, SIZE_MAX, &arr));
  for (rapidjson::SizeType i = 0; i < arr->Size(); ++i) {
    auto report = decodeNodeReport((*arr)[i], fields::index("snapshot.nodes", i), unlimited);
    if (!report.ok()) return report.status();
    state->restoreNode(std::move(report).value());
  }
  MIGWARDEN_RETURN_IF_ERROR(fields::readArray(d, "reservations", "snapshot", true, SIZE_MAX, &arr));
  for (rapidjson::SizeType i = 0; i < arr->Size(); ++i) {
    auto r = readReservation((*arr)[i], fields::index("snapshot.reservations", i));
    if (!r.ok()) return r.status();
    state->putReservation(std::move(r).value());
  }
  MIGWARDEN_RETURN_IF_ERROR(fields::readArray(d, "pending", "snapshot", true, SIZE_MAX, &arr));
  for (rapidjson::SizeType i = 0; i < arr->Size(); ++i) {
    auto p = readPending((*arr)[i], fields::index("snapshot.pending", i));
    if (!p.ok()) return p.status();
    state->putPending(std::move(p).value());
  }
  return seq->value.GetUint64();
}

}  // namespace migwarden::ledger::codec
