#include "webhook/common/crypto.h"

#include <gtest/gtest.h>

namespace migwarden::crypto {
namespace {

TEST(Crypto, Sha256OfEmptyStringIsTheKnownVector) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Crypto, HmacSha256MatchesRfc4231Case2) {
  EXPECT_EQ(toHex(hmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, Base64RoundTripsEveryLength) {
  std::string data;
  for (int i = 0; i < 40; ++i) {
    data.push_back(static_cast<char>(i * 37));
    EXPECT_EQ(base64Decode(base64Encode(data)).value(), data);
    EXPECT_EQ(base64UrlDecode(base64UrlEncode(data)).value(), data);
  }
}

TEST(Crypto, Base64EncodesWithPaddingAsGoDoes) {
  EXPECT_EQ(base64Encode("[]"), "W10=");
  EXPECT_EQ(base64Encode("a"), "YQ==");
}

TEST(Crypto, Base64RejectsForeignCharacters) {
  EXPECT_FALSE(base64Decode("ab$d").has_value());
  EXPECT_FALSE(base64UrlDecode("ab+d").has_value());
  EXPECT_FALSE(base64Decode("abcde").has_value());
}

TEST(Crypto, ConstantTimeEquals) {
  EXPECT_TRUE(constantTimeEquals("abc", "abc"));
  EXPECT_FALSE(constantTimeEquals("abc", "abd"));
  EXPECT_FALSE(constantTimeEquals("abc", "ab"));
}

}  // namespace
}  // namespace migwarden::crypto
