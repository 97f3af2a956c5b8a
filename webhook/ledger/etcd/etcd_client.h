// Client: etcd's v3 API through its JSON gateway (POST /v3/kv/txn etc.) over HTTP/1.1,
// plain or TLS with an optional client certificate. Why the gateway and not gRPC:
// docs/ledger-etcd.md. Keys and values travel base64-encoded; that is etcd_json.h's job,
// this class only moves bodies.
//
// post(): one request on a pooled keep-alive connection; the whole exchange (connect,
// handshake, send, answer) is bounded by ClientOptions::requestTimeout. A connection
// error moves on to the next endpoint. A kept-alive connection the server closed is
// retried once on a fresh one; every caller's write is a compare-guarded transaction or
// idempotent, so a repeat can never apply twice.
//
// openStream(): a long-lived streaming POST (the watch), read message by message.
//
// Thread-safety: post() and openStream() may be called from any thread concurrently.
// A Stream is used by one thread; only Stream::cancel() may be called from another.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "webhook/common/status.h"
#include "webhook/ledger/etcd/etcd_endpoint.h"

namespace migwarden::ledger::etcd {

class Stream {
 public:
  virtual ~Stream() = default;
  // The next newline-delimited message; Unavailable when the stream ended, failed or
  // was cancelled. Blocks without a deadline (a watch may be quiet for hours).
  virtual Result<std::string> next() = 0;
  // Makes a blocked (or the next) next() return Unavailable. Thread-safe.
  virtual void cancel() = 0;
};

class Client {
 public:
  static Result<std::unique_ptr<Client>> create(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The body of a 200 answer. Unavailable when no endpoint answered in time (the
  // message names the endpoint and the reason); etcd's own errors keep its message,
  // as FailedPrecondition for "revision compacted" (gRPC OutOfRange) and Unavailable
  // otherwise.
  Result<std::string> post(std::string_view path, const std::string& body) const;

  // Sends a streaming request and waits (bounded by requestTimeout) for the answer's
  // header; the messages are then read with Stream::next().
  Result<std::unique_ptr<Stream>> openStream(std::string_view path, const std::string& body) const;

  const ClientOptions& options() const { return options_; }

 private:
  struct Impl;
  Client(ClientOptions options, std::unique_ptr<Impl> impl);
  ClientOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace migwarden::ledger::etcd
