#include "webhook/ledger/view_json.h"

#include <rapidjson/document.h>

#include "webhook/common/json_util.h"

namespace migwarden::ledger {
namespace {

using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

Value str(const std::string& s, Alloc& a) { return Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a); }

int64_t unixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Value countsValue(const ResourceCounts& c, Alloc& a) {
  Value v(rapidjson::kObjectType);
  for (const auto& [res, n] : c) v.AddMember(str(res, a), Value(n), a);
  return v;
}

Value strings(const std::vector<std::string>& items, Alloc& a) {
  Value v(rapidjson::kArrayType);
  for (const auto& s : items) v.PushBack(str(s, a), a);
  return v;
}

Value summaryValue(const NodeSummary& n, Alloc& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("name", str(n.name, a), a);
  v.AddMember("bootId", str(n.bootId, a), a);
  v.AddMember("sequence", Value(n.sequence), a);
  v.AddMember("driverVersion", str(n.driverVersion, a), a);
  v.AddMember("cudaDriverVersion", str(n.cudaDriverVersion, a), a);
  v.AddMember("migConfigState", str(n.migConfigState, a), a);
  v.AddMember("reconfiguring", Value(n.reconfiguring), a);
  v.AddMember("acceptsReservations", Value(n.acceptsReservations), a);
  v.AddMember("gpus", Value(static_cast<uint64_t>(n.gpuCount)), a);
  Value resources(rapidjson::kArrayType);
  for (const ResourceSummary& r : n.resources) {
    Value rv(rapidjson::kObjectType);
    rv.AddMember("resource", str(r.resource, a), a);
    rv.AddMember("total", Value(r.total), a);
    rv.AddMember("healthy", Value(r.healthy), a);
    rv.AddMember("bound", Value(r.bound), a);
    rv.AddMember("reserved", Value(r.reserved), a);
    rv.AddMember("free", Value(r.free), a);
    rv.AddMember("conflicted", Value(r.conflicted), a);
    resources.PushBack(rv, a);
  }
  v.AddMember("resources", resources, a);
  Value bound(rapidjson::kArrayType);
  for (const BoundPod& p : n.boundPods) {
    Value pv(rapidjson::kObjectType);
    pv.AddMember("podUid", str(p.podUid, a), a);
    pv.AddMember("namespace", str(p.ns, a), a);
    pv.AddMember("name", str(p.name, a), a);
    pv.AddMember("devices", countsValue(p.devices, a), a);
    bound.PushBack(pv, a);
  }
  v.AddMember("boundPods", bound, a);
  return v;
}

}  // namespace

std::string encodeLedgerView(const LedgerView& view) {
  rapidjson::Document d;
  auto& a = d.GetAllocator();
  d.SetObject();
  Value nodes(rapidjson::kArrayType);
  for (const NodeSummary& n : view.nodes) nodes.PushBack(summaryValue(n, a), a);
  d.AddMember("nodes", nodes, a);
  Value reservations(rapidjson::kArrayType);
  for (const Reservation& r : view.reservations) {
    Value rv(rapidjson::kObjectType);
    rv.AddMember("podUid", str(r.podUid, a), a);
    rv.AddMember("namespace", str(r.ns, a), a);
    rv.AddMember("name", str(r.name, a), a);
    rv.AddMember("node", str(r.node, a), a);
    rv.AddMember("needs", countsValue(r.needs, a), a);
    rv.AddMember("createdAt", Value(unixSeconds(r.createdAt)), a);
    rv.AddMember("expiresAt", Value(unixSeconds(r.expiresAt)), a);
    reservations.PushBack(rv, a);
  }
  d.AddMember("reservations", reservations, a);
  Value pending(rapidjson::kArrayType);
  for (const PendingPod& p : view.pending) {
    Value pv(rapidjson::kObjectType);
    pv.AddMember("podUid", str(p.podUid, a), a);
    pv.AddMember("namespace", str(p.ns, a), a);
    pv.AddMember("name", str(p.name, a), a);
    pv.AddMember("needs", countsValue(p.needs, a), a);
    pv.AddMember("recordedAt", Value(unixSeconds(p.recordedAt)), a);
    pending.PushBack(pv, a);
  }
  d.AddMember("pending", pending, a);
  Value conflicts(rapidjson::kArrayType);
  for (const Conflict& c : view.conflicts) {
    Value cv(rapidjson::kObjectType);
    cv.AddMember("kind", str(std::string(conflictKindName(c.kind)), a), a);
    cv.AddMember("node", str(c.node, a), a);
    cv.AddMember("resources", strings(c.resources, a), a);
    cv.AddMember("devices", strings(c.devices, a), a);
    cv.AddMember("pods", strings(c.pods, a), a);
    cv.AddMember("message", str(c.message, a), a);
    conflicts.PushBack(cv, a);
  }
  d.AddMember("conflicts", conflicts, a);
  d.AddMember("readOnly", Value(view.readOnly), a);
  if (view.readOnly) d.AddMember("readOnlyReason", str(view.readOnlyReason, a), a);
  return json::toString(d);
}

std::string encodeNodeView(const NodeReport& report, const NodeSummary& summary) {
  rapidjson::Document d;
  auto& a = d.GetAllocator();
  d.SetObject();
  d.AddMember("summary", summaryValue(summary, a), a);
  Value r;
  writeNodeReport(report, r, a);
  d.AddMember("report", r, a);
  return json::toString(d);
}

}  // namespace migwarden::ledger
