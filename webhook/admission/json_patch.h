// RFC 6902 JSON Patch builder with RFC 6901 pointer escaping in exactly one place
// (JsonPointer::escapeToken). Mutating rules queue operations here and never build
// patch text by hand; the encoder serializes the result once.
//
// The apiserver fails the whole API request (500, regardless of failurePolicy) when a
// patch does not apply, so helpers such as ensureObject() check the ORIGINAL object
// and first add missing parents.
// Thread-safety: a JsonPatch belongs to one request; no internal locking.
#pragma once

#include <rapidjson/document.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/status.h"

namespace migwarden::admission {

class JsonPointer {
 public:
  JsonPointer() = default;  // the whole document ("")
  // "a/b~c" -> "a~1b~0c". The only place pointer tokens are escaped.
  static std::string escapeToken(std::string_view token);
  // Builds from unescaped tokens: {"metadata","annotations","a/b"} -> "/metadata/annotations/a~1b".
  static JsonPointer of(std::initializer_list<std::string_view> tokens);

  JsonPointer child(std::string_view token) const;
  JsonPointer index(size_t i) const;
  JsonPointer append() const;  // "/-": the end of an array (add only)

  const std::string& str() const { return text_; }
  const std::vector<std::string>& tokens() const { return tokens_; }  // unescaped
  bool operator==(const JsonPointer& o) const { return text_ == o.text_; }

 private:
  std::string text_;
  std::vector<std::string> tokens_;
};

// Resolves an (unescaped) pointer against a document; nullptr when any step is missing.
const rapidjson::Value* resolve(const rapidjson::Value& root, const JsonPointer& pointer);

// JSON text for a string value: "\"...\"" with JSON escaping.
std::string jsonStringLiteral(std::string_view text);

class JsonPatch {
 public:
  enum class Op { kAdd, kReplace, kRemove, kTest };
  struct Operation {
    Op op;
    std::string path;   // escaped pointer
    std::string value;  // JSON text; empty for remove
  };

  // Raw operations. `jsonValue` is JSON text (use jsonStringLiteral for strings).
  void add(const JsonPointer& path, std::string jsonValue);
  void replace(const JsonPointer& path, std::string jsonValue);
  void remove(const JsonPointer& path);
  void test(const JsonPointer& path, std::string jsonValue);

  // Makes sure an object exists at `path` in the patched document: for every missing
  // ancestor (checked against `original` and against objects this patch already added)
  // queues an `add {}`. Error when a step exists but is not an object.
  Status ensureObject(const rapidjson::Value& original, const JsonPointer& path);

  // Sets object[key] = string value under `objectPath` (e.g. /metadata/annotations),
  // creating the object if needed; add when the key is new, replace when it differs,
  // nothing when it already has this value (keeps mutations idempotent).
  Status setString(const rapidjson::Value& original, const JsonPointer& objectPath, std::string_view key,
                   std::string_view value);

  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }
  const std::vector<Operation>& operations() const { return ops_; }
  void append(const JsonPatch& other);

  // The RFC 6902 document: [{"op":"add","path":"/a","value":1},...].
  std::string toJson() const;

 private:
  std::vector<Operation> ops_;
  std::set<std::string> createdObjects_;  // escaped pointers this patch added as {}
};

std::string_view opName(JsonPatch::Op op);

}  // namespace migwarden::admission
