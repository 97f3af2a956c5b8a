#include "webhook/admission/json_patch.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace migwarden::admission {

std::string JsonPointer::escapeToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

JsonPointer JsonPointer::of(std::initializer_list<std::string_view> tokens) {
  JsonPointer p;
  for (std::string_view t : tokens) p = p.child(t);
  return p;
}

JsonPointer JsonPointer::child(std::string_view token) const {
  JsonPointer p = *this;
  p.text_ += '/';
  p.text_ += escapeToken(token);
  p.tokens_.emplace_back(token);
  return p;
}

JsonPointer JsonPointer::index(size_t i) const { return child(std::to_string(i)); }

JsonPointer JsonPointer::append() const { return child("-"); }

const rapidjson::Value* resolve(const rapidjson::Value& root, const JsonPointer& pointer) {
  const rapidjson::Value* cur = &root;
  for (const std::string& token : pointer.tokens()) {
    if (cur->IsObject()) {
      auto it = cur->FindMember(rapidjson::StringRef(token.data(), token.size()));
      if (it == cur->MemberEnd()) return nullptr;
      cur = &it->value;
    } else if (cur->IsArray()) {
      if (token.empty() || token.size() > 9 || token.find_first_not_of("0123456789") != std::string::npos ||
          (token.size() > 1 && token[0] == '0'))
        return nullptr;
      size_t i = std::stoul(token);
      if (i >= cur->Size()) return nullptr;
      cur = &(*cur)[static_cast<rapidjson::SizeType>(i)];
    } else {
      return nullptr;
    }
  }
  return cur;
}

std::string jsonStringLiteral(std::string_view text) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return std::string(buf.GetString(), buf.GetSize());
}

std::string_view opName(JsonPatch::Op op) {
  switch (op) {
    case JsonPatch::Op::kAdd:
      return "add";
    case JsonPatch::Op::kReplace:
      return "replace";
    case JsonPatch::Op::kRemove:
      return "remove";
    case JsonPatch::Op::kTest:
      return "test";
  }
  return "";
}

void JsonPatch::add(const JsonPointer& path, std::string jsonValue) {
  ops_.push_back({Op::kAdd, path.str(), std::move(jsonValue)});
}
void JsonPatch::replace(const JsonPointer& path, std::string jsonValue) {
  ops_.push_back({Op::kReplace, path.str(), std::move(jsonValue)});
}
void JsonPatch::remove(const JsonPointer& path) { ops_.push_back({Op::kRemove, path.str(), {}}); }
void JsonPatch::test(const JsonPointer& path, std::string jsonValue) {
  ops_.push_back({Op::kTest, path.str(), std::move(jsonValue)});
}

Status JsonPatch::ensureObject(const rapidjson::Value& original, const JsonPointer& path) {
  JsonPointer prefix;
  const rapidjson::Value* cur = &original;  // nullptr once we are below an added object
  for (const std::string& token : path.tokens()) {
    prefix = prefix.child(token);
    if (cur != nullptr) {
      if (!cur->IsObject()) return Status::InvalidArgument(prefix.str() + ": parent is not an object");
      auto it = cur->FindMember(rapidjson::StringRef(token.data(), token.size()));
      if (it != cur->MemberEnd() && !it->value.IsNull()) {
        if (!it->value.IsObject()) return Status::InvalidArgument(prefix.str() + ": exists and is not an object");
        cur = &it->value;
        continue;
      }
      cur = nullptr;
    }
    if (createdObjects_.insert(prefix.str()).second) add(prefix, "{}");
  }
  return Status::Ok();
}

Status JsonPatch::setString(const rapidjson::Value& original, const JsonPointer& objectPath, std::string_view key,
                            std::string_view value) {
  MIGWARDEN_RETURN_IF_ERROR(ensureObject(original, objectPath));
  JsonPointer target = objectPath.child(key);
  const rapidjson::Value* existing = resolve(original, target);
  if (existing == nullptr || createdObjects_.count(objectPath.str()) != 0) {
    add(target, jsonStringLiteral(value));
  } else if (!existing->IsString() || std::string_view(existing->GetString(), existing->GetStringLength()) != value) {
    replace(target, jsonStringLiteral(value));
  }
  return Status::Ok();
}

void JsonPatch::append(const JsonPatch& other) {
  ops_.insert(ops_.end(), other.ops_.begin(), other.ops_.end());
  createdObjects_.insert(other.createdObjects_.begin(), other.createdObjects_.end());
}

std::string JsonPatch::toJson() const {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  for (const Operation& op : ops_) {
    w.StartObject();
    w.Key("op");
    std::string_view name = opName(op.op);
    w.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    w.Key("path");
    w.String(op.path.data(), static_cast<rapidjson::SizeType>(op.path.size()));
    if (op.op != Op::kRemove) {
      w.Key("value");
      w.RawValue(op.value.data(), op.value.size(), rapidjson::kObjectType);
    }
    w.EndObject();
  }
  w.EndArray();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace migwarden::admission
