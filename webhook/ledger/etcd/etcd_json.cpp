#include "webhook/ledger/etcd/etcd_json.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>

#include "webhook/common/crypto.h"

namespace migwarden::ledger::etcd {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using rapidjson::Value;

void key(Writer& w, const char* name) { w.Key(name); }
void str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void b64(Writer& w, const char* name, std::string_view bytes) {
  key(w, name);
  str(w, crypto::base64Encode(bytes));
}
void int64(Writer& w, const char* name, int64_t v) {
  key(w, name);
  str(w, std::to_string(v));
}

Status bad(std::string_view path, std::string_view what) {
  return Status::Unavailable("etcd answer: " + std::string(path) + ": " + std::string(what));
}

// proto3 JSON writes 64-bit integers as strings; accept numbers too.
Result<int64_t> readInt(const Value& obj, const char* name, std::string_view path) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return int64_t{0};
  if (it->value.IsInt64()) return it->value.GetInt64();
  if (it->value.IsString()) {
    std::string_view s(it->value.GetString(), it->value.GetStringLength());
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size()) return v;
  }
  return bad(std::string(path) + "." + name, "must be an integer");
}

bool readBool(const Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  return it != obj.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

Result<std::string> readBytes(const Value& obj, const char* name, std::string_view path) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return std::string();
  if (!it->value.IsString()) return bad(std::string(path) + "." + name, "must be a base64 string");
  auto decoded = crypto::base64Decode(std::string_view(it->value.GetString(), it->value.GetStringLength()));
  if (!decoded) return bad(std::string(path) + "." + name, "is not valid base64");
  return std::move(*decoded);
}

Result<KeyValue> readKv(const Value& v, const std::string& path) {
  if (!v.IsObject()) return bad(path, "must be an object");
  KeyValue kv;
  auto k = readBytes(v, "key", path);
  if (!k.ok()) return k.status();
  kv.key = std::move(*k);
  auto val = readBytes(v, "value", path);
  if (!val.ok()) return val.status();
  kv.value = std::move(*val);
  auto c = readInt(v, "create_revision", path);
  if (!c.ok()) return c.status();
  kv.createRevision = *c;
  auto m = readInt(v, "mod_revision", path);
  if (!m.ok()) return m.status();
  kv.modRevision = *m;
  auto l = readInt(v, "lease", path);
  if (!l.ok()) return l.status();
  kv.lease = *l;
  return kv;
}

Result<std::vector<KeyValue>> readKvs(const Value& obj, const std::string& path) {
  std::vector<KeyValue> out;
  auto it = obj.FindMember("kvs");
  if (it == obj.MemberEnd() || it->value.IsNull()) return out;
  if (!it->value.IsArray()) return bad(path + ".kvs", "must be an array");
  for (rapidjson::SizeType i = 0; i < it->value.Size(); ++i) {
    auto kv = readKv(it->value[i], path + ".kvs[" + std::to_string(i) + "]");
    if (!kv.ok()) return kv.status();
    out.push_back(std::move(*kv));
  }
  return out;
}

Result<rapidjson::Document> parse(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return bad("body", "is not a JSON object");
  return doc;
}

Result<int64_t> headerRevision(const Value& obj) {
  auto h = obj.FindMember("header");
  if (h == obj.MemberEnd() || !h->value.IsObject()) return int64_t{0};
  return readInt(h->value, "revision", "header");
}

void writeOp(Writer& w, const Op& op) {
  w.StartObject();
  switch (op.kind) {
    case Op::Kind::kPut:
      key(w, "request_put");
      w.StartObject();
      b64(w, "key", op.key);
      b64(w, "value", op.value);
      if (op.lease != 0) int64(w, "lease", op.lease);
      w.EndObject();
      break;
    case Op::Kind::kDelete:
      key(w, "request_delete_range");
      w.StartObject();
      b64(w, "key", op.key);
      w.EndObject();
      break;
    case Op::Kind::kRange:
      key(w, "request_range");
      w.StartObject();
      b64(w, "key", op.key);
      w.EndObject();
      break;
  }
  w.EndObject();
}

}  // namespace

std::string prefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) < 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key
}

std::string encodeTxn(const TxnRequest& txn) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  key(w, "compare");
  w.StartArray();
  for (const Compare& c : txn.compares) {
    w.StartObject();
    b64(w, "key", c.key);
    key(w, "result");
    str(w, "EQUAL");
    key(w, "target");
    if (c.target == Compare::Target::kModRevision) {
      str(w, "MOD");
      int64(w, "mod_revision", c.revision);
    } else {
      str(w, "CREATE");
      int64(w, "create_revision", c.revision);
    }
    w.EndObject();
  }
  w.EndArray();
  for (auto [name, ops] : {std::pair{"success", &txn.success}, std::pair{"failure", &txn.failure}}) {
    key(w, name);
    w.StartArray();
    for (const Op& op : *ops) writeOp(w, op);
    w.EndArray();
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<TxnResponse> decodeTxn(std::string_view json) {
  auto doc = parse(json);
  if (!doc.ok()) return doc.status();
  TxnResponse out;
  out.succeeded = readBool(*doc, "succeeded");
  auto rev = headerRevision(*doc);
  if (!rev.ok()) return rev.status();
  out.revision = *rev;
  auto responses = doc->FindMember("responses");
  if (responses == doc->MemberEnd() || !responses->value.IsArray()) return out;
  for (rapidjson::SizeType i = 0; i < responses->value.Size(); ++i) {
    const Value& r = responses->value[i];
    if (!r.IsObject()) continue;
    auto range = r.FindMember("response_range");
    if (range == r.MemberEnd() || !range->value.IsObject()) continue;
    auto kvs = readKvs(range->value, "responses[" + std::to_string(i) + "].response_range");
    if (!kvs.ok()) return kvs.status();
    out.ranges.push_back(std::move(*kvs));
  }
  return out;
}

std::string encodeRange(std::string_view k, std::string_view rangeEnd, int64_t revision, int64_t limit,
                        bool countOnly) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  b64(w, "key", k);
  if (!rangeEnd.empty()) b64(w, "range_end", rangeEnd);
  if (revision > 0) int64(w, "revision", revision);
  if (limit > 0) int64(w, "limit", limit);
  if (countOnly) {
    key(w, "count_only");
    w.Bool(true);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<RangeResponse> decodeRange(std::string_view json) {
  auto doc = parse(json);
  if (!doc.ok()) return doc.status();
  RangeResponse out;
  auto rev = headerRevision(*doc);
  if (!rev.ok()) return rev.status();
  out.revision = *rev;
  auto kvs = readKvs(*doc, "range");
  if (!kvs.ok()) return kvs.status();
  out.kvs = std::move(*kvs);
  out.more = readBool(*doc, "more");
  auto count = readInt(*doc, "count", "range");
  if (!count.ok()) return count.status();
  out.count = *count;
  return out;
}

std::string encodeWatchCreate(std::string_view k, std::string_view rangeEnd, int64_t startRevision) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  key(w, "create_request");
  w.StartObject();
  b64(w, "key", k);
  b64(w, "range_end", rangeEnd);
  if (startRevision > 0) int64(w, "start_revision", startRevision);
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<WatchResponse> decodeWatch(std::string_view json) {
  auto doc = parse(json);
  if (!doc.ok()) return doc.status();
  auto error = doc->FindMember("error");
  if (error != doc->MemberEnd()) {
    std::string message = "watch stream error";
    if (error->value.IsObject()) {
      auto m = error->value.FindMember("message");
      if (m != error->value.MemberEnd() && m->value.IsString()) message = m->value.GetString();
    } else if (error->value.IsString()) {
      message = error->value.GetString();
    }
    return Status::Unavailable("etcd watch: " + message);
  }
  auto result = doc->FindMember("result");
  if (result == doc->MemberEnd() || !result->value.IsObject()) return bad("watch", "has no result");
  const Value& r = result->value;
  WatchResponse out;
  auto rev = headerRevision(r);
  if (!rev.ok()) return rev.status();
  out.revision = *rev;
  out.created = readBool(r, "created");
  out.canceled = readBool(r, "canceled");
  auto compact = readInt(r, "compact_revision", "watch");
  if (!compact.ok()) return compact.status();
  out.compactRevision = *compact;
  if (auto reason = r.FindMember("cancel_reason"); reason != r.MemberEnd() && reason->value.IsString())
    out.cancelReason = reason->value.GetString();
  auto events = r.FindMember("events");
  if (events != r.MemberEnd() && events->value.IsArray()) {
    for (rapidjson::SizeType i = 0; i < events->value.Size(); ++i) {
      const Value& e = events->value[i];
      const std::string path = "watch.events[" + std::to_string(i) + "]";
      if (!e.IsObject()) return bad(path, "must be an object");
      WatchEvent event;
      auto type = e.FindMember("type");
      event.deleted = type != e.MemberEnd() && type->value.IsString() && std::string_view(type->value.GetString()) == "DELETE";
      auto kv = e.FindMember("kv");
      if (kv == e.MemberEnd()) return bad(path + ".kv", "is missing");
      auto parsed = readKv(kv->value, path + ".kv");
      if (!parsed.ok()) return parsed.status();
      event.kv = std::move(*parsed);
      out.events.push_back(std::move(event));
    }
  }
  return out;
}

std::string encodeLeaseGrant(int64_t ttlSeconds) { return "{\"TTL\":\"" + std::to_string(ttlSeconds) + "\"}"; }

Result<LeaseGrant> decodeLeaseGrant(std::string_view json) {
  auto doc = parse(json);
  if (!doc.ok()) return doc.status();
  LeaseGrant out;
  auto id = readInt(*doc, "ID", "lease");
  if (!id.ok()) return id.status();
  auto ttl = readInt(*doc, "TTL", "lease");
  if (!ttl.ok()) return ttl.status();
  out.id = *id;
  out.ttl = *ttl;
  if (out.id == 0) return bad("lease.ID", "is missing");
  return out;
}

std::string encodeLeaseId(int64_t id) { return "{\"ID\":\"" + std::to_string(id) + "\"}"; }

Result<int64_t> decodeKeepAlive(std::string_view json) {
  // A streaming answer: one {"result":{...}} line (maybe followed by a newline).
  const size_t nl = json.find('\n');
  auto doc = parse(json.substr(0, nl));
  if (!doc.ok()) return doc.status();
  auto result = doc->FindMember("result");
  if (result == doc->MemberEnd() || !result->value.IsObject()) {
    auto error = doc->FindMember("error");
    if (error != doc->MemberEnd()) return Status::Unavailable("etcd lease keep-alive failed");
    return bad("keepalive", "has no result");
  }
  return readInt(result->value, "TTL", "keepalive");
}

}  // namespace migwarden::ledger::etcd
