#include "webhook/common/status.h"

#include <gtest/gtest.h>

namespace migwarden {
namespace {

Result<int> half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Status chain(int x) {
  MIGWARDEN_RETURN_IF_ERROR(half(x).status());
  return Status::Ok();
}

TEST(Status, OkHasNoMessage) {
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(Status::Ok().toString(), "OK");
}

TEST(Status, ToStringNamesCodeAndMessage) {
  EXPECT_EQ(Status::Corruption("bad crc at 12").toString(), "Corruption: bad crc at 12");
}

TEST(Status, WithContextKeepsCode) {
  Status s = Status::NotFound("x").withContext("ledger");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "ledger: x");
}

TEST(Result, HoldsValueOrStatus) {
  EXPECT_EQ(*half(4), 2);
  EXPECT_FALSE(half(3).ok());
  EXPECT_EQ(half(3).status().message(), "odd");
}

TEST(Result, ReturnIfErrorPropagates) {
  EXPECT_TRUE(chain(2).ok());
  EXPECT_EQ(chain(3).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace migwarden
