#include "webhook/admission/binding.h"

#include "webhook/admission/object_reader.h"
#include "webhook/common/json_util.h"

namespace migwarden::admission {

using detail::JsonPath;
using detail::ObjectReader;

Result<Binding> decodeBinding(const rapidjson::Value& object, std::string_view path) {
  if (!object.IsObject()) return json::typeError(path, "object", object);
  Binding b;
  JsonPath rootPath(path);
  MIGWARDEN_RETURN_IF_ERROR(detail::decodeObjectMeta(object, rootPath, b.metadata));
  ObjectReader r(object, rootPath);
  const rapidjson::Value* target = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(r.object("target", target));
  if (target == nullptr) return Status::InvalidArgument(r.path("target") + ": required");
  JsonPath targetPath = r.child("target");
  ObjectReader t(*target, targetPath);
  MIGWARDEN_RETURN_IF_ERROR(t.string("kind", b.target.kind));
  MIGWARDEN_RETURN_IF_ERROR(t.requiredString("name", b.target.name));
  MIGWARDEN_RETURN_IF_ERROR(t.string("namespace", b.target.namespace_));
  MIGWARDEN_RETURN_IF_ERROR(t.string("uid", b.target.uid));
  MIGWARDEN_RETURN_IF_ERROR(t.string("apiVersion", b.target.apiVersion));
  return b;
}

}  // namespace migwarden::admission
