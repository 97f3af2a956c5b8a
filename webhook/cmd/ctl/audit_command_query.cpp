// `migwardenctl audit query`: prints the audit records that match filters, as the stored
// JSON lines (--output json, for jq and SIEM pipelines) or as an aligned table. Query
// does not verify the chain; run `audit verify` for that.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/audit/query.h"
#include "webhook/audit/record_codec.h"
#include "webhook/audit/rfc3339.h"
#include "webhook/cmd/ctl/audit_command.h"

namespace migwarden::ctl {
namespace {

constexpr std::string_view kQueryUsage =
    "usage: migwardenctl audit query PATH... [filters] [--output table|json]\n"
    "\n"
    "Prints the audit records that match every given filter, in log order. PATHs are files\n"
    "or a directory of rotated audit files.\n"
    "\n"
    "  --since TIME       records at or after TIME (RFC 3339, e.g. 2026-11-27T08:00:00Z)\n"
    "  --until TIME       records before TIME\n"
    "  --namespace NS     pod namespace\n"
    "  --pod NAME|UID     pod name or pod UID\n"
    "  --node NODE        node name\n"
    "  --decision D       allowed, denied, warned, audited, error, or a ledger event:\n"
    "                     reservation, bind, release, expiry, conflict, report-accepted,\n"
    "                     report-refused\n"
    "  --rule ID          records where policy rule ID matched\n"
    "  --output FORMAT    table (default) or json (the stored lines, one per record)\n"
    "\n"
    "Exit status: 0 (also when nothing matched); 1 a file could not be read; 2 usage error.\n"
    "Lines that are not valid records are reported on stderr and skipped; `audit verify`\n"
    "checks integrity.\n";

int usageError(const std::string& message) {
  std::fprintf(stderr, "migwardenctl audit query: %s\n", message.c_str());
  return 2;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

std::vector<std::string> tableRow(const audit::AuditRecord& r) {
  std::string what(audit::decisionName(r.decision));
  if (r.event != audit::LedgerEvent::kNone) {
    if (!what.empty()) what += "/";
    what += audit::ledgerEventName(r.event);
  }
  std::string object = r.namespace_.empty() ? r.name : r.namespace_ + "/" + r.name;
  if (!r.subResource.empty()) object += " (" + r.subResource + ")";
  std::vector<std::string> rules;
  for (const auto& hit : r.rules) rules.push_back(hit.action.empty() ? hit.id : hit.id + ":" + hit.action);
  std::string op = r.operation;
  if (r.dryRun) op += " (dry-run)";
  return {audit::formatRfc3339Micros(r.time), std::string(audit::recordKindName(r.kind)), op, what,
          object.empty() ? "-" : object, r.node.empty() ? "-" : r.node, rules.empty() ? "-" : join(rules, ","),
          r.message};
}

void printTable(const std::vector<std::vector<std::string>>& rows) {
  const std::vector<std::string> header = {"TIME", "KIND", "OPERATION", "DECISION", "OBJECT", "NODE", "RULES", "MESSAGE"};
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
  };
  print(header);
  for (const auto& row : rows) print(row);
}

}  // namespace

int runAuditQuery(Args args) {
  audit::AuditFilter filter;
  std::string output = "table";
  std::vector<std::string> paths;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view flag = args[i];
    if (flag == "--help" || flag == "-h") {
      std::fwrite(kQueryUsage.data(), 1, kQueryUsage.size(), stdout);
      return 0;
    }
    if (!flag.starts_with("-") || flag == "-") {
      paths.emplace_back(flag);
      continue;
    }
    std::optional<std::string> value;
    if (const size_t eq = flag.find('='); eq != std::string_view::npos) {
      value = std::string(flag.substr(eq + 1));
      flag = flag.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = std::string(args[++i]);
    }
    if (!value) return usageError(std::string(flag) + " needs a value");
    if (flag == "--since" || flag == "--until") {
      auto t = audit::parseRfc3339(*value);
      if (!t) return usageError(std::string(flag) + " \"" + *value + "\" is not an RFC 3339 time like 2026-11-27T08:00:00Z");
      (flag == "--since" ? filter.since : filter.until) = *t;
    } else if (flag == "--namespace") {
      filter.namespace_ = *value;
    } else if (flag == "--pod") {
      filter.pod = *value;
    } else if (flag == "--node") {
      filter.node = *value;
    } else if (flag == "--decision") {
      if (!audit::parseDecision(*value) && !audit::parseLedgerEvent(*value))
        return usageError("--decision \"" + *value + "\" is not a decision or ledger event (see --help)");
      filter.decision = *value;
    } else if (flag == "--rule") {
      filter.rule = *value;
    } else if (flag == "--output" || flag == "-o") {
      if (*value != "table" && *value != "json") return usageError("--output must be table or json");
      output = *value;
    } else {
      return usageError("unknown flag \"" + std::string(flag) + "\" (see --help)");
    }
  }
  if (paths.empty()) return usageError("at least one FILE or directory is required (see --help)");

  PosixEnv env;
  auto files = expandAuditPaths(env, paths);
  if (!files.ok()) {
    std::fprintf(stderr, "migwardenctl audit query: %s\n", files.status().message().c_str());
    return 1;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& file : *files) {
    auto contents = env.readFile(file);
    if (!contents.ok()) {
      std::fprintf(stderr, "migwardenctl audit query: %s\n", contents.status().toString().c_str());
      return 1;
    }
    std::string_view text = *contents;
    uint64_t lineNo = 0;
    while (!text.empty()) {
      const size_t nl = text.find('\n');
      const std::string_view line = text.substr(0, nl);
      text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
      ++lineNo;
      auto rec = audit::decodeRecordLine(line);
      if (!rec.ok()) {
        std::fprintf(stderr, "%s line %llu: skipped: %s\n", file.c_str(), static_cast<unsigned long long>(lineNo),
                     rec.status().message().c_str());
        continue;
      }
      if (!audit::matches(rec->record, filter)) continue;
      if (output == "json") {
        std::printf("%.*s\n", static_cast<int>(line.size()), line.data());
      } else {
        rows.push_back(tableRow(rec->record));
      }
    }
  }
  if (output == "table") printTable(rows);
  return 0;
}

}  // namespace migwarden::ctl
