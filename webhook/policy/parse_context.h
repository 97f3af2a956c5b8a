// Internal to the policy source parser: a diagnostics sink that knows the current file,
// and an object reader that remembers which keys were read so unknown keys (usually a
// typo) are reported instead of silently ignored. Not part of the public API.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/policy/diagnostics.h"
#include "webhook/policy/version.h"

namespace migwarden::policy::detail {

class ParseContext {
 public:
  ParseContext(std::string file, Diagnostics& out) : file_(std::move(file)), out_(out) {}
  void error(std::string path, std::string message) { out_.push_back({file_, std::move(path), std::move(message)}); }
  const std::string& file() const { return file_; }
  size_t errorCount() const { return out_.size(); }

 private:
  std::string file_;
  Diagnostics& out_;
};

// Reads the members of one JSON object. Every accessor marks the key as known; finish()
// reports the members nobody asked for. Accessors report type/range problems and return
// false (or nullopt) so the caller can keep going and collect more problems.
class ObjectReader {
 public:
  // Reports an error (and reads nothing) when `value` is not an object.
  ObjectReader(const rapidjson::Value& value, std::string path, ParseContext& ctx);
  ~ObjectReader() = default;
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  bool valid() const { return object_ != nullptr; }
  const std::string& path() const { return path_; }
  std::string pathOf(std::string_view key) const;
  ParseContext& ctx() { return ctx_; }

  // Raw member (marks the key known); nullptr when absent.
  const rapidjson::Value* member(std::string_view key);

  bool string(std::string_view key, std::string& out, bool required);
  bool uint(std::string_view key, uint32_t& out, bool required, uint32_t min, uint32_t max);
  bool optionalUint(std::string_view key, std::optional<uint32_t>& out, uint32_t min, uint32_t max);
  bool boolean(std::string_view key, bool& out, bool required);
  bool version(std::string_view key, Version& out, bool required);
  bool stringArray(std::string_view key, std::vector<std::string>& out, bool required);
  // Array member: calls each(element, elementPath) per element. Absent -> true unless required.
  template <typename F>
  bool array(std::string_view key, bool required, F&& each);

  void finish();

 private:
  bool missing(std::string_view key, bool required);

  const rapidjson::Value* object_ = nullptr;
  std::string path_;
  ParseContext& ctx_;
  std::vector<std::string> known_;
};

template <typename F>
bool ObjectReader::array(std::string_view key, bool required, F&& each) {
  const rapidjson::Value* v = member(key);
  if (v == nullptr) return missing(key, required);
  std::string p = pathOf(key);
  if (!v->IsArray()) {
    ctx_.error(p, "must be an array");
    return false;
  }
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) each((*v)[i], p + "[" + std::to_string(i) + "]");
  return true;
}

}  // namespace migwarden::policy::detail
