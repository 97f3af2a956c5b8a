#include "webhook/cmd/webhook/flags.h"
#include "webhook/common/flag_table.h"

#include <gtest/gtest.h>

namespace migwarden::webhook {
namespace {

using std::chrono::milliseconds;

Result<ParsedFlags> parse(std::vector<std::string_view> extra) {
  std::vector<std::string_view> args = {"--tls-cert", "c.pem", "--tls-key", "k.pem"};
  args.insert(args.end(), extra.begin(), extra.end());
  return parseFlags(args);
}

std::string errorOf(std::vector<std::string_view> extra) {
  auto r = parse(std::move(extra));
  return r.ok() ? "" : r.status().message();
}

TEST(Flags, DefaultsMatchTheDocumentation) {
  auto r = parse({});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  const auto& c = r->config;
  EXPECT_EQ(c.server.listen.host, "0.0.0.0");
  EXPECT_EQ(c.server.listen.port, 8443);
  EXPECT_EQ(c.server.healthListen.port, 8080);
  EXPECT_EQ(c.server.limits.bodyLimitBytes, 3145728u);
  EXPECT_EQ(c.server.limits.handshakeTimeout, milliseconds(10'000));
  EXPECT_EQ(c.server.limits.headerTimeout, milliseconds(10'000));
  EXPECT_EQ(c.server.limits.bodyTimeout, milliseconds(30'000));
  EXPECT_EQ(c.server.limits.idleTimeout, milliseconds(90'000));
  EXPECT_EQ(c.server.limits.writeTimeout, milliseconds(10'000));
  EXPECT_EQ(c.server.maxConnections, 4096u);
  EXPECT_EQ(c.server.shutdownGrace, milliseconds(25'000));
  EXPECT_EQ(c.server.certPollInterval, milliseconds(10'000));
  EXPECT_GE(c.server.threads, 1u);
  EXPECT_FALSE(c.enableNullEndpoint);
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.agentAuth.audience, "migwarden");
  EXPECT_EQ(c.ledgerDir, "/var/lib/migwarden/ledger");
  EXPECT_TRUE(c.policyPath.empty()) << "the built-in table is the default";
  EXPECT_EQ(r->action, ParsedFlags::Action::kRun);
}

TEST(Flags, ParsesSpaceAndEqualsForms) {
  auto r = parse({"--listen=127.0.0.1:0", "--health-listen", "[::1]:9090", "--threads", "3", "--max-body-bytes=1024",
                  "--cert-poll-interval", "100ms", "--idle-timeout=1m30s", "--enable-null-endpoint",
                  "--log-format", "json", "--log-level=debug", "--client-ca", "ca.pem", "--ledger-dir", "/var/lib/x"});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  const auto& c = r->config;
  EXPECT_EQ(c.server.listen.host, "127.0.0.1");
  EXPECT_EQ(c.server.listen.port, 0);
  EXPECT_EQ(c.server.healthListen.host, "::1");
  EXPECT_EQ(c.server.threads, 3u);
  EXPECT_EQ(c.server.limits.bodyLimitBytes, 1024u);
  EXPECT_EQ(c.server.certPollInterval, milliseconds(100));
  EXPECT_EQ(c.server.limits.idleTimeout, milliseconds(90'000));
  EXPECT_TRUE(c.enableNullEndpoint);
  EXPECT_EQ(c.log.format, LogFormat::kJson);
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.tls.clientCaPath, "ca.pem");
  EXPECT_EQ(c.ledgerDir, "/var/lib/x");
}

TEST(Flags, BadValuesNameTheFlag) {
  EXPECT_NE(errorOf({"--threads", "0"}).find("--threads"), std::string::npos);
  EXPECT_NE(errorOf({"--threads", "two"}).find("--threads"), std::string::npos);
  EXPECT_NE(errorOf({"--listen", "nope"}).find("--listen"), std::string::npos);
  EXPECT_NE(errorOf({"--header-timeout", "10"}).find("--header-timeout"), std::string::npos);
  EXPECT_NE(errorOf({"--header-timeout", "0s"}).find("--header-timeout"), std::string::npos);
  EXPECT_NE(errorOf({"--log-level", "loud"}).find("--log-level"), std::string::npos);
  EXPECT_NE(errorOf({"--log-format", "xml"}).find("--log-format"), std::string::npos);
  EXPECT_NE(errorOf({"--max-connections", "-1"}).find("--max-connections"), std::string::npos);
  EXPECT_NE(errorOf({"--enable-null-endpoint=maybe"}).find("--enable-null-endpoint"), std::string::npos);
  EXPECT_NE(errorOf({"--threads"}).find("--threads: missing value"), std::string::npos);
}

TEST(Flags, UnknownFlagIsAnError) {
  EXPECT_NE(errorOf({"--frobnicate", "1"}).find("unknown flag --frobnicate"), std::string::npos);
  EXPECT_NE(errorOf({"positional"}).find("unexpected argument"), std::string::npos);
}

TEST(Flags, CertificateAndKeyAreRequired) {
  auto r = parseFlags({"--tls-key", "k.pem"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--tls-cert"), std::string::npos);
}

TEST(Flags, HelpAndVersionNeedNoOtherFlags) {
  auto help = parseFlags({"--help"});
  ASSERT_TRUE(help.ok());
  EXPECT_EQ(help->action, ParsedFlags::Action::kHelp);
  auto version = parseFlags({"--version"});
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->action, ParsedFlags::Action::kVersion);
}

TEST(Flags, HelpDocumentsEveryFlagWithItsDefault) {
  std::string help = helpText();
  for (const char* flag :
       {"--listen", "--health-listen", "--tls-cert", "--tls-key", "--client-ca", "--cert-poll-interval", "--threads",
        "--max-connections", "--max-body-bytes", "--max-header-bytes", "--handshake-timeout", "--header-timeout",
        "--body-timeout", "--idle-timeout", "--write-timeout", "--shutdown-grace", "--enable-null-endpoint",
        "--log-level", "--log-format", "--policy", "--policy-pubkey", "--ledger-dir", "--agent-hs256-key",
        "--agent-jwks", "--agent-audience", "--agent-issuer", "--audit-log", "--help", "--version"})
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  EXPECT_NE(help.find("Default 0.0.0.0:8443"), std::string::npos);
  EXPECT_NE(help.find("Default 3145728"), std::string::npos);
}

TEST(Durations, AcceptUnitsAndCombinations) {
  EXPECT_EQ(*parseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*parseDuration("10s"), milliseconds(10'000));
  EXPECT_EQ(*parseDuration("2m"), milliseconds(120'000));
  EXPECT_EQ(*parseDuration("1h"), milliseconds(3'600'000));
  EXPECT_EQ(*parseDuration("1m30s"), milliseconds(90'000));
  for (const char* bad : {"", "10", "s", "1.5s", "10x", "-1s", "1s2"}) EXPECT_FALSE(parseDuration(bad).ok()) << bad;
}

}  // namespace
}  // namespace migwarden::webhook
