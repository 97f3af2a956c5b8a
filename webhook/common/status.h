// Status and Result: the value types returned across module boundaries.
// Data-path code returns these instead of throwing; exceptions stay inside the
// third-party adapters that need them (cpp-jwt, std::filesystem).
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace migwarden {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // the caller's input is malformed (HTTP 400)
  kNotFound,            // HTTP 404
  kAlreadyExists,
  kConflict,            // a compare-and-swap or sequence check failed (HTTP 409)
  kFailedPrecondition,  // the system is not in a state to do this (e.g. read-only ledger)
  kUnauthenticated,     // HTTP 401
  kPermissionDenied,    // HTTP 403
  kResourceExhausted,   // a limit was reached (HTTP 413/429)
  kUnavailable,         // try again later (HTTP 503)
  kCorruption,          // persisted data failed a checksum or framing check
  kIOError,             // the OS refused a read, write or sync
  kInternal,
};

std::string_view statusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: <message>", or "OK".
  std::string toString() const;

  // Prefixes the message with context ("policy.jsonc: " + message), keeping the code.
  Status withContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(data_).ok() && "Result built from an OK status has no value");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<T>(data_); }
  T& value() & { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  Status status() const { return ok() ? Status::Ok() : std::get<Status>(data_); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace migwarden

// Early return of a non-OK Status (works in functions returning Status or Result<T>).
#define MIGWARDEN_RETURN_IF_ERROR(expr)                 \
  do {                                                  \
    ::migwarden::Status migwarden_status_ = (expr);     \
    if (!migwarden_status_.ok()) return migwarden_status_; \
  } while (0)
