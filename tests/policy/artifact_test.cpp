// The compiled artifact: round trip, digest, tampering, truncation, the embedded default.
#include <gtest/gtest.h>

#include <thread>

#include "tests/policy/policy_test_util.h"
#include "tests/support/temp_dir.h"
#include "webhook/policy/policy_store.h"

namespace migwarden::policy {
namespace {

std::shared_ptr<const Policy> tiny() {
  auto r = testing::compileText(testing::minimalSource());
  EXPECT_TRUE(r.policy) << formatDiagnostics(r.errors);
  return r.policy;
}

TEST(Artifact, RoundTripKeepsContentAndDigest) {
  auto p = tiny();
  ASSERT_TRUE(p);
  std::string bytes = buildArtifact(*p);
  auto loaded = loadArtifact(bytes, "tiny.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();
  EXPECT_EQ((*loaded)->digest(), p->digest());
  EXPECT_EQ((*loaded)->canonicalJson(), p->canonicalJson());
  EXPECT_EQ(buildArtifact(**loaded), bytes);
}

TEST(Artifact, DigestIsSha256OfCanonicalContent) {
  auto p = tiny();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->digest().rfind("sha256:", 0), 0u);
  EXPECT_EQ(p->digest().size(), 7u + 64u);
  // Comments and whitespace in the source do not change the digest.
  std::string reformatted = testing::minimalSource();
  reformatted.insert(reformatted.find("\"name\""), "// another comment\n   ");
  auto again = testing::compileText(reformatted);
  ASSERT_TRUE(again.policy);
  EXPECT_EQ(again.policy->digest(), p->digest());
}

TEST(Artifact, TamperedContentIsRefusedWithDigestMismatch) {
  auto p = tiny();
  ASSERT_TRUE(p);
  std::string bytes = buildArtifact(*p);
  bytes.replace(bytes.find("550.54.14"), 9, "500.00.00");
  auto loaded = loadArtifact(bytes, "tampered.json");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("digest mismatch"), std::string::npos) << loaded.status().message();
  EXPECT_NE(loaded.status().message().find("tampered.json"), std::string::npos);
}

TEST(Artifact, TruncatedArtifactIsRefused) {
  auto p = tiny();
  ASSERT_TRUE(p);
  std::string bytes = buildArtifact(*p);
  for (size_t cut : {size_t{0}, size_t{1}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 3}) {
    auto loaded = loadArtifact(bytes.substr(0, cut));
    EXPECT_FALSE(loaded.ok()) << cut;
  }
}

TEST(Artifact, EveryFlippedByteIsRefusedOrHarmless) {
  auto p = tiny();
  ASSERT_TRUE(p);
  std::string bytes = buildArtifact(*p);
  for (size_t i = 0; i < bytes.size(); i += 13) {
    std::string corrupt = bytes;
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x20);
    auto loaded = loadArtifact(corrupt);
    // A flip can only pass if it leaves the content as it was.
    if (loaded.ok()) {
      EXPECT_EQ((*loaded)->digest(), p->digest()) << i;
    }
  }
}

TEST(Artifact, UnsupportedFormatVersionIsRefused) {
  auto p = tiny();
  ASSERT_TRUE(p);
  std::string bytes = buildArtifact(*p);
  bytes.replace(bytes.find("\"formatVersion\":1"), 17, "\"formatVersion\":2");
  auto loaded = loadArtifact(bytes);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("formatVersion 2 is not supported"), std::string::npos);
}

TEST(Artifact, SourceTextIsNotAnArtifact) {
  auto loaded = loadArtifact(testing::minimalSource());
  ASSERT_FALSE(loaded.ok());
  EXPECT_FALSE(looksLikeArtifact(testing::minimalSource()));
}

TEST(Artifact, LoadPolicyFileAcceptsArtifactsAndSources) {
  migwarden::testing::TempDir dir;
  auto p = tiny();
  ASSERT_TRUE(p);
  migwarden::testing::writeFile(dir.file("p.json"), buildArtifact(*p));
  migwarden::testing::writeFile(dir.file("p.jsonc"), testing::minimalSource());
  PosixEnv env;
  auto a = loadPolicyFile(env, dir.file("p.json"));
  auto s = loadPolicyFile(env, dir.file("p.jsonc"));
  ASSERT_TRUE(a.ok()) << a.status().toString();
  ASSERT_TRUE(s.ok()) << s.status().toString();
  EXPECT_EQ((*a)->digest(), (*s)->digest());
  EXPECT_FALSE(loadPolicyFile(env, dir.file("missing.json")).ok());
}

TEST(BuiltinPolicy, EmbeddedArtifactLoadsThroughTheArtifactLoader) {
  auto p = loadBuiltinPolicy();
  ASSERT_TRUE(p.ok()) << p.status().toString();
  EXPECT_EQ((*p)->data().name, "migwarden-default");
  EXPECT_TRUE(looksLikeArtifact(builtinPolicyArtifact()));
}

TEST(BuiltinPolicy, MatchesPoliciesDefaultSource) {
  PosixEnv env;
  auto compiled = compileSourceFiles(env, {std::string(MIGWARDEN_SOURCE_DIR) + "/policies/default.jsonc"});
  ASSERT_TRUE(compiled.policy) << formatDiagnostics(compiled.errors);
  auto builtin = loadBuiltinPolicy();
  ASSERT_TRUE(builtin.ok());
  EXPECT_EQ((*builtin)->digest(), compiled.policy->digest()) << "rebuild: the embedded table is stale";
}

TEST(PolicyStore, ReplaceSwapsAndKeepsOldSnapshotsAlive) {
  auto a = tiny();
  auto b = testing::builtin();
  ASSERT_TRUE(a && b);
  PolicyStore store(a);
  auto snapshot = store.current();
  EXPECT_EQ(store.replace(b), a);
  EXPECT_EQ(store.current(), b);
  EXPECT_EQ(snapshot->data().name, "tiny");  // a request's snapshot stays valid
  EXPECT_EQ(store.replace(nullptr), b);     // null keeps the current table
  EXPECT_EQ(store.current(), b);
}

TEST(PolicyStore, ConcurrentReadersSeeWholeTables) {
  auto a = tiny();
  auto b = testing::builtin();
  ASSERT_TRUE(a && b);
  PolicyStore store(a);
  std::atomic<bool> bad{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        auto p = store.current();
        if (p != a && p != b) bad = true;
      }
    });
  }
  for (int i = 0; i < 200; ++i) store.replace(i % 2 ? a : b);
  for (auto& r : readers) r.join();
  EXPECT_FALSE(bad);
}

}  // namespace
}  // namespace migwarden::policy
