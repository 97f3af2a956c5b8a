#include "webhook/ledger/api/ledger_api_routes.h"

namespace migwarden::ledger {
namespace {

constexpr size_t kMaxNodeNameBytes = 253;

bool isAlnumLower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

LedgerRoute parseLedgerPath(std::string_view path) {
  LedgerRoute route;
  if (!path.starts_with(kLedgerApiPrefix)) return route;
  std::string_view rest = path.substr(kLedgerApiPrefix.size());
  constexpr std::string_view kNodes = "nodes";
  if (rest == kNodes) {
    route.endpoint = LedgerEndpoint::kNodeList;
    return route;
  }
  if (!rest.starts_with("nodes/")) return route;
  std::string_view node = rest.substr(kNodes.size() + 1);
  // "/nodes/" and deeper paths ("/nodes/a/b") name no resource.
  if (node.empty() || node.find('/') != std::string_view::npos) return route;
  route.endpoint = LedgerEndpoint::kNode;
  route.node = std::string(node);
  return route;
}

Status validateNodeName(std::string_view name) {
  auto invalid = [&](std::string_view why) {
    // Names come from the URL: cap what is echoed back.
    std::string shown(name.substr(0, 64));
    if (name.size() > 64) shown += "...";
    return Status::InvalidArgument("node name \"" + shown + "\" is not a DNS-1123 subdomain: " + std::string(why));
  };
  if (name.empty()) return invalid("it is empty");
  if (name.size() > kMaxNodeNameBytes) return invalid("longer than 253 characters");
  size_t labelStart = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (i == labelStart) return invalid("empty label");
      if (!isAlnumLower(name[labelStart]) || !isAlnumLower(name[i - 1]))
        return invalid("each label must start and end with a lower-case letter or digit");
      labelStart = i + 1;
      continue;
    }
    if (!isAlnumLower(name[i]) && name[i] != '-')
      return invalid("only lower-case letters, digits, '-' and '.' are allowed");
  }
  return Status::Ok();
}

}  // namespace migwarden::ledger
