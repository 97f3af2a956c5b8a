#include "webhook/audit/chain.h"

#include <fstream>
#include <sstream>

#include "webhook/common/crypto.h"

namespace migwarden::audit {

std::string ChainHasher::hashHex(std::string_view signedBytes) const {
  return crypto::toHex(keyed() ? crypto::hmacSha256(key_, signedBytes) : crypto::sha256(signedBytes));
}

std::string chainLine(const ChainHasher& hasher, uint64_t seq, std::string_view prev, std::string_view body,
                      std::string* hashOut) {
  // body is a complete canonical object "{...}"; its members follow seq and prev.
  std::string line;
  line.reserve(body.size() + 180);
  line += "{\"seq\":";
  line += std::to_string(seq);
  line += ",\"prev\":\"";
  line += prev;
  line += '"';
  const std::string_view members = body.size() >= 2 ? body.substr(1, body.size() - 2) : std::string_view();
  if (!members.empty()) {
    line += ',';
    line += members;
  }
  std::string hash = hasher.hashHex(line);
  line += kHashMemberPrefix;
  line += hash;
  line += "\"}";
  if (hashOut != nullptr) *hashOut = std::move(hash);
  return line;
}

std::optional<LineParts> splitLine(std::string_view line) {
  if (line.size() <= kHashSuffixSize || !line.ends_with("\"}")) return std::nullopt;
  const size_t start = line.size() - kHashSuffixSize;
  if (line.substr(start, kHashMemberPrefix.size()) != kHashMemberPrefix) return std::nullopt;
  const std::string_view hash = line.substr(start + kHashMemberPrefix.size(), kHashHexSize);
  for (char c : hash)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  return LineParts{line.substr(0, start), hash};
}

KeyFileResult loadHmacKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {{}, "cannot read HMAC key file " + path};
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string key = ss.str();
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ' || key.back() == '\t'))
    key.pop_back();
  if (key.size() < 32)
    return {{}, "HMAC key file " + path + " holds " + std::to_string(key.size()) +
                    " bytes; at least 32 are required (e.g. `openssl rand -base64 48 > " + path + "`)"};
  return {std::move(key), {}};
}

}  // namespace migwarden::audit
