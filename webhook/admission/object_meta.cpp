#include "webhook/admission/object_meta.h"

#include "webhook/admission/object_reader.h"
#include "webhook/common/json_util.h"

namespace migwarden::admission {

using detail::JsonPath;
using detail::ObjectReader;

Status decodeObjectMeta(const rapidjson::Value& object, std::string_view path, ObjectMeta& out) {
  return detail::decodeObjectMeta(object, JsonPath(path), out);
}

Status detail::decodeObjectMeta(const rapidjson::Value& object, const JsonPath& path, ObjectMeta& out) {
  ObjectReader parent(object, path);
  const rapidjson::Value* meta = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(parent.object("metadata", meta));
  if (meta == nullptr) return Status::Ok();
  JsonPath metaPath = parent.child("metadata");
  ObjectReader r(*meta, metaPath);
  MIGWARDEN_RETURN_IF_ERROR(r.string("name", out.name));
  MIGWARDEN_RETURN_IF_ERROR(r.string("generateName", out.generateName));
  MIGWARDEN_RETURN_IF_ERROR(r.string("namespace", out.namespace_));
  MIGWARDEN_RETURN_IF_ERROR(r.string("uid", out.uid));
  MIGWARDEN_RETURN_IF_ERROR(r.stringMap("labels", out.labels));
  MIGWARDEN_RETURN_IF_ERROR(r.stringMap("annotations", out.annotations));
  const rapidjson::Value* owners = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(r.array("ownerReferences", owners));
  if (owners == nullptr) return Status::Ok();
  JsonPath ownersPath = r.child("ownerReferences");
  for (rapidjson::SizeType i = 0; i < owners->Size(); ++i) {
    JsonPath itemPath(ownersPath, i);
    const rapidjson::Value& item = (*owners)[i];
    if (!item.IsObject()) return json::typeError(itemPath.str(), "object", item);
    ObjectReader o(item, itemPath);
    OwnerReference ref;
    MIGWARDEN_RETURN_IF_ERROR(o.string("apiVersion", ref.apiVersion));
    MIGWARDEN_RETURN_IF_ERROR(o.string("kind", ref.kind));
    MIGWARDEN_RETURN_IF_ERROR(o.string("name", ref.name));
    MIGWARDEN_RETURN_IF_ERROR(o.string("uid", ref.uid));
    MIGWARDEN_RETURN_IF_ERROR(o.boolean("controller", ref.controller));
    out.ownerReferences.push_back(std::move(ref));
  }
  return Status::Ok();
}

}  // namespace migwarden::admission
