// Cost of TokenVerifier::verify per algorithm, and, for comparison, cpp-jwt's own
// decode-and-verify of the same RS256 token (PEM key parsed on every call).
#include <benchmark/benchmark.h>
#include <jwt/jwt.hpp>

#include <cstdio>
#include <filesystem>

#include "tests/auth/token_fixtures.h"
#include "webhook/auth/hs256_verifier.h"
#include "webhook/auth/jwks_verifier.h"

namespace migwarden::auth {
namespace {

using testing::p256Key;
using testing::rsaKey;

const SystemClock& clock() {
  static const SystemClock c;
  return c;
}

const JwksTokenVerifier& jwksVerifier() {
  static const std::unique_ptr<JwksTokenVerifier> verifier = [] {
    const std::string path = (std::filesystem::temp_directory_path() / "migwarden-bench-jwks.json").string();
    std::FILE* f = std::fopen(path.c_str(), "w");
    const std::string json = testing::jwksJson({{&rsaKey(), "rsa-1"}, {&p256Key(), "ec-1"}});
    std::fwrite(json.data(), 1, json.size(), f);
    std::fclose(f);
    return JwksTokenVerifier::open(path, {}, clock()).value();
  }();
  return *verifier;
}

void BM_VerifyHs256(benchmark::State& state) {
  auto verifier = Hs256TokenVerifier::create(std::string(testing::kHs256Key), {}, clock()).value();
  const std::string token = testing::signToken("HS256", testing::kHs256Key, testing::devClaims(clock(), "gpu-a"));
  for (auto _ : state) benchmark::DoNotOptimize(verifier->verify(token, "gpu-a"));
}
BENCHMARK(BM_VerifyHs256);

void BM_VerifyRs256(benchmark::State& state) {
  const std::string token =
      testing::signToken("RS256", rsaKey().privatePem, testing::serviceAccountClaims(clock(), "gpu-a"), "rsa-1");
  for (auto _ : state) benchmark::DoNotOptimize(jwksVerifier().verify(token, "gpu-a"));
}
BENCHMARK(BM_VerifyRs256);

void BM_VerifyEs256(benchmark::State& state) {
  const std::string token =
      testing::signToken("ES256", p256Key().privatePem, testing::serviceAccountClaims(clock(), "gpu-a"), "ec-1");
  for (auto _ : state) benchmark::DoNotOptimize(jwksVerifier().verify(token, "gpu-a"));
}
BENCHMARK(BM_VerifyEs256);

void BM_RejectGarbage(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(jwksVerifier().verify("e30.e30.c2ln", "gpu-a"));
}
BENCHMARK(BM_RejectGarbage);

// cpp-jwt's decode checks the signature with a PEM key it parses per call.
void BM_CppJwtDecodeRs256(benchmark::State& state) {
  const std::string token =
      testing::signToken("RS256", rsaKey().privatePem, testing::serviceAccountClaims(clock(), "gpu-a"), "rsa-1");
  const std::string& pem = rsaKey().publicPem;
  for (auto _ : state) {
    std::error_code ec;
    auto decoded = jwt::decode(token, jwt::params::algorithms({"RS256"}), ec, jwt::params::secret(pem),
                               jwt::params::verify(true));
    if (ec) state.SkipWithError(ec.message().c_str());
    benchmark::DoNotOptimize(decoded);
  }
}
BENCHMARK(BM_CppJwtDecodeRs256);

}  // namespace
}  // namespace migwarden::auth
