#include "webhook/ledger/api/view_table.h"

#include <algorithm>
#include <vector>

namespace migwarden::ledger {
namespace {

// Left-aligned columns separated by two spaces, like kubectl.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.size() == 1; }
  std::string render() const {
    std::vector<size_t> width(rows_[0].size(), 0);
    for (const auto& row : rows_)
      for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    std::string out;
    for (const auto& row : rows_) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) {
        line += row[i];
        if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
      }
      out += line + "\n";
    }
    return out;
  }

 private:
  std::vector<std::vector<std::string>> rows_;
};

std::string counts(const ResourceCounts& c) {
  std::string out;
  for (const auto& [resource, n] : c) {
    if (!out.empty()) out += ",";
    out += resource + "=" + std::to_string(n);
  }
  return out.empty() ? "-" : out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out.empty() ? "-" : out;
}

// "in 4m10s" / "3s ago": relative times read better than timestamps in a terminal.
std::string relative(TimePoint t, TimePoint now) {
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(t - now).count();
  const int64_t a = secs < 0 ? -secs : secs;
  std::string d = a >= 86400 ? std::to_string(a / 86400) + "d" + std::to_string(a % 86400 / 3600) + "h"
                  : a >= 3600 ? std::to_string(a / 3600) + "h" + std::to_string(a % 3600 / 60) + "m"
                  : a >= 60 ? std::to_string(a / 60) + "m" + std::to_string(a % 60) + "s"
                            : std::to_string(a) + "s";
  return secs < 0 ? d + " ago" : "in " + d;
}

std::string podName(const std::string& ns, const std::string& name) {
  if (ns.empty() && name.empty()) return "-";
  return ns + "/" + name;
}

void section(std::string& out, const char* title, const Table& table) {
  out += std::string(title) + "\n";
  out += table.empty() ? "  (none)\n" : table.render();
  out += "\n";
}

}  // namespace

std::string renderLedgerTables(const LedgerView& view, TimePoint now) {
  std::string out;
  if (view.readOnly) out += "LEDGER IS READ-ONLY: " + view.readOnlyReason + "\n\n";

  Table nodes({"NODE", "DRIVER", "CUDA", "MIG-CONFIG", "GPUS", "SEQUENCE", "BOOT", "STATE"});
  Table resources({"NODE", "RESOURCE", "FREE/TOTAL", "HEALTHY", "BOUND", "RESERVED", "CONFLICT"});
  Table bound({"NODE", "POD", "UID", "DEVICES"});
  for (const NodeSummary& n : view.nodes) {
    const char* state = n.reconfiguring ? "reconfiguring" : n.acceptsReservations ? "ready" : "not-accepting";
    nodes.add({n.name, n.driverVersion, n.cudaDriverVersion, n.migConfigState, std::to_string(n.gpuCount),
               std::to_string(n.sequence), n.bootId, state});
    for (const ResourceSummary& r : n.resources) {
      resources.add({n.name, r.resource, std::to_string(r.free) + "/" + std::to_string(r.total),
                     std::to_string(r.healthy), std::to_string(r.bound), std::to_string(r.reserved),
                     r.conflicted ? "CONFLICT" : "-"});
    }
    for (const BoundPod& p : n.boundPods)
      bound.add({n.name, podName(p.ns, p.name), p.podUid.empty() ? "-" : p.podUid, counts(p.devices)});
  }
  Table reservations({"POD-UID", "POD", "NODE", "NEEDS", "EXPIRES"});
  for (const Reservation& r : view.reservations)
    reservations.add({r.podUid, podName(r.ns, r.name), r.node, counts(r.needs), relative(r.expiresAt, now)});
  Table pending({"POD-UID", "POD", "NEEDS", "RECORDED"});
  for (const PendingPod& p : view.pending)
    pending.add({p.podUid, podName(p.ns, p.name), counts(p.needs), relative(p.recordedAt, now)});
  Table conflicts({"NODE", "KIND", "RESOURCES", "DEVICES", "PODS", "MESSAGE"});
  for (const Conflict& c : view.conflicts)
    conflicts.add({c.node, std::string(conflictKindName(c.kind)), joined(c.resources), joined(c.devices),
                   joined(c.pods), c.message});

  section(out, "NODES", nodes);
  section(out, "RESOURCES", resources);
  section(out, "BOUND PODS", bound);
  section(out, "RESERVATIONS", reservations);
  section(out, "PENDING PODS", pending);
  section(out, "CONFLICTS", conflicts);
  return out;
}

}  // namespace migwarden::ledger
