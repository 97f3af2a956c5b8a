// Small field readers for the ledger's decoders (node report, log records, snapshot).
// Every error is InvalidArgument and starts with the JSON path of the field, e.g.
// "gpus[0].migDevices[2].placement.size: must be an integer".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "webhook/common/status.h"

namespace migwarden::ledger::fields {

std::string path(std::string_view base, std::string_view key);
std::string index(std::string_view base, size_t i);

Status fieldError(std::string_view path, std::string_view what);

// The member, or an error when it is missing (JSON null counts as missing).
Result<const rapidjson::Value*> require(const rapidjson::Value& obj, std::string_view key, std::string_view base);

Status readString(const rapidjson::Value& obj, std::string_view key, std::string_view base, bool required,
                  size_t maxBytes, std::string* out);
Status readInt(const rapidjson::Value& obj, std::string_view key, std::string_view base, bool required,
               int64_t min, int64_t* out);
Status readBool(const rapidjson::Value& obj, std::string_view key, std::string_view base, bool required, bool* out);
// An array member; *out is nullptr when absent and not required.
Status readArray(const rapidjson::Value& obj, std::string_view key, std::string_view base, bool required,
                 size_t maxItems, const rapidjson::Value** out);
Status readStringArray(const rapidjson::Value& obj, std::string_view key, std::string_view base, size_t maxItems,
                       size_t maxBytes, std::vector<std::string>* out);
// {"resource": count, ...} with counts >= 1.
Status readCounts(const rapidjson::Value& obj, std::string_view key, std::string_view base,
                  std::map<std::string, int64_t>* out);

}  // namespace migwarden::ledger::fields
