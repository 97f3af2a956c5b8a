// `migwardenctl token`: mints a development HS256 agent token for one node, signed with
// the same key file the webhook reads with --agent-hs256-key. Prints the token only, so
// `TOKEN=$(migwardenctl token ...)` works.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "webhook/auth/dev_token.h"
#include "webhook/auth/hs256_verifier.h"
#include "webhook/cmd/ctl/commands.h"
#include "webhook/cmd/ctl/string_options.h"
#include "webhook/common/clock.h"

namespace migwarden::ctl {
namespace {

constexpr std::chrono::hours kMaxTtl{24 * 7};

constexpr std::string_view kUsage =
    "usage: migwardenctl token --node NAME --key-file FILE [--audience AUD] [--issuer ISS] [--ttl 1h]\n"
    "\n"
    "Mints a development HS256 agent token (sub = \"node:<NAME>\") and prints it.\n"
    "Only for clusters whose webhook runs with --agent-hs256-key FILE; production agents\n"
    "use projected ServiceAccount tokens (see docs/agent-auth.md).\n"
    "\n"
    "  --node NAME        node the token is for (required)\n"
    "  --key-file FILE    shared HS256 key, at least 32 bytes (alias: --hs256-key)\n"
    "  --audience AUD     aud claim (default: migwarden)\n"
    "  --issuer ISS       iss claim (default: none)\n"
    "  --ttl DURATION     lifetime: 90s, 30m, 1h, 2d (default: 1h, at most 7d)\n";

int fail(const std::string& message) {
  std::fprintf(stderr, "migwardenctl token: %s\n", message.c_str());
  return 2;
}

// "90s", "30m", "1h", "2d", or bare seconds.
std::optional<std::chrono::seconds> parseTtl(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() || value <= 0) return std::nullopt;
  const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  int64_t scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  else if (unit == "m") scale = 60;
  else if (unit == "h") scale = 3600;
  else if (unit == "d") scale = 86400;
  else return std::nullopt;
  if (value > std::chrono::seconds(kMaxTtl).count() / scale) return std::chrono::seconds(kMaxTtl) + std::chrono::seconds(1);
  return std::chrono::seconds(value * scale);
}

}  // namespace

int runTokenCommand(Args args) {
  auth::DevTokenRequest request;
  std::string keyFile;
  std::string ttlText = "1h";
  const auto done = parseStringOptions(args,
                                       {{{"--node"}, &request.node},
                                        {{"--key-file", "--hs256-key"}, &keyFile},
                                        {{"--audience"}, &request.audience},
                                        {{"--issuer"}, &request.issuer},
                                        {{"--ttl"}, &ttlText}},
                                       kUsage, [](const std::string& m) { return fail(m); });
  if (done) return *done;
  if (request.node.empty()) return fail("--node is required");
  if (keyFile.empty()) return fail("--key-file is required");
  const auto ttl = parseTtl(ttlText);
  if (!ttl) return fail("--ttl \"" + ttlText + "\" is not a positive duration like 90s, 30m, 1h or 2d");
  if (*ttl > kMaxTtl) return fail("--ttl must be at most 7d: dev tokens cannot be revoked, keep them short");
  request.ttl = *ttl;

  auto key = auth::loadHs256Key(keyFile);
  if (!key.ok()) return fail(key.status().message());
  SystemClock clock;
  auto token = auth::mintDevToken(*key, request, clock);
  if (!token.ok()) return fail(token.status().message());
  std::printf("%s\n", token->c_str());
  return 0;
}

}  // namespace migwarden::ctl
