#include "webhook/ledger/etcd/etcd_endpoint.h"

#include <charconv>

namespace migwarden::ledger::etcd {

std::string Endpoint::url() const {
  const bool v6 = host.find(':') != std::string::npos;
  return std::string(tls ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" + port;
}

namespace {

Result<Endpoint> parseOne(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("--etcd-endpoints: \"" + std::string(text) + "\": " + std::string(why));
  };
  Endpoint ep;
  std::string_view rest = text;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    ep.tls = true;
    rest.remove_prefix(8);
  } else {
    return bad("must start with http:// or https://");
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return bad("must not have a path");
  std::string_view portText;
  if (rest.starts_with('[')) {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
      return bad("expected [IPv6]:PORT");
    ep.host = std::string(rest.substr(1, close - 1));
    portText = rest.substr(close + 2);
  } else {
    const size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) return bad("needs a port (etcd's client port is usually 2379)");
    ep.host = std::string(rest.substr(0, colon));
    portText = rest.substr(colon + 1);
  }
  if (ep.host.empty()) return bad("no host");
  unsigned port = 0;
  auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
  if (portText.empty() || ec != std::errc() || end != portText.data() + portText.size() || port == 0 || port > 65535)
    return bad("port must be 1-65535");
  ep.port = std::string(portText);
  return ep;
}

}  // namespace

Result<std::vector<Endpoint>> parseEndpoints(std::string_view commaList) {
  std::vector<Endpoint> out;
  while (!commaList.empty()) {
    const size_t comma = commaList.find(',');
    std::string_view item = commaList.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      auto ep = parseOne(item);
      if (!ep.ok()) return ep.status();
      out.push_back(std::move(*ep));
    }
    if (comma == std::string_view::npos) break;
    commaList.remove_prefix(comma + 1);
  }
  if (out.empty()) return Status::InvalidArgument("--etcd-endpoints: needs at least one http(s)://host:port");
  return out;
}

}  // namespace migwarden::ledger::etcd
