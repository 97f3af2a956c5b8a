// Small wrappers over OpenSSL 3 used by several modules: digests for the audit hash
// chain and policy artifacts, base64 for JSON Patch payloads and JWTs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace migwarden::crypto {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest sha256(std::string_view data);
Sha256Digest hmacSha256(std::string_view key, std::string_view data);
std::string toHex(const uint8_t* data, size_t size);
inline std::string toHex(const Sha256Digest& d) { return toHex(d.data(), d.size()); }
std::string sha256Hex(std::string_view data);

// Standard base64 with padding (RFC 4648 §4), as Go encodes []byte in JSON.
std::string base64Encode(std::string_view data);
// Accepts standard base64 with or without padding; nullopt on invalid input.
std::optional<std::string> base64Decode(std::string_view text);
// URL-safe alphabet without padding (RFC 4648 §5), as used by JWTs.
std::optional<std::string> base64UrlDecode(std::string_view text);
std::string base64UrlEncode(std::string_view data);

// Compares in time independent of the position of the first difference.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace migwarden::crypto
