// Parsing of --etcd-endpoints ("http://10.0.0.1:2379,https://etcd-0.etcd:2379") and the
// TLS files for client certificates. Pure functions; value types.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/status.h"

namespace migwarden::ledger::etcd {

struct Endpoint {
  bool tls = false;
  std::string host;  // without IPv6 brackets
  std::string port;
  std::string url() const;  // as given, normalised: "http://host:port"
};

// Comma list of http(s)://host:port (port required; no path). InvalidArgument naming
// the bad entry.
Result<std::vector<Endpoint>> parseEndpoints(std::string_view commaList);

struct ClientOptions {
  std::vector<Endpoint> endpoints;
  std::string caFile;    // PEM trust anchors for https endpoints; empty: system roots
  std::string certFile;  // client certificate (PEM) for mutual TLS; with keyFile
  std::string keyFile;
  // Bound on one request (connect, TLS handshake, send, answer) including the failover
  // to other endpoints.
  std::chrono::milliseconds requestTimeout{2'000};
};

}  // namespace migwarden::ledger::etcd
