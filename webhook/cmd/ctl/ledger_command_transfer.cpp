// `migwardenctl ledger export|import`: moves a ledger between the local backend (a
// --ledger-dir) and the etcd backend (--etcd-endpoints/--etcd-prefix) through a JSON
// file (webhook/ledger/etcd/dump_json.h). Export reads without changing anything;
// import refuses a ledger that is not empty.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "webhook/cmd/ctl/commands.h"
#include "webhook/cmd/ctl/string_options.h"
#include "webhook/common/clock.h"
#include "webhook/common/env.h"
#include "webhook/ledger/api/read_only_ledger.h"
#include "webhook/ledger/local_store.h"

#ifdef MIGWARDENCTL_HAS_LEDGER_ETCD
#include "webhook/ledger/etcd/dump_json.h"
#include "webhook/ledger/etcd/etcd_endpoint.h"
#include "webhook/ledger/etcd/etcd_store.h"
#endif

namespace migwarden::ctl {

constexpr std::string_view kTransferUsage =
    "usage: migwardenctl ledger export (--ledger-dir DIR | --etcd-endpoints URLS [etcd flags]) --file OUT\n"
    "       migwardenctl ledger import (--ledger-dir DIR | --etcd-endpoints URLS [etcd flags]) --file IN\n"
    "\n"
    "Moves the MIG allocation ledger between the local backend and etcd (docs/ledger-etcd.md):\n"
    "export writes nodes, reservations and pending pods to a JSON file (- for stdout);\n"
    "import loads such a file into an EMPTY ledger. Stop the webhooks while moving a ledger:\n"
    "what they write in between is not in the file.\n"
    "\n"
    "  --ledger-dir DIR       a local ledger directory (export opens it read-only)\n"
    "  --etcd-endpoints URLS  etcd client URLs, comma separated (http(s)://host:port)\n"
    "  --etcd-prefix P        key prefix of the ledger in etcd (default /migwarden/)\n"
    "  --etcd-cacert F, --etcd-cert F, --etcd-key F   TLS to etcd, as for the webhook\n"
    "  --file F               the export file\n"
    "\n"
    "Exit status: 0 done, 1 the ledger could not be read or written, 2 usage error.\n";

#ifdef MIGWARDENCTL_HAS_LEDGER_ETCD
namespace {

struct TransferOptions {
  std::string ledgerDir;
  std::string etcdEndpoints;
  std::string etcdPrefix = "/migwarden/";
  std::string etcdCaFile, etcdCertFile, etcdKeyFile;
  std::string file;
};

int usage(const std::string& message) {
  std::fprintf(stderr, "migwardenctl ledger: %s\n", message.c_str());
  return 2;
}

int failure(const Status& status) {
  std::fprintf(stderr, "migwardenctl ledger: %s\n", status.toString().c_str());
  return 1;
}

std::optional<int> parseTransfer(Args args, TransferOptions* o) {
  const auto done = parseStringOptions(args,
                                       {{{"--ledger-dir"}, &o->ledgerDir},
                                        {{"--etcd-endpoints"}, &o->etcdEndpoints},
                                        {{"--etcd-prefix"}, &o->etcdPrefix},
                                        {{"--etcd-cacert"}, &o->etcdCaFile},
                                        {{"--etcd-cert"}, &o->etcdCertFile},
                                        {{"--etcd-key"}, &o->etcdKeyFile},
                                        {{"--file"}, &o->file}},
                                       kTransferUsage, [](const std::string& m) { return usage(m); });
  if (done) return done;
  if (o->ledgerDir.empty() == o->etcdEndpoints.empty())
    return usage("give exactly one of --ledger-dir and --etcd-endpoints (see --help)");
  if (o->file.empty()) return usage("--file is required");
  return std::nullopt;
}

Result<std::unique_ptr<ledger::etcd::EtcdStore>> openEtcd(const TransferOptions& o, const Clock& clock) {
  auto endpoints = ledger::etcd::parseEndpoints(o.etcdEndpoints);
  if (!endpoints.ok()) return endpoints.status();
  ledger::etcd::EtcdStoreOptions options;
  options.client.endpoints = std::move(*endpoints);
  options.client.caFile = o.etcdCaFile;
  options.client.certFile = o.etcdCertFile;
  options.client.keyFile = o.etcdKeyFile;
  options.client.requestTimeout = std::chrono::seconds(10);
  options.prefix = o.etcdPrefix;
  options.clock = &clock;
  options.initialSyncTimeout = std::chrono::seconds(15);
  auto store = ledger::etcd::EtcdStore::open(std::move(options));
  if (!store.ok()) return store.status();
  MIGWARDEN_RETURN_IF_ERROR((*store)->health());
  return store;
}

int runExport(Args args) {
  TransferOptions o;
  if (auto done = parseTransfer(args, &o)) return *done;
  SystemClock clock;
  PosixEnv posix;
  Result<ledger::LedgerDump> dump = Status::Internal("no backend");
  if (!o.ledgerDir.empty()) {
    ledger::DiscardWritesEnv env(posix);
    auto store = ledger::openLedgerForReading(o.ledgerDir, env, clock);
    if (!store.ok()) return failure(store.status());
    dump = (*store)->exportLedger();
  } else {
    auto store = openEtcd(o, clock);
    if (!store.ok()) return failure(store.status());
    dump = (*store)->exportLedger();
  }
  if (!dump.ok()) return failure(dump.status());
  const std::string json = ledger::encodeLedgerDump(*dump);
  if (o.file == "-") {
    std::fwrite(json.data(), 1, json.size(), stdout);
  } else if (Status s = posix.writeFileAtomically(o.file, json); !s.ok()) {
    return failure(s);
  }
  std::fprintf(stderr, "exported %zu nodes, %zu reservations, %zu pending pods\n", dump->nodes.size(),
               dump->reservations.size(), dump->pending.size());
  return 0;
}

int runImport(Args args) {
  TransferOptions o;
  if (auto done = parseTransfer(args, &o)) return *done;
  SystemClock clock;
  PosixEnv env;
  auto text = env.readFile(o.file);
  if (!text.ok()) return failure(text.status().withContext("--file"));
  auto dump = ledger::decodeLedgerDump(*text);
  if (!dump.ok()) return failure(dump.status().withContext(o.file));
  Status s;
  if (!o.ledgerDir.empty()) {
    ledger::LocalStoreOptions options;
    options.dir = o.ledgerDir;
    options.env = &env;
    options.clock = &clock;
    auto store = ledger::LocalStore::open(options);
    if (!store.ok()) return failure(store.status());
    s = (*store)->importLedger(*dump);
  } else {
    auto store = openEtcd(o, clock);
    if (!store.ok()) return failure(store.status());
    s = (*store)->importLedger(*dump);
  }
  if (!s.ok()) return failure(s);
  std::fprintf(stderr, "imported %zu nodes, %zu reservations, %zu pending pods\n", dump->nodes.size(),
               dump->reservations.size(), dump->pending.size());
  return 0;
}

}  // namespace

int runLedgerTransfer(std::string_view subcommand, Args args) {
  // Connection chatter is for the webhook's log, not this tool's output.
  spdlog::set_level(spdlog::level::err);
  return subcommand == "export" ? runExport(args) : runImport(args);
}
#else
int runLedgerTransfer(std::string_view, Args) {
  std::fprintf(stderr, "migwardenctl ledger: export/import need the etcd backend (module ledger_etcd) in this build\n");
  return 1;
}
#endif

}  // namespace migwarden::ctl
