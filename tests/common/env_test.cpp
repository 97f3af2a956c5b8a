#include "webhook/common/env.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace migwarden {
namespace {

TEST(PosixEnv, AppendSyncAndReadBack) {
  testing::TempDir dir;
  PosixEnv env;
  auto f = env.newAppendableFile(dir.file("log"));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->append("hello ").ok());
  ASSERT_TRUE((*f)->append("world").ok());
  ASSERT_TRUE((*f)->sync().ok());
  ASSERT_TRUE((*f)->close().ok());
  EXPECT_EQ(*env.readFile(dir.file("log")), "hello world");
  EXPECT_EQ(*env.fileSize(dir.file("log")), 11u);
}

TEST(PosixEnv, WriteFileAtomicallyReplacesContents) {
  testing::TempDir dir;
  PosixEnv env;
  ASSERT_TRUE(env.writeFileAtomically(dir.file("snap"), "v1").ok());
  ASSERT_TRUE(env.writeFileAtomically(dir.file("snap"), "v2").ok());
  EXPECT_EQ(*env.readFile(dir.file("snap")), "v2");
  EXPECT_FALSE(env.fileExists(dir.file("snap.tmp")));
}

TEST(PosixEnv, MissingFileIsIOErrorNamingThePath) {
  PosixEnv env;
  auto r = env.readFile("/nonexistent/migwarden");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  EXPECT_NE(r.status().message().find("/nonexistent/migwarden"), std::string::npos);
}

TEST(PosixEnv, ListDirIsSorted) {
  testing::TempDir dir;
  PosixEnv env;
  testing::writeFile(dir.file("b"), "");
  testing::writeFile(dir.file("a"), "");
  auto names = env.listDir(dir.path());
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace migwarden
