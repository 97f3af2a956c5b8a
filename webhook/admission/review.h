// Typed view of an incoming AdmissionReview (admission.k8s.io/v1 and v1beta1; the
// request fields are identical in both). Decoding validates the envelope and the
// fields the webhook relies on; errors name the JSON path ("request.uid: required").
//
// Lifetime: an AdmissionReview owns its parsed rapidjson::Document; `object`,
// `oldObject` and `options` point into it and live exactly as long as the review.
// Thread-safety: immutable after decode; safe to read from several threads.
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/status.h"

namespace migwarden::admission {

enum class ReviewVersion { kV1, kV1beta1 };
// "admission.k8s.io/v1" or "admission.k8s.io/v1beta1".
std::string_view reviewApiVersion(ReviewVersion version);

enum class Operation { kCreate, kUpdate, kDelete, kConnect };
std::string_view operationName(Operation op);
// CREATE/UPDATE/DELETE/CONNECT (exact, as the apiserver sends them); nullopt otherwise.
std::optional<Operation> parseOperation(std::string_view text);

struct GroupVersionKind {
  std::string group;  // "" for the core group
  std::string version;
  std::string kind;
};

struct GroupVersionResource {
  std::string group;
  std::string version;
  std::string resource;
};

struct UserInfo {
  std::string username;
  std::string uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;
};

struct AdmissionRequest {
  std::string uid;  // required, non-empty; echoed in the response
  GroupVersionKind kind;
  GroupVersionResource resource;
  std::string subResource;  // "binding" for pods/binding
  std::optional<GroupVersionKind> requestKind;
  std::optional<GroupVersionResource> requestResource;
  std::string requestSubResource;
  std::string name;  // may be "" on CREATE with generateName
  std::string namespace_;
  Operation operation = Operation::kCreate;
  UserInfo userInfo;
  // Point into AdmissionReview::document; nullptr when absent or JSON null.
  const rapidjson::Value* object = nullptr;
  const rapidjson::Value* oldObject = nullptr;
  const rapidjson::Value* options = nullptr;
  bool dryRun = false;
};

class AdmissionReview {
 public:
  AdmissionReview() = default;
  AdmissionReview(AdmissionReview&&) = default;
  AdmissionReview& operator=(AdmissionReview&&) = default;
  AdmissionReview(const AdmissionReview&) = delete;
  AdmissionReview& operator=(const AdmissionReview&) = delete;

  ReviewVersion version = ReviewVersion::kV1;
  AdmissionRequest request;

 private:
  friend Result<AdmissionReview> decodeAdmissionReview(std::string_view body);
  // Heap-allocated so that moving the review keeps `request.object` etc. valid.
  std::unique_ptr<rapidjson::Document> document_;
};

// Parses and validates an AdmissionReview body. Errors (all InvalidArgument):
//   "invalid JSON at offset N: ...", "apiVersion: unsupported \"x\" (want admission.k8s.io/v1 or
//   admission.k8s.io/v1beta1)", "kind: expected \"AdmissionReview\", got \"x\"", "request: required",
//   "request.uid: required", "request.operation: unknown operation \"x\" ...", type errors by path.
Result<AdmissionReview> decodeAdmissionReview(std::string_view body);

}  // namespace migwarden::admission
