// The etcd v3 messages the ledger uses, as typed structs, and their JSON form on etcd's
// gateway (proto3 JSON: keys and values base64, 64-bit integers as strings, fields
// with default values omitted). Pure functions; decoders name the field that is wrong.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/status.h"

namespace migwarden::ledger::etcd {

struct KeyValue {
  std::string key;
  std::string value;
  int64_t createRevision = 0;
  int64_t modRevision = 0;
  int64_t lease = 0;
};

struct Compare {
  enum class Target { kModRevision, kCreateRevision };
  std::string key;
  Target target = Target::kModRevision;
  int64_t revision = 0;  // EQUAL; 0 for a key that must not exist
};

struct Op {
  enum class Kind { kPut, kDelete, kRange };
  Kind kind = Kind::kPut;
  std::string key;
  std::string value;  // kPut
  int64_t lease = 0;  // kPut
};

struct TxnRequest {
  std::vector<Compare> compares;
  std::vector<Op> success;
  std::vector<Op> failure;
};

struct TxnResponse {
  bool succeeded = false;
  int64_t revision = 0;
  // The key-values of each range op of the branch that ran, in order.
  std::vector<std::vector<KeyValue>> ranges;
};

struct RangeResponse {
  int64_t revision = 0;
  std::vector<KeyValue> kvs;
  bool more = false;
  int64_t count = 0;
};

struct WatchEvent {
  bool deleted = false;
  KeyValue kv;
};

struct WatchResponse {
  int64_t revision = 0;
  bool created = false;
  bool canceled = false;
  int64_t compactRevision = 0;  // > 0: the start revision was compacted; re-list
  std::string cancelReason;
  std::vector<WatchEvent> events;
};

// The end of the key range holding every key that starts with `prefix`.
std::string prefixEnd(std::string_view prefix);

std::string encodeTxn(const TxnRequest& txn);
Result<TxnResponse> decodeTxn(std::string_view json);

// limit 0: no limit. revision 0: the latest.
std::string encodeRange(std::string_view key, std::string_view rangeEnd, int64_t revision, int64_t limit,
                        bool countOnly);
Result<RangeResponse> decodeRange(std::string_view json);

std::string encodeWatchCreate(std::string_view key, std::string_view rangeEnd, int64_t startRevision);
// One line of the watch stream ({"result":{...}} or {"error":{...}}).
Result<WatchResponse> decodeWatch(std::string_view json);

std::string encodeLeaseGrant(int64_t ttlSeconds);
struct LeaseGrant {
  int64_t id = 0;
  int64_t ttl = 0;
};
Result<LeaseGrant> decodeLeaseGrant(std::string_view json);
// Body of /v3/lease/keepalive and /v3/lease/revoke.
std::string encodeLeaseId(int64_t id);
// The remaining TTL after a keep-alive; 0 when the lease no longer exists.
Result<int64_t> decodeKeepAlive(std::string_view json);

}  // namespace migwarden::ledger::etcd
