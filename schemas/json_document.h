// JsonNode: typed, validating access to a JSON document (service configs,
// linkage schemas, sources files, models, agreements, ...).
//
// Every error is a DocumentError whose message names the document, the key
// path and what is wrong, e.g.
//   "hub.json: tls.cert_file: expected a string, got 42"
//   "hub.json: limits: unknown key 'max_bodyy' (known: max_body_bytes, ...)"
// Values are copied out; a JsonNode keeps its document alive. Immutable, so
// safe to share between threads once built.
#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nser::schemas {

class DocumentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class JsonNode {
 public:
  // Parses a file; syntax errors name the file and the parser's position.
  static JsonNode parseFile(const std::string& path);
  // Parses text; `sourceName` is used in error messages (a file or "request body").
  static JsonNode parseText(std::string_view text, const std::string& sourceName);

  const std::string& source() const { return *source_; }
  // Key path from the root, e.g. "features[2].hashing.strategy" ("" for the root).
  const std::string& path() const { return path_; }

  bool isObject() const;
  bool isArray() const;
  bool isNull() const { return value_.isEmpty(); }

  bool has(const std::string& key) const;
  // A required member of an object; fails when absent or when this is not an object.
  JsonNode field(const std::string& key) const;
  std::optional<JsonNode> optionalField(const std::string& key) const;
  // Member names, sorted.
  std::vector<std::string> keys() const;

  std::string asString() const;
  std::int64_t asInt(std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX) const;
  double asNumber(double min, double max) const;
  bool asBool() const;
  std::vector<JsonNode> asArray() const;
  // One of `allowed`; the error lists them.
  std::string asEnum(std::initializer_list<std::string_view> allowed) const;

  std::string stringOr(const std::string& key, const std::string& fallback) const;
  std::int64_t intOr(const std::string& key, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
  double numberOr(const std::string& key, double fallback, double min, double max) const;
  bool boolOr(const std::string& key, bool fallback) const;

  // Fails naming the first member not in `known` (catches typos in configs).
  void rejectUnknownKeys(std::initializer_list<std::string_view> known) const;

  // Throws DocumentError "<source>: <path>: <what>".
  [[noreturn]] void fail(const std::string& what) const;

  const Poco::Dynamic::Var& raw() const { return value_; }

 private:
  JsonNode(std::shared_ptr<const std::string> source, std::string path, Poco::Dynamic::Var value);
  std::string childPath(const std::string& key) const;
  Poco::JSON::Object::Ptr object() const;

  std::shared_ptr<const std::string> source_;
  std::string path_;
  Poco::Dynamic::Var value_;
};

}  // namespace nser::schemas
