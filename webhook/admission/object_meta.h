// ObjectMeta fields the rules use (shared by the Pod and Binding views).
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/status.h"

namespace migwarden::admission {

struct OwnerReference {
  std::string apiVersion;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;
};

struct ObjectMeta {
  std::string name;  // "" on CREATE with generateName (the name is generated after mutation)
  std::string generateName;
  std::string namespace_;
  std::string uid;  // "" before the object is persisted (mutating webhooks on CREATE)
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<OwnerReference> ownerReferences;
};

// `object` is the enclosing object; `path` its JSON path ("request.object").
Status decodeObjectMeta(const rapidjson::Value& object, std::string_view path, ObjectMeta& out);

}  // namespace migwarden::admission
