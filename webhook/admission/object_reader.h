// Internal to the admission module: typed reads of one JSON object's members.
// JSON paths for error messages are a chain of stack-allocated JsonPath nodes that is
// only turned into text when an error is reported, so decoding a valid object builds no
// path strings. Absent members and JSON null leave the output untouched, as Kubernetes
// treats null like absent.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/json_util.h"
#include "webhook/common/status.h"

namespace migwarden::admission::detail {

// One step of a JSON path: root text, ".key", "[index]" or "[\"mapKey\"]". Nodes refer
// to their parent and to key text they do not own: both must outlive the node (the
// natural case for nodes on the stack of a recursive decoder).
class JsonPath {
 public:
  explicit JsonPath(std::string_view root) : text_(root), kind_(Kind::kRoot) {}
  JsonPath(const JsonPath& parent, std::string_view key) : parent_(&parent), text_(key), kind_(Kind::kKey) {}
  JsonPath(const JsonPath& parent, size_t index) : parent_(&parent), index_(index), kind_(Kind::kIndex) {}
  // parent["key"]: a member of a string map (labels, resources.limits).
  static JsonPath mapKey(const JsonPath& parent, std::string_view key) {
    JsonPath p(parent, key);
    p.kind_ = Kind::kMapKey;
    return p;
  }

  std::string str() const;

 private:
  enum class Kind { kRoot, kKey, kIndex, kMapKey };
  void appendTo(std::string& out) const;

  const JsonPath* parent_ = nullptr;
  std::string_view text_;  // root text or key
  size_t index_ = 0;
  Kind kind_;
};

class ObjectReader {
 public:
  // `object` must be a JSON object; `path` names it and must outlive the reader.
  ObjectReader(const rapidjson::Value& object, const JsonPath& path) : object_(object), path_(path) {}

  const rapidjson::Value* find(std::string_view key) const;
  const JsonPath& path() const { return path_; }
  JsonPath child(std::string_view key) const { return JsonPath(path_, key); }
  std::string path(std::string_view key) const { return child(key).str(); }

  Status string(std::string_view key, std::string& out) const;
  // Absent, null or "" -> "<path>.<key>: required".
  Status requiredString(std::string_view key, std::string& out) const;
  Status boolean(std::string_view key, bool& out) const;
  // nullptr when absent; error when present with another type.
  Status object(std::string_view key, const rapidjson::Value*& out) const;
  Status array(std::string_view key, const rapidjson::Value*& out) const;
  Status stringMap(std::string_view key, std::map<std::string, std::string>& out) const;
  Status stringList(std::string_view key, std::vector<std::string>& out) const;

  Status typeError(std::string_view key, std::string_view expected, const rapidjson::Value& got) const;

 private:
  const rapidjson::Value& object_;
  const JsonPath& path_;
};

inline std::string_view view(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

// Calls visit(ObjectReader) for each element of the array member `key` (if present),
// checking that each element is an object.
template <typename Visit>
Status forEachObject(const ObjectReader& parent, std::string_view key, Visit&& visit) {
  const rapidjson::Value* arr = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(parent.array(key, arr));
  if (arr == nullptr) return Status::Ok();
  JsonPath arrayPath = parent.child(key);
  for (rapidjson::SizeType i = 0; i < arr->Size(); ++i) {
    JsonPath itemPath(arrayPath, i);
    const rapidjson::Value& item = (*arr)[i];
    if (!item.IsObject()) return json::typeError(itemPath.str(), "object", item);
    MIGWARDEN_RETURN_IF_ERROR(visit(ObjectReader(item, itemPath)));
  }
  return Status::Ok();
}

}  // namespace migwarden::admission::detail

namespace migwarden::admission {
struct ObjectMeta;
namespace detail {
// Shared by the Pod and Binding decoders (the public form is in object_meta.h).
Status decodeObjectMeta(const rapidjson::Value& object, const JsonPath& path, ObjectMeta& out);
}  // namespace detail
}  // namespace migwarden::admission
