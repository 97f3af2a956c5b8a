#include "webhook/ledger/node_report.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <set>

#include "webhook/common/json_util.h"
#include "webhook/ledger/json_fields.h"

namespace migwarden::ledger {
namespace {

using fields::fieldError;
using fields::index;
using fields::path;

Status requireObject(const rapidjson::Value& v, std::string_view p) {
  if (!v.IsObject()) return fieldError(p, "must be an object");
  return Status::Ok();
}

Status decodeMigDevice(const rapidjson::Value& v, const std::string& p, const NodeReportLimits& lim, MigDevice* d) {
  MIGWARDEN_RETURN_IF_ERROR(requireObject(v, p));
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "uuid", p, true, lim.maxStringBytes, &d->uuid));
  if (d->uuid.empty()) return fieldError(path(p, "uuid"), "must not be empty");
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "profile", p, true, lim.maxStringBytes, &d->profile));
  if (d->profile.empty()) return fieldError(path(p, "profile"), "must not be empty");
  MIGWARDEN_RETURN_IF_ERROR(fields::readInt(v, "giId", p, true, 0, &d->giId));
  MIGWARDEN_RETURN_IF_ERROR(fields::readInt(v, "ciId", p, true, 0, &d->ciId));
  auto placement = fields::require(v, "placement", p);
  if (!placement.ok()) return placement.status();
  const std::string pp = path(p, "placement");
  MIGWARDEN_RETURN_IF_ERROR(requireObject(**placement, pp));
  MIGWARDEN_RETURN_IF_ERROR(fields::readInt(**placement, "start", pp, true, 0, &d->placement.start));
  MIGWARDEN_RETURN_IF_ERROR(fields::readInt(**placement, "size", pp, true, 1, &d->placement.size));
  // Health is required: a missing flag must not silently count as a usable slice.
  return fields::readBool(v, "healthy", p, true, &d->healthy);
}

Status decodeGpu(const rapidjson::Value& v, const std::string& p, const NodeReportLimits& lim, Gpu* g) {
  MIGWARDEN_RETURN_IF_ERROR(requireObject(v, p));
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "uuid", p, true, lim.maxStringBytes, &g->uuid));
  if (g->uuid.empty()) return fieldError(path(p, "uuid"), "must not be empty");
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "product", p, false, lim.maxStringBytes, &g->product));
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "pciDeviceId", p, false, lim.maxStringBytes, &g->pciDeviceId));
  MIGWARDEN_RETURN_IF_ERROR(
      fields::readString(v, "computeCapability", p, false, lim.maxStringBytes, &g->computeCapability));
  MIGWARDEN_RETURN_IF_ERROR(fields::readInt(v, "memoryMiB", p, false, 0, &g->memoryMiB));
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "migMode", p, false, lim.maxStringBytes, &g->migMode));
  MIGWARDEN_RETURN_IF_ERROR(fields::readBool(v, "healthy", p, false, &g->healthy));
  const rapidjson::Value* devices = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(fields::readArray(v, "migDevices", p, false, lim.maxMigDevicesPerGpu, &devices));
  if (devices == nullptr) return Status::Ok();
  const std::string dp = path(p, "migDevices");
  g->migDevices.resize(devices->Size());
  for (rapidjson::SizeType i = 0; i < devices->Size(); ++i) {
    MIGWARDEN_RETURN_IF_ERROR(decodeMigDevice((*devices)[i], index(dp, i), lim, &g->migDevices[i]));
  }
  return Status::Ok();
}

Status decodeAllocation(const rapidjson::Value& v, const std::string& p, const NodeReportLimits& lim,
                        Allocation* a) {
  MIGWARDEN_RETURN_IF_ERROR(requireObject(v, p));
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "podUid", p, false, lim.maxStringBytes, &a->podUid));
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "namespace", p, true, lim.maxStringBytes, &a->ns));
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "pod", p, true, lim.maxStringBytes, &a->pod));
  if (a->pod.empty()) return fieldError(path(p, "pod"), "must not be empty");
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "container", p, true, lim.maxStringBytes, &a->container));
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "resource", p, true, lim.maxStringBytes, &a->resource));
  if (a->resource.empty()) return fieldError(path(p, "resource"), "must not be empty");
  return fields::readStringArray(v, "deviceIds", p, lim.maxDeviceIdsPerAllocation, lim.maxStringBytes,
                                 &a->deviceIds);
}

// Two inventory entries with one uuid would make every later lookup ambiguous.
Status checkUniqueUuids(const NodeReport& r) {
  std::set<std::string_view> seen;
  for (size_t g = 0; g < r.gpus.size(); ++g) {
    const std::string gp = index("gpus", g);
    if (!seen.insert(r.gpus[g].uuid).second) return fieldError(path(gp, "uuid"), "duplicate uuid " + r.gpus[g].uuid);
    for (size_t m = 0; m < r.gpus[g].migDevices.size(); ++m) {
      const auto& d = r.gpus[g].migDevices[m];
      if (!seen.insert(d.uuid).second) {
        return fieldError(path(index(path(gp, "migDevices"), m), "uuid"), "duplicate uuid " + d.uuid);
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<NodeReport> decodeNodeReport(const rapidjson::Value& v, std::string_view base, const NodeReportLimits& lim) {
  const std::string p(base);
  if (!v.IsObject()) return fieldError(p, "must be an object");
  NodeReport r;
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "node", p, true, lim.maxStringBytes, &r.node));
  if (r.node.empty()) return fieldError(path(p, "node"), "must not be empty");
  MIGWARDEN_RETURN_IF_ERROR(fields::readInt(v, "sequence", p, true, 0, &r.sequence));
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "bootId", p, true, lim.maxStringBytes, &r.bootId));
  if (r.bootId.empty()) return fieldError(path(p, "bootId"), "must not be empty");
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "driverVersion", p, false, lim.maxStringBytes, &r.driverVersion));
  MIGWARDEN_RETURN_IF_ERROR(
      fields::readString(v, "cudaDriverVersion", p, false, lim.maxStringBytes, &r.cudaDriverVersion));
  MIGWARDEN_RETURN_IF_ERROR(fields::readString(v, "migConfigState", p, false, lim.maxStringBytes, &r.migConfigState));
  const rapidjson::Value* gpus = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(fields::readArray(v, "gpus", p, true, lim.maxGpus, &gpus));
  r.gpus.resize(gpus->Size());
  for (rapidjson::SizeType i = 0; i < gpus->Size(); ++i) {
    MIGWARDEN_RETURN_IF_ERROR(decodeGpu((*gpus)[i], index(path(p, "gpus"), i), lim, &r.gpus[i]));
  }
  const rapidjson::Value* allocs = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(fields::readArray(v, "allocations", p, false, lim.maxAllocations, &allocs));
  if (allocs != nullptr) {
    r.allocations.resize(allocs->Size());
    for (rapidjson::SizeType i = 0; i < allocs->Size(); ++i) {
      MIGWARDEN_RETURN_IF_ERROR(
          decodeAllocation((*allocs)[i], index(path(p, "allocations"), i), lim, &r.allocations[i]));
    }
  }
  MIGWARDEN_RETURN_IF_ERROR(checkUniqueUuids(r));
  return r;
}

Result<NodeReport> parseNodeReport(std::string_view text, const NodeReportLimits& limits) {
  auto doc = json::parse(text);
  if (!doc.ok()) return doc.status();
  return decodeNodeReport(*doc, "", limits);
}

void writeNodeReport(const NodeReport& r, rapidjson::Value& out, rapidjson::Document::AllocatorType& a) {
  using rapidjson::Value;
  auto str = [&a](const std::string& s) { return Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a); };
  out.SetObject();
  out.AddMember("node", str(r.node), a);
  out.AddMember("sequence", Value(r.sequence), a);
  out.AddMember("bootId", str(r.bootId), a);
  out.AddMember("driverVersion", str(r.driverVersion), a);
  out.AddMember("cudaDriverVersion", str(r.cudaDriverVersion), a);
  out.AddMember("migConfigState", str(r.migConfigState), a);
  Value gpus(rapidjson::kArrayType);
  for (const Gpu& g : r.gpus) {
    Value gv(rapidjson::kObjectType);
    gv.AddMember("uuid", str(g.uuid), a);
    gv.AddMember("product", str(g.product), a);
    gv.AddMember("pciDeviceId", str(g.pciDeviceId), a);
    gv.AddMember("computeCapability", str(g.computeCapability), a);
    gv.AddMember("memoryMiB", Value(g.memoryMiB), a);
    gv.AddMember("migMode", str(g.migMode), a);
    gv.AddMember("healthy", Value(g.healthy), a);
    Value devices(rapidjson::kArrayType);
    for (const MigDevice& d : g.migDevices) {
      Value dv(rapidjson::kObjectType);
      dv.AddMember("uuid", str(d.uuid), a);
      dv.AddMember("profile", str(d.profile), a);
      dv.AddMember("giId", Value(d.giId), a);
      dv.AddMember("ciId", Value(d.ciId), a);
      Value pl(rapidjson::kObjectType);
      pl.AddMember("start", Value(d.placement.start), a);
      pl.AddMember("size", Value(d.placement.size), a);
      dv.AddMember("placement", pl, a);
      dv.AddMember("healthy", Value(d.healthy), a);
      devices.PushBack(dv, a);
    }
    gv.AddMember("migDevices", devices, a);
    gpus.PushBack(gv, a);
  }
  out.AddMember("gpus", gpus, a);
  Value allocs(rapidjson::kArrayType);
  for (const Allocation& al : r.allocations) {
    Value av(rapidjson::kObjectType);
    av.AddMember("podUid", str(al.podUid), a);
    av.AddMember("namespace", str(al.ns), a);
    av.AddMember("pod", str(al.pod), a);
    av.AddMember("container", str(al.container), a);
    av.AddMember("resource", str(al.resource), a);
    Value ids(rapidjson::kArrayType);
    for (const std::string& id : al.deviceIds) ids.PushBack(str(id), a);
    av.AddMember("deviceIds", ids, a);
    allocs.PushBack(av, a);
  }
  out.AddMember("allocations", allocs, a);
}

std::string encodeNodeReport(const NodeReport& report) {
  rapidjson::Document doc;
  writeNodeReport(report, doc, doc.GetAllocator());
  return json::toString(doc);
}

}  // namespace migwarden::ledger
