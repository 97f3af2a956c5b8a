#include "webhook/admission/object_reader.h"

#include "webhook/admission/sanitize.h"
#include "webhook/common/json_util.h"

namespace migwarden::admission::detail {

void JsonPath::appendTo(std::string& out) const {
  if (parent_ != nullptr) parent_->appendTo(out);
  switch (kind_) {
    case Kind::kRoot:
      out += text_;
      break;
    case Kind::kKey:
      if (!out.empty()) out += '.';
      out += text_;
      break;
    case Kind::kIndex:
      out += '[';
      out += std::to_string(index_);
      out += ']';
      break;
    case Kind::kMapKey:  // keys come from the request: cut and cleaned
      out += '[';
      out += quoteValue(text_);
      out += ']';
      break;
  }
}

std::string JsonPath::str() const {
  std::string out;
  appendTo(out);
  return out;
}

const rapidjson::Value* ObjectReader::find(std::string_view key) const { return json::find(object_, key); }

Status ObjectReader::typeError(std::string_view key, std::string_view expected, const rapidjson::Value& got) const {
  return json::typeError(path(key), expected, got);
}

Status ObjectReader::string(std::string_view key, std::string& out) const {
  const rapidjson::Value* v = find(key);
  if (v == nullptr) return Status::Ok();
  if (!v->IsString()) return typeError(key, "string", *v);
  out.assign(v->GetString(), v->GetStringLength());
  return Status::Ok();
}

Status ObjectReader::requiredString(std::string_view key, std::string& out) const {
  const rapidjson::Value* v = find(key);
  if (v == nullptr || (v->IsString() && v->GetStringLength() == 0))
    return Status::InvalidArgument(path(key) + ": required");
  if (!v->IsString()) return typeError(key, "string", *v);
  out.assign(v->GetString(), v->GetStringLength());
  return Status::Ok();
}

Status ObjectReader::boolean(std::string_view key, bool& out) const {
  const rapidjson::Value* v = find(key);
  if (v == nullptr) return Status::Ok();
  if (!v->IsBool()) return typeError(key, "boolean", *v);
  out = v->GetBool();
  return Status::Ok();
}

Status ObjectReader::object(std::string_view key, const rapidjson::Value*& out) const {
  out = find(key);
  if (out != nullptr && !out->IsObject()) return typeError(key, "object", *out);
  return Status::Ok();
}

Status ObjectReader::array(std::string_view key, const rapidjson::Value*& out) const {
  out = find(key);
  if (out != nullptr && !out->IsArray()) return typeError(key, "array", *out);
  return Status::Ok();
}

Status ObjectReader::stringMap(std::string_view key, std::map<std::string, std::string>& out) const {
  const rapidjson::Value* v = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(object(key, v));
  if (v == nullptr) return Status::Ok();
  for (const auto& m : v->GetObject()) {
    // Go decodes a null map value as "" (labels/annotations are map[string]string).
    if (m.value.IsNull()) {
      out.emplace(std::string(view(m.name)), std::string());
      continue;
    }
    if (!m.value.IsString()) {
      JsonPath mapPath = child(key);
      return json::typeError(JsonPath::mapKey(mapPath, view(m.name)).str(), "string", m.value);
    }
    out.emplace(std::string(view(m.name)), std::string(view(m.value)));
  }
  return Status::Ok();
}

Status ObjectReader::stringList(std::string_view key, std::vector<std::string>& out) const {
  const rapidjson::Value* v = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(array(key, v));
  if (v == nullptr) return Status::Ok();
  out.reserve(v->Size());
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
    const rapidjson::Value& item = (*v)[i];
    if (!item.IsString()) {
      JsonPath listPath = child(key);
      return json::typeError(JsonPath(listPath, i).str(), "string", item);
    }
    out.emplace_back(view(item));
  }
  return Status::Ok();
}

}  // namespace migwarden::admission::detail
