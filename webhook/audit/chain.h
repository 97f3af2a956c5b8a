// The audit hash chain. Normative definition (docs/audit.md repeats it for people who
// re-implement verification):
//
//   A record is one line: canonical JSON, then "\n". The line always starts with
//   {"seq":<n>,"prev":"<64 hex>", and always ends with ,"hash":"<64 hex>"} .
//   signed bytes = the line without its last 75 bytes (the `,"hash":"…"}` suffix) and
//                  without the newline, exactly as stored;
//   hash         = lowercase hex of SHA-256(signed bytes), or of HMAC-SHA256(key, signed
//                  bytes) when the log is keyed;
//   prev         = the previous record's `hash` (64 "0" for the first record ever, seq 1);
//   seq          = previous seq + 1, across rotated files.
//
// Verification therefore never re-serializes JSON: it slices bytes, which makes it easy
// to re-implement and immune to JSON-library differences. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace migwarden::audit {

inline constexpr std::string_view kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";
inline constexpr size_t kHashHexSize = 64;
inline constexpr std::string_view kHashMemberPrefix = ",\"hash\":\"";
inline constexpr size_t kHashSuffixSize = kHashMemberPrefix.size() + kHashHexSize + 2;  // 75

// Computes record hashes: SHA-256, or HMAC-SHA256 when constructed with a non-empty key.
class ChainHasher {
 public:
  explicit ChainHasher(std::string hmacKey = {}) : key_(std::move(hmacKey)) {}
  bool keyed() const { return !key_.empty(); }
  std::string hashHex(std::string_view signedBytes) const;

 private:
  std::string key_;
};

// Builds a chained line (without "\n") from a canonical body object `{"time":…}` produced
// by encodeRecordBody(): {"seq":seq,"prev":"prev", <body members>,"hash":"…"}.
// Returns the line; `hashOut` receives its hash.
std::string chainLine(const ChainHasher& hasher, uint64_t seq, std::string_view prev, std::string_view body,
                      std::string* hashOut);

// Splits a stored line (without "\n") into signed bytes and the stored hash; nullopt when
// the line does not end with a well-formed `,"hash":"<64 lowercase hex>"}` suffix.
struct LineParts {
  std::string_view signedBytes;
  std::string_view hash;
};
std::optional<LineParts> splitLine(std::string_view line);

// Loads an HMAC key file (--audit-hmac-key): the file's bytes, trailing whitespace
// trimmed, at least 32 bytes. Error messages name the file.
struct KeyFileResult {
  std::string key;
  std::string error;  // empty on success
};
KeyFileResult loadHmacKeyFile(const std::string& path);

}  // namespace migwarden::audit
