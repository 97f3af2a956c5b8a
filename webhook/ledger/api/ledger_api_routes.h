// Path parsing for the ledger API: which endpoint a request path names, and the node
// name rules (Kubernetes node names are DNS-1123 subdomains). Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "webhook/common/status.h"

namespace migwarden::ledger {

inline constexpr std::string_view kLedgerApiPrefix = "/ledger/v1/";

enum class LedgerEndpoint {
  kUnknown,    // under the prefix, but no such resource (404)
  kNodeList,   // /ledger/v1/nodes
  kNode,       // /ledger/v1/nodes/{node}
};

struct LedgerRoute {
  LedgerEndpoint endpoint = LedgerEndpoint::kUnknown;
  std::string node;  // kNode only; not yet validated
};

LedgerRoute parseLedgerPath(std::string_view path);

// InvalidArgument unless `name` is a DNS-1123 subdomain: at most 253 characters of
// lower-case letters, digits, '-' and '.', every dot-separated label starting and ending
// with a letter or digit (Kubernetes' IsDNS1123Subdomain).
Status validateNodeName(std::string_view name);

}  // namespace migwarden::ledger
