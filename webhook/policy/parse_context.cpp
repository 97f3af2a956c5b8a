#include "webhook/policy/parse_context.h"

#include <algorithm>

#include "webhook/common/json_util.h"

namespace migwarden::policy {

std::string Diagnostic::toString() const {
  std::string out;
  if (!file.empty()) out += file + ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

std::string formatDiagnostics(const Diagnostics& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.toString() + "\n";
  return out;
}

Status diagnosticsToStatus(const Diagnostics& diagnostics) {
  if (diagnostics.empty()) return Status::Ok();
  std::string msg = formatDiagnostics(diagnostics);
  msg.pop_back();
  return Status::InvalidArgument(std::move(msg));
}

}  // namespace migwarden::policy

namespace migwarden::policy::detail {

ObjectReader::ObjectReader(const rapidjson::Value& value, std::string path, ParseContext& ctx)
    : path_(std::move(path)), ctx_(ctx) {
  if (value.IsObject()) {
    object_ = &value;
  } else {
    ctx_.error(path_.empty() ? "(document)" : path_,
               "must be an object, got " + std::string(json::typeName(value)));
  }
}

std::string ObjectReader::pathOf(std::string_view key) const { return json::joinPath(path_, key); }

const rapidjson::Value* ObjectReader::member(std::string_view key) {
  known_.emplace_back(key);
  if (object_ == nullptr) return nullptr;
  auto it = object_->FindMember(rapidjson::Value(key.data(), static_cast<rapidjson::SizeType>(key.size())));
  if (it == object_->MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

bool ObjectReader::missing(std::string_view key, bool required) {
  if (required && object_ != nullptr) ctx_.error(pathOf(key), "is required");
  return !required;
}

bool ObjectReader::string(std::string_view key, std::string& out, bool required) {
  const rapidjson::Value* v = member(key);
  if (v == nullptr) return missing(key, required);
  if (!v->IsString()) {
    ctx_.error(pathOf(key), "must be a string, got " + std::string(json::typeName(*v)));
    return false;
  }
  out.assign(v->GetString(), v->GetStringLength());
  if (required && out.empty()) {
    ctx_.error(pathOf(key), "must not be empty");
    return false;
  }
  return true;
}

bool ObjectReader::uint(std::string_view key, uint32_t& out, bool required, uint32_t min, uint32_t max) {
  const rapidjson::Value* v = member(key);
  if (v == nullptr) return missing(key, required);
  if (!v->IsUint64() || v->GetUint64() < min || v->GetUint64() > max) {
    ctx_.error(pathOf(key), "must be an integer " + std::to_string(min) + ".." + std::to_string(max) +
                                ", got " + (v->IsNumber() || v->IsString() ? json::toString(*v) : std::string(json::typeName(*v))));
    return false;
  }
  out = static_cast<uint32_t>(v->GetUint64());
  return true;
}

bool ObjectReader::optionalUint(std::string_view key, std::optional<uint32_t>& out, uint32_t min, uint32_t max) {
  if (member(key) == nullptr) return true;
  uint32_t value = 0;
  if (!uint(key, value, true, min, max)) return false;
  out = value;
  return true;
}

bool ObjectReader::boolean(std::string_view key, bool& out, bool required) {
  const rapidjson::Value* v = member(key);
  if (v == nullptr) return missing(key, required);
  if (!v->IsBool()) {
    ctx_.error(pathOf(key), "must be true or false, got " + std::string(json::typeName(*v)));
    return false;
  }
  out = v->GetBool();
  return true;
}

bool ObjectReader::version(std::string_view key, Version& out, bool required) {
  std::string text;
  if (!string(key, text, required)) return false;
  if (text.empty()) return true;
  auto parsed = Version::parse(text);
  if (!parsed.ok()) {
    ctx_.error(pathOf(key), parsed.status().message());
    return false;
  }
  out = *parsed;
  return true;
}

bool ObjectReader::stringArray(std::string_view key, std::vector<std::string>& out, bool required) {
  bool ok = true;
  bool present = array(key, required, [&](const rapidjson::Value& e, const std::string& p) {
    if (!e.IsString() || e.GetStringLength() == 0) {
      ctx_.error(p, "must be a non-empty string");
      ok = false;
      return;
    }
    out.emplace_back(e.GetString(), e.GetStringLength());
  });
  return present && ok;
}

void ObjectReader::finish() {
  if (object_ == nullptr) return;
  for (auto it = object_->MemberBegin(); it != object_->MemberEnd(); ++it) {
    std::string_view name(it->name.GetString(), it->name.GetStringLength());
    if (std::find(known_.begin(), known_.end(), name) == known_.end()) {
      ctx_.error(pathOf(name), "unknown field (check the spelling against policies/schema.json)");
    }
  }
}

}  // namespace migwarden::policy::detail
