// Decoding of the AdmissionReview envelope and request (see review.h).
#include <memory>

#include "webhook/admission/object_reader.h"
#include "webhook/admission/review.h"
#include "webhook/admission/sanitize.h"
#include "webhook/common/json_util.h"

namespace migwarden::admission {
namespace {

using detail::JsonPath;
using detail::ObjectReader;

constexpr std::string_view kV1 = "admission.k8s.io/v1";
constexpr std::string_view kV1beta1 = "admission.k8s.io/v1beta1";

Status decodeGvk(const ObjectReader& parent, std::string_view key, std::optional<GroupVersionKind>& out) {
  const rapidjson::Value* v = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(parent.object(key, v));
  if (v == nullptr) return Status::Ok();
  JsonPath path = parent.child(key);
  ObjectReader r(*v, path);
  GroupVersionKind gvk;
  MIGWARDEN_RETURN_IF_ERROR(r.string("group", gvk.group));
  MIGWARDEN_RETURN_IF_ERROR(r.string("version", gvk.version));
  MIGWARDEN_RETURN_IF_ERROR(r.string("kind", gvk.kind));
  out = std::move(gvk);
  return Status::Ok();
}

Status decodeGvr(const ObjectReader& parent, std::string_view key, std::optional<GroupVersionResource>& out) {
  const rapidjson::Value* v = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(parent.object(key, v));
  if (v == nullptr) return Status::Ok();
  JsonPath path = parent.child(key);
  ObjectReader r(*v, path);
  GroupVersionResource gvr;
  MIGWARDEN_RETURN_IF_ERROR(r.string("group", gvr.group));
  MIGWARDEN_RETURN_IF_ERROR(r.string("version", gvr.version));
  MIGWARDEN_RETURN_IF_ERROR(r.string("resource", gvr.resource));
  out = std::move(gvr);
  return Status::Ok();
}

Status decodeUserInfo(const ObjectReader& request, UserInfo& out) {
  const rapidjson::Value* v = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(request.object("userInfo", v));
  if (v == nullptr) return Status::Ok();
  JsonPath userInfoPath = request.child("userInfo");
  ObjectReader r(*v, userInfoPath);
  MIGWARDEN_RETURN_IF_ERROR(r.string("username", out.username));
  MIGWARDEN_RETURN_IF_ERROR(r.string("uid", out.uid));
  MIGWARDEN_RETURN_IF_ERROR(r.stringList("groups", out.groups));
  const rapidjson::Value* extra = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(r.object("extra", extra));
  if (extra == nullptr) return Status::Ok();
  JsonPath extraPath = r.child("extra");
  ObjectReader extraReader(*extra, extraPath);
  for (const auto& m : extra->GetObject()) {
    std::string key(detail::view(m.name));
    std::vector<std::string> values;
    MIGWARDEN_RETURN_IF_ERROR(extraReader.stringList(key, values));
    out.extra.emplace(std::move(key), std::move(values));
  }
  return Status::Ok();
}

// object/oldObject/options are RawExtensions: a JSON object or null.
Status rawObject(const ObjectReader& request, std::string_view key, const rapidjson::Value*& out) {
  return request.object(key, out);
}

Status decodeRequest(const rapidjson::Value& value, AdmissionRequest& out) {
  JsonPath requestPath("request");
  ObjectReader r(value, requestPath);
  MIGWARDEN_RETURN_IF_ERROR(r.requiredString("uid", out.uid));

  std::optional<GroupVersionKind> kind;
  MIGWARDEN_RETURN_IF_ERROR(decodeGvk(r, "kind", kind));
  if (!kind) return Status::InvalidArgument("request.kind: required");
  out.kind = std::move(*kind);
  std::optional<GroupVersionResource> resource;
  MIGWARDEN_RETURN_IF_ERROR(decodeGvr(r, "resource", resource));
  if (!resource) return Status::InvalidArgument("request.resource: required");
  out.resource = std::move(*resource);
  MIGWARDEN_RETURN_IF_ERROR(r.string("subResource", out.subResource));
  MIGWARDEN_RETURN_IF_ERROR(decodeGvk(r, "requestKind", out.requestKind));
  MIGWARDEN_RETURN_IF_ERROR(decodeGvr(r, "requestResource", out.requestResource));
  MIGWARDEN_RETURN_IF_ERROR(r.string("requestSubResource", out.requestSubResource));
  MIGWARDEN_RETURN_IF_ERROR(r.string("name", out.name));
  MIGWARDEN_RETURN_IF_ERROR(r.string("namespace", out.namespace_));

  std::string operation;
  MIGWARDEN_RETURN_IF_ERROR(r.requiredString("operation", operation));
  std::optional<Operation> op = parseOperation(operation);
  if (!op) {
    return Status::InvalidArgument("request.operation: unknown operation " + quoteValue(operation) +
                                   " (want CREATE, UPDATE, DELETE or CONNECT)");
  }
  out.operation = *op;

  MIGWARDEN_RETURN_IF_ERROR(decodeUserInfo(r, out.userInfo));
  MIGWARDEN_RETURN_IF_ERROR(rawObject(r, "object", out.object));
  MIGWARDEN_RETURN_IF_ERROR(rawObject(r, "oldObject", out.oldObject));
  MIGWARDEN_RETURN_IF_ERROR(rawObject(r, "options", out.options));
  MIGWARDEN_RETURN_IF_ERROR(r.boolean("dryRun", out.dryRun));
  return Status::Ok();
}

}  // namespace

std::string_view reviewApiVersion(ReviewVersion version) { return version == ReviewVersion::kV1 ? kV1 : kV1beta1; }

std::string_view operationName(Operation op) {
  switch (op) {
    case Operation::kCreate:
      return "CREATE";
    case Operation::kUpdate:
      return "UPDATE";
    case Operation::kDelete:
      return "DELETE";
    case Operation::kConnect:
      return "CONNECT";
  }
  return "UNKNOWN";
}

std::optional<Operation> parseOperation(std::string_view text) {
  if (text == "CREATE") return Operation::kCreate;
  if (text == "UPDATE") return Operation::kUpdate;
  if (text == "DELETE") return Operation::kDelete;
  if (text == "CONNECT") return Operation::kConnect;
  return std::nullopt;
}

Result<AdmissionReview> decodeAdmissionReview(std::string_view body) {
  Result<rapidjson::Document> parsed = json::parse(body);
  if (!parsed.ok()) return parsed.status();
  AdmissionReview review;
  review.document_ = std::make_unique<rapidjson::Document>(std::move(parsed).value());
  const rapidjson::Document& doc = *review.document_;
  if (!doc.IsObject()) return json::typeError("(root)", "object", doc);

  JsonPath rootPath("");
  ObjectReader root(doc, rootPath);
  std::string apiVersion;
  MIGWARDEN_RETURN_IF_ERROR(root.requiredString("apiVersion", apiVersion));
  if (apiVersion == kV1) {
    review.version = ReviewVersion::kV1;
  } else if (apiVersion == kV1beta1) {
    review.version = ReviewVersion::kV1beta1;
  } else {
    return Status::InvalidArgument("apiVersion: unsupported " + quoteValue(apiVersion) + " (want " + std::string(kV1) +
                                   " or " + std::string(kV1beta1) + ")");
  }
  std::string kind;
  MIGWARDEN_RETURN_IF_ERROR(root.requiredString("kind", kind));
  if (kind != "AdmissionReview") {
    return Status::InvalidArgument("kind: expected \"AdmissionReview\", got " + quoteValue(kind));
  }
  const rapidjson::Value* request = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(root.object("request", request));
  if (request == nullptr) return Status::InvalidArgument("request: required");
  MIGWARDEN_RETURN_IF_ERROR(decodeRequest(*request, review.request));
  return review;
}

}  // namespace migwarden::admission
