// On-disk framing shared by the ledger's log writer, log reader and snapshot file
// (LevelDB log_format.h style). Every record is
//
//   masked crc32c (4, little endian) | payload length (4, LE) | type (1) | payload
//
// The CRC covers the type byte and the payload. Records are not split across blocks:
// ledger records are small and the whole log is read into memory on recovery.
#pragma once

#include <cstddef>
#include <cstdint>

namespace migwarden::ledger::log {

// What a record's payload holds. Values are persisted: never renumber, only append.
enum class RecordType : uint8_t {
  kNodeReport = 1,     // seq + an accepted node report (JSON)
  kPending = 2,        // seq + a pending pod's requirements (JSON)
  kReservation = 3,    // seq + a granted reservation (JSON)
  kRelease = 4,        // seq + a released pod uid (JSON)
  kExpiry = 5,         // seq + pod uids whose reservations expired (JSON)
  kSnapshot = 16,      // the whole state (JSON); only in the snapshot file
};

inline constexpr size_t kHeaderSize = 4 + 4 + 1;
// A larger length field can only be damage; refuse it rather than allocate.
inline constexpr uint32_t kMaxPayload = 1u << 30;

bool isKnownType(uint8_t type);

}  // namespace migwarden::ledger::log
