// RapidJSON helpers shared by every decoder (AdmissionReview, policy source, node
// reports). Errors name the JSON path of the offending field ("request.object.spec"),
// so a denial or a 400 tells the caller exactly what is wrong.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "webhook/common/status.h"

namespace migwarden::json {

struct ParseOptions {
  bool allowComments = false;        // policy sources are JSON with comments
  bool allowTrailingCommas = false;
};

// Parses text into a document. The error names the byte offset and, for text with
// newlines, the line and column.
Result<rapidjson::Document> parse(std::string_view text, ParseOptions options = {});

std::string_view typeName(const rapidjson::Value& v);

// Member lookup; nullptr when absent. A JSON null counts as absent, as in Kubernetes.
const rapidjson::Value* find(const rapidjson::Value& object, std::string_view key);

// "a.b" + "c" -> "a.b.c"; "" + "c" -> "c"; "a" + index 3 -> "a[3]".
std::string joinPath(std::string_view base, std::string_view key);
std::string joinIndex(std::string_view base, size_t index);

Status typeError(std::string_view path, std::string_view expected, const rapidjson::Value& got);

// Typed accessors. `path` is the path of `object`; errors name path.key.
Result<std::string> requireString(const rapidjson::Value& object, std::string_view key, std::string_view path);
Result<std::optional<std::string>> optionalString(const rapidjson::Value& object, std::string_view key,
                                                  std::string_view path);
Result<std::optional<bool>> optionalBool(const rapidjson::Value& object, std::string_view key, std::string_view path);
Result<std::optional<int64_t>> optionalInt(const rapidjson::Value& object, std::string_view key,
                                           std::string_view path);
// Object or array member (nullptr when absent); a wrong type is an error.
Result<const rapidjson::Value*> optionalObject(const rapidjson::Value& object, std::string_view key,
                                               std::string_view path);
Result<const rapidjson::Value*> optionalArray(const rapidjson::Value& object, std::string_view key,
                                              std::string_view path);

// Compact serialization.
std::string toString(const rapidjson::Value& v);

}  // namespace migwarden::json
