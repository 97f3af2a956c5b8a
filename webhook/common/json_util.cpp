#include "webhook/common/json_util.h"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace migwarden::json {

Result<rapidjson::Document> parse(std::string_view text, ParseOptions options) {
  rapidjson::Document doc;
  if (options.allowComments && options.allowTrailingCommas) {
    doc.Parse<rapidjson::kParseCommentsFlag | rapidjson::kParseTrailingCommasFlag>(text.data(), text.size());
  } else if (options.allowComments) {
    doc.Parse<rapidjson::kParseCommentsFlag>(text.data(), text.size());
  } else {
    doc.Parse(text.data(), text.size());
  }
  if (!doc.HasParseError()) return doc;
  size_t offset = std::min(doc.GetErrorOffset(), text.size());
  std::string msg = "invalid JSON at offset " + std::to_string(offset);
  if (text.find('\n') != std::string_view::npos) {
    size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
    size_t lineStart = text.rfind('\n', offset == 0 ? 0 : offset - 1);
    size_t column = lineStart == std::string_view::npos ? offset + 1 : offset - lineStart;
    msg += " (line " + std::to_string(line) + ", column " + std::to_string(column) + ")";
  }
  msg += ": ";
  msg += rapidjson::GetParseError_En(doc.GetParseError());
  return Status::InvalidArgument(std::move(msg));
}

std::string_view typeName(const rapidjson::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "boolean";
    case rapidjson::kObjectType: return "object";
    case rapidjson::kArrayType: return "array";
    case rapidjson::kStringType: return "string";
    case rapidjson::kNumberType: return "number";
  }
  return "unknown";
}

const rapidjson::Value* find(const rapidjson::Value& object, std::string_view key) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(rapidjson::StringRef(key.data(), key.size()));
  if (it == object.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

std::string joinPath(std::string_view base, std::string_view key) {
  if (base.empty()) return std::string(key);
  std::string out(base);
  out += '.';
  out += key;
  return out;
}

std::string joinIndex(std::string_view base, size_t index) {
  std::string out(base);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

Status typeError(std::string_view path, std::string_view expected, const rapidjson::Value& got) {
  std::string m(path);
  m += ": expected ";
  m += expected;
  m += ", got ";
  m += typeName(got);
  return Status::InvalidArgument(std::move(m));
}

Result<std::string> requireString(const rapidjson::Value& object, std::string_view key, std::string_view path) {
  const rapidjson::Value* v = find(object, key);
  if (v == nullptr) return Status::InvalidArgument(joinPath(path, key) + ": required field is missing");
  if (!v->IsString()) return typeError(joinPath(path, key), "string", *v);
  return std::string(v->GetString(), v->GetStringLength());
}

Result<std::optional<std::string>> optionalString(const rapidjson::Value& object, std::string_view key,
                                                  std::string_view path) {
  const rapidjson::Value* v = find(object, key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->IsString()) return typeError(joinPath(path, key), "string", *v);
  return std::optional<std::string>(std::string(v->GetString(), v->GetStringLength()));
}

Result<std::optional<bool>> optionalBool(const rapidjson::Value& object, std::string_view key, std::string_view path) {
  const rapidjson::Value* v = find(object, key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->IsBool()) return typeError(joinPath(path, key), "boolean", *v);
  return std::optional<bool>(v->GetBool());
}

Result<std::optional<int64_t>> optionalInt(const rapidjson::Value& object, std::string_view key,
                                           std::string_view path) {
  const rapidjson::Value* v = find(object, key);
  if (v == nullptr) return std::optional<int64_t>();
  if (!v->IsInt64()) return typeError(joinPath(path, key), "integer", *v);
  return std::optional<int64_t>(v->GetInt64());
}

Result<const rapidjson::Value*> optionalObject(const rapidjson::Value& object, std::string_view key,
                                               std::string_view path) {
  const rapidjson::Value* v = find(object, key);
  if (v != nullptr && !v->IsObject()) return typeError(joinPath(path, key), "object", *v);
  return v;
}

Result<const rapidjson::Value*> optionalArray(const rapidjson::Value& object, std::string_view key,
                                              std::string_view path) {
  const rapidjson::Value* v = find(object, key);
  if (v != nullptr && !v->IsArray()) return typeError(joinPath(path, key), "array", *v);
  return v;
}

std::string toString(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  v.Accept(writer);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace migwarden::json
