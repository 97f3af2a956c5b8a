// Typed view of a core/v1 Binding (the pods/binding subresource: the scheduler binding
// a pod to a node). Thread-safety: value type.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "webhook/admission/object_meta.h"
#include "webhook/common/status.h"

namespace migwarden::admission {

struct ObjectReference {
  std::string kind;  // "Node"
  std::string name;  // the node name
  std::string namespace_;
  std::string uid;
  std::string apiVersion;
};

struct Binding {
  ObjectMeta metadata;  // name/namespace of the pod being bound
  ObjectReference target;
};

// Errors name the JSON path under `path`; target.name is required.
Result<Binding> decodeBinding(const rapidjson::Value& object, std::string_view path);

}  // namespace migwarden::admission
