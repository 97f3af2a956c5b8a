// Internal to the policy source parser: readers for the non-GPU sections.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "webhook/policy/model.h"
#include "webhook/policy/parse_context.h"

namespace migwarden::policy::detail {

CudaTable parseCudaTable(const rapidjson::Value& v, const std::string& path, ParseContext& ctx);
CudaDeclaration parseCudaDeclaration(const rapidjson::Value& v, const std::string& path, ParseContext& ctx);
Mutation parseMutation(const rapidjson::Value& v, const std::string& path, ParseContext& ctx);
Enforcement parseEnforcement(const rapidjson::Value& v, const std::string& path, ParseContext& ctx);

}  // namespace migwarden::policy::detail
