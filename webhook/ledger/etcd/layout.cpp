#include "webhook/ledger/etcd/layout.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "webhook/ledger/record_codec.h"

namespace migwarden::ledger::etcd {

Layout::Parsed Layout::parse(std::string_view key) const {
  if (!key.starts_with(prefix_)) return {};
  key.remove_prefix(prefix_.size());
  static constexpr std::pair<std::string_view, Kind> kDirs[] = {{"nodes/", Kind::kNode},
                                                                {"reservations/", Kind::kReservations},
                                                                {"holds/", Kind::kHold},
                                                                {"pending/", Kind::kPending},
                                                                {"leader/", Kind::kLeader}};
  for (const auto& [dir, kind] : kDirs) {
    if (key.starts_with(dir) && key.size() > dir.size()) return {kind, std::string(key.substr(dir.size()))};
  }
  return {};
}

Status checkPrefix(std::string_view prefix) {
  if (prefix.empty() || !prefix.ends_with('/'))
    return Status::InvalidArgument("--etcd-prefix: must end with / (e.g. /migwarden/), got \"" +
                                   std::string(prefix) + "\"");
  return Status::Ok();
}

std::string encodeReservationList(const std::map<std::string, Reservation>& byUid) {
  std::string out = "[";
  for (const auto& [uid, r] : byUid) {
    if (out.size() > 1) out += ",";
    out += codec::encodeReservation(r);
  }
  out += "]";
  return out;
}

Result<std::map<std::string, Reservation>> decodeReservationList(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsArray()) return Status::InvalidArgument("reservations: must be a JSON array");
  std::map<std::string, Reservation> out;
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    // The log's decoder takes text: re-serialise the element (small, and keeps one
    // definition of the reservation format).
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    doc[i].Accept(w);
    auto r = codec::decodeReservation(std::string_view(buf.GetString(), buf.GetSize()));
    if (!r.ok()) return r.status().withContext("reservations[" + std::to_string(i) + "]");
    std::string uid = r->podUid;
    out.insert_or_assign(std::move(uid), std::move(*r));
  }
  return out;
}

}  // namespace migwarden::ledger::etcd
