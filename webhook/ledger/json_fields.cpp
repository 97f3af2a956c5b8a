#include "webhook/ledger/json_fields.h"

namespace migwarden::ledger::fields {

std::string path(std::string_view base, std::string_view key) {
  std::string out(base);
  if (!out.empty()) out += '.';
  out += key;
  return out;
}

std::string index(std::string_view base, size_t i) { return std::string(base) + "[" + std::to_string(i) + "]"; }

Status fieldError(std::string_view p, std::string_view what) {
  std::string m(p.empty() ? std::string_view("report") : p);
  m += ": ";
  m += what;
  return Status::InvalidArgument(std::move(m));
}

Result<const rapidjson::Value*> require(const rapidjson::Value& obj, std::string_view key, std::string_view base) {
  auto it = obj.FindMember(rapidjson::StringRef(key.data(), key.size()));
  if (it == obj.MemberEnd() || it->value.IsNull()) return fieldError(path(base, key), "is required");
  return &it->value;
}

namespace {

const rapidjson::Value* lookup(const rapidjson::Value& obj, std::string_view key) {
  auto it = obj.FindMember(rapidjson::StringRef(key.data(), key.size()));
  if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

Status missing(std::string_view base, std::string_view key) { return fieldError(path(base, key), "is required"); }

}  // namespace

Status readString(const rapidjson::Value& obj, std::string_view key, std::string_view base, bool required,
                  size_t maxBytes, std::string* out) {
  const rapidjson::Value* v = lookup(obj, key);
  if (v == nullptr) return required ? missing(base, key) : Status::Ok();
  if (!v->IsString()) return fieldError(path(base, key), "must be a string");
  if (v->GetStringLength() > maxBytes) {
    return fieldError(path(base, key), "is longer than " + std::to_string(maxBytes) + " bytes");
  }
  out->assign(v->GetString(), v->GetStringLength());
  return Status::Ok();
}

Status readInt(const rapidjson::Value& obj, std::string_view key, std::string_view base, bool required, int64_t min,
               int64_t* out) {
  const rapidjson::Value* v = lookup(obj, key);
  if (v == nullptr) return required ? missing(base, key) : Status::Ok();
  if (!v->IsInt64()) return fieldError(path(base, key), "must be an integer");
  if (v->GetInt64() < min) return fieldError(path(base, key), "must be >= " + std::to_string(min));
  *out = v->GetInt64();
  return Status::Ok();
}

Status readBool(const rapidjson::Value& obj, std::string_view key, std::string_view base, bool required, bool* out) {
  const rapidjson::Value* v = lookup(obj, key);
  if (v == nullptr) return required ? missing(base, key) : Status::Ok();
  if (!v->IsBool()) return fieldError(path(base, key), "must be a boolean");
  *out = v->GetBool();
  return Status::Ok();
}

Status readArray(const rapidjson::Value& obj, std::string_view key, std::string_view base, bool required,
                 size_t maxItems, const rapidjson::Value** out) {
  *out = nullptr;
  const rapidjson::Value* v = lookup(obj, key);
  if (v == nullptr) return required ? missing(base, key) : Status::Ok();
  if (!v->IsArray()) return fieldError(path(base, key), "must be an array");
  if (v->Size() > maxItems) return fieldError(path(base, key), "has more than " + std::to_string(maxItems) + " items");
  *out = v;
  return Status::Ok();
}

Status readStringArray(const rapidjson::Value& obj, std::string_view key, std::string_view base, size_t maxItems,
                       size_t maxBytes, std::vector<std::string>* out) {
  const rapidjson::Value* arr = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(readArray(obj, key, base, true, maxItems, &arr));
  const std::string arrPath = path(base, key);
  out->clear();
  for (rapidjson::SizeType i = 0; i < arr->Size(); ++i) {
    const rapidjson::Value& item = (*arr)[i];
    if (!item.IsString() || item.GetStringLength() == 0) return fieldError(index(arrPath, i), "must be a non-empty string");
    if (item.GetStringLength() > maxBytes) return fieldError(index(arrPath, i), "is too long");
    out->emplace_back(item.GetString(), item.GetStringLength());
  }
  return Status::Ok();
}

Status readCounts(const rapidjson::Value& obj, std::string_view key, std::string_view base,
                  std::map<std::string, int64_t>* out) {
  const rapidjson::Value* v = lookup(obj, key);
  if (v == nullptr) return missing(base, key);
  if (!v->IsObject()) return fieldError(path(base, key), "must be an object");
  out->clear();
  for (auto it = v->MemberBegin(); it != v->MemberEnd(); ++it) {
    std::string name(it->name.GetString(), it->name.GetStringLength());
    if (!it->value.IsInt64() || it->value.GetInt64() < 1) {
      return fieldError(path(path(base, key), name), "must be an integer >= 1");
    }
    (*out)[name] = it->value.GetInt64();
  }
  return Status::Ok();
}

}  // namespace migwarden::ledger::fields
