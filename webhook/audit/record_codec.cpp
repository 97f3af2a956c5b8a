#include "webhook/audit/record_codec.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "webhook/audit/rfc3339.h"
#include "webhook/common/json_util.h"

namespace migwarden::audit {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void putString(Writer& w, const char* key, std::string_view value) {
  if (value.empty()) return;
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void putStrings(Writer& w, const char* key, const std::vector<std::string>& values) {
  if (values.empty()) return;
  w.Key(key);
  w.StartArray();
  for (const auto& v : values) w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  w.EndArray();
}

Result<std::vector<std::string>> stringList(const rapidjson::Value& obj, const char* key) {
  std::vector<std::string> out;
  auto arr = json::optionalArray(obj, key, "");
  if (!arr.ok()) return arr.status();
  if (*arr == nullptr) return out;
  for (rapidjson::SizeType i = 0; i < (*arr)->Size(); ++i) {
    const auto& v = (**arr)[i];
    if (!v.IsString()) return json::typeError(json::joinIndex(key, i), "string", v);
    out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

Status readString(const rapidjson::Value& obj, const char* key, std::string& out) {
  auto v = json::optionalString(obj, key, "");
  if (!v.ok()) return v.status();
  if (*v) out = std::move(**v);
  return Status::Ok();
}

Status decodeLists(const rapidjson::Value& doc, AuditRecord& r) {
  auto groups = stringList(doc, "groups");
  if (!groups.ok()) return groups.status();
  r.groups = std::move(*groups);
  auto warnings = stringList(doc, "warnings");
  if (!warnings.ok()) return warnings.status();
  r.warnings = std::move(*warnings);
  auto devices = stringList(doc, "deviceUuids");
  if (!devices.ok()) return devices.status();
  r.deviceUuids = std::move(*devices);

  auto rules = json::optionalArray(doc, "rules", "");
  if (!rules.ok()) return rules.status();
  if (*rules != nullptr) {
    for (rapidjson::SizeType i = 0; i < (*rules)->Size(); ++i) {
      const std::string path = json::joinIndex("rules", i);
      const auto& v = (**rules)[i];
      if (!v.IsObject()) return json::typeError(path, "object", v);
      RuleHit hit;
      auto id = json::requireString(v, "id", path);
      if (!id.ok()) return id.status();
      hit.id = std::move(*id);
      MIGWARDEN_RETURN_IF_ERROR(readString(v, "action", hit.action));
      r.rules.push_back(std::move(hit));
    }
  }
  auto mig = json::optionalArray(doc, "migResources", "");
  if (!mig.ok()) return mig.status();
  if (*mig != nullptr) {
    for (rapidjson::SizeType i = 0; i < (*mig)->Size(); ++i) {
      const std::string path = json::joinIndex("migResources", i);
      const auto& v = (**mig)[i];
      if (!v.IsObject()) return json::typeError(path, "object", v);
      MigResource res;
      auto name = json::requireString(v, "resource", path);
      if (!name.ok()) return name.status();
      res.resource = std::move(*name);
      auto count = json::optionalInt(v, "count", path);
      if (!count.ok()) return count.status();
      res.count = count->value_or(0);
      r.migResources.push_back(std::move(res));
    }
  }
  auto details = json::optionalObject(doc, "details", "");
  if (!details.ok()) return details.status();
  if (*details != nullptr) {
    if (!(*details)->IsObject()) return json::typeError("details", "object", **details);
    for (auto it = (*details)->MemberBegin(); it != (*details)->MemberEnd(); ++it) {
      if (!it->value.IsString()) return json::typeError(json::joinPath("details", it->name.GetString()), "string", it->value);
      r.details[it->name.GetString()] = std::string(it->value.GetString(), it->value.GetStringLength());
    }
  }
  return Status::Ok();
}

}  // namespace

std::string encodeRecordBody(const AuditRecord& r) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  putString(w, "time", formatRfc3339Micros(r.time));
  putString(w, "kind", recordKindName(r.kind));
  putString(w, "requestUid", r.requestUid);
  putString(w, "user", r.user);
  putStrings(w, "groups", r.groups);
  putString(w, "operation", r.operation);
  putString(w, "resource", r.resource);
  putString(w, "subResource", r.subResource);
  putString(w, "namespace", r.namespace_);
  putString(w, "name", r.name);
  putString(w, "podUid", r.podUid);
  putString(w, "node", r.node);
  putString(w, "decision", decisionName(r.decision));
  if (!r.rules.empty()) {
    w.Key("rules");
    w.StartArray();
    for (const auto& hit : r.rules) {
      w.StartObject();
      putString(w, "id", hit.id);
      putString(w, "action", hit.action);
      w.EndObject();
    }
    w.EndArray();
  }
  putString(w, "message", r.message);
  putStrings(w, "warnings", r.warnings);
  if (!r.migResources.empty()) {
    w.Key("migResources");
    w.StartArray();
    for (const auto& res : r.migResources) {
      w.StartObject();
      putString(w, "resource", res.resource);
      w.Key("count");
      w.Int64(res.count);
      w.EndObject();
    }
    w.EndArray();
  }
  putStrings(w, "deviceUuids", r.deviceUuids);
  putString(w, "policyDigest", r.policyDigest);
  if (r.kind == RecordKind::kAdmission || r.dryRun) {
    w.Key("dryRun");
    w.Bool(r.dryRun);
  }
  if (r.latencyMicros) {
    w.Key("latencyMicros");
    w.Int64(*r.latencyMicros);
  }
  putString(w, "event", ledgerEventName(r.event));
  if (!r.details.empty()) {
    w.Key("details");
    w.StartObject();
    for (const auto& [k, v] : r.details) {
      w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
      w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    }
    w.EndObject();
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<ChainedRecord> decodeRecordLine(std::string_view line) {
  auto parsed = json::parse(line);
  if (!parsed.ok()) return parsed.status();
  const rapidjson::Document& doc = *parsed;
  if (!doc.IsObject()) return json::typeError("record", "object", doc);

  ChainedRecord out;
  const rapidjson::Value* seq = json::find(doc, "seq");
  if (seq == nullptr || !seq->IsUint64() || seq->GetUint64() == 0)
    return Status::InvalidArgument("seq: must be a positive integer");
  out.seq = seq->GetUint64();
  auto prev = json::requireString(doc, "prev", "");
  if (!prev.ok()) return prev.status();
  out.prev = std::move(*prev);
  auto hash = json::requireString(doc, "hash", "");
  if (!hash.ok()) return hash.status();
  out.hash = std::move(*hash);

  AuditRecord& r = out.record;
  auto time = json::requireString(doc, "time", "");
  if (!time.ok()) return time.status();
  auto when = parseRfc3339(*time);
  if (!when) return Status::InvalidArgument("time: \"" + *time + "\" is not an RFC 3339 timestamp");
  r.time = *when;
  auto kind = json::requireString(doc, "kind", "");
  if (!kind.ok()) return kind.status();
  auto parsedKind = parseRecordKind(*kind);
  if (!parsedKind) return Status::InvalidArgument("kind: unknown value \"" + *kind + "\"");
  r.kind = *parsedKind;

  MIGWARDEN_RETURN_IF_ERROR(readString(doc, "requestUid", r.requestUid));
  MIGWARDEN_RETURN_IF_ERROR(readString(doc, "user", r.user));
  MIGWARDEN_RETURN_IF_ERROR(readString(doc, "operation", r.operation));
  MIGWARDEN_RETURN_IF_ERROR(readString(doc, "resource", r.resource));
  MIGWARDEN_RETURN_IF_ERROR(readString(doc, "subResource", r.subResource));
  MIGWARDEN_RETURN_IF_ERROR(readString(doc, "namespace", r.namespace_));
  MIGWARDEN_RETURN_IF_ERROR(readString(doc, "name", r.name));
  MIGWARDEN_RETURN_IF_ERROR(readString(doc, "podUid", r.podUid));
  MIGWARDEN_RETURN_IF_ERROR(readString(doc, "node", r.node));
  MIGWARDEN_RETURN_IF_ERROR(readString(doc, "message", r.message));
  MIGWARDEN_RETURN_IF_ERROR(readString(doc, "policyDigest", r.policyDigest));
  std::string text;
  MIGWARDEN_RETURN_IF_ERROR(readString(doc, "decision", text));
  if (!text.empty()) {
    auto d = parseDecision(text);
    if (!d) return Status::InvalidArgument("decision: unknown value \"" + text + "\"");
    r.decision = *d;
  }
  text.clear();
  MIGWARDEN_RETURN_IF_ERROR(readString(doc, "event", text));
  if (!text.empty()) {
    auto e = parseLedgerEvent(text);
    if (!e) return Status::InvalidArgument("event: unknown value \"" + text + "\"");
    r.event = *e;
  }
  auto dryRun = json::optionalBool(doc, "dryRun", "");
  if (!dryRun.ok()) return dryRun.status();
  r.dryRun = dryRun->value_or(false);
  auto latency = json::optionalInt(doc, "latencyMicros", "");
  if (!latency.ok()) return latency.status();
  r.latencyMicros = *latency;
  MIGWARDEN_RETURN_IF_ERROR(decodeLists(doc, r));
  return out;
}

}  // namespace migwarden::audit
