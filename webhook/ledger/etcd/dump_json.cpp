#include "webhook/ledger/etcd/dump_json.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "webhook/ledger/record_codec.h"

namespace migwarden::ledger {
namespace {

template <class T, class Encode>
void appendArray(std::string& out, const char* name, const std::vector<T>& items, Encode encode) {
  out += ",\"";
  out += name;
  out += "\":[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ",";
    out += encode(items[i]);
  }
  out += "]";
}

const rapidjson::Value* arrayMember(const rapidjson::Value& doc, const char* name) {
  auto it = doc.FindMember(name);
  return it == doc.MemberEnd() ? nullptr : &it->value;
}

std::string text(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

std::string encodeLedgerDump(const LedgerDump& dump) {
  std::string out = "{\"format\":\"" + std::string(kLedgerDumpFormat) + "\"";
  appendArray(out, "nodes", dump.nodes, [](const NodeReport& r) { return encodeNodeReport(r); });
  appendArray(out, "reservations", dump.reservations, [](const Reservation& r) { return codec::encodeReservation(r); });
  appendArray(out, "pending", dump.pending, [](const PendingPod& p) { return codec::encodePending(p); });
  out += "}\n";
  return out;
}

Result<LedgerDump> decodeLedgerDump(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return Status::InvalidArgument("export file: not a JSON object");
  auto format = doc.FindMember("format");
  if (format == doc.MemberEnd() || !format->value.IsString() ||
      std::string_view(format->value.GetString()) != kLedgerDumpFormat)
    return Status::InvalidArgument("format: must be \"" + std::string(kLedgerDumpFormat) + "\"");
  LedgerDump dump;
  for (const char* name : {"nodes", "reservations", "pending"}) {
    const rapidjson::Value* items = arrayMember(doc, name);
    if (items == nullptr) continue;
    if (!items->IsArray()) return Status::InvalidArgument(std::string(name) + ": must be an array");
    for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
      const std::string path = std::string(name) + "[" + std::to_string(i) + "]";
      const rapidjson::Value& item = (*items)[i];
      if (std::string_view(name) == "nodes") {
        NodeReportLimits unlimited{SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX};
        auto report = decodeNodeReport(item, path, unlimited);
        if (!report.ok()) return report.status();
        dump.nodes.push_back(std::move(*report));
      } else if (std::string_view(name) == "reservations") {
        auto r = codec::decodeReservation(text(item));
        if (!r.ok()) return r.status().withContext(path);
        dump.reservations.push_back(std::move(*r));
      } else {
        auto p = codec::decodePending(text(item));
        if (!p.ok()) return p.status().withContext(path);
        dump.pending.push_back(std::move(*p));
      }
    }
  }
  return dump;
}

}  // namespace migwarden::ledger
