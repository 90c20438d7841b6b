#include "schemas/json_document.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace nser::schemas {

namespace {

std::string describeValue(const Poco::Dynamic::Var& value) {
  if (value.isEmpty()) return "null";
  if (value.type() == typeid(Poco::JSON::Object::Ptr)) return "an object";
  if (value.type() == typeid(Poco::JSON::Array::Ptr)) return "an array";
  std::string text = value.convert<std::string>();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return value.isString() ? "\"" + text + "\"" : text;
}

}  // namespace

JsonNode::JsonNode(std::shared_ptr<const std::string> source, std::string path, Poco::Dynamic::Var value)
    : source_(std::move(source)), path_(std::move(path)), value_(std::move(value)) {}

JsonNode JsonNode::parseText(std::string_view text, const std::string& sourceName) {
  auto source = std::make_shared<const std::string>(sourceName);
  Poco::JSON::Parser parser;
  try {
    return JsonNode(source, "", parser.parse(std::string(text)));
  } catch (const Poco::Exception& error) {
    throw DocumentError(sourceName + ": invalid JSON: " + error.displayText());
  }
}

JsonNode JsonNode::parseFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DocumentError(path + ": cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  return parseText(text.str(), path);
}

void JsonNode::fail(const std::string& what) const {
  throw DocumentError(*source_ + ": " + (path_.empty() ? std::string("(document root)") : path_) + ": " + what);
}

std::string JsonNode::childPath(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

bool JsonNode::isObject() const { return value_.type() == typeid(Poco::JSON::Object::Ptr); }
bool JsonNode::isArray() const { return value_.type() == typeid(Poco::JSON::Array::Ptr); }

Poco::JSON::Object::Ptr JsonNode::object() const {
  if (!isObject()) fail("expected an object, got " + describeValue(value_));
  return value_.extract<Poco::JSON::Object::Ptr>();
}

bool JsonNode::has(const std::string& key) const { return isObject() && object()->has(key); }

JsonNode JsonNode::field(const std::string& key) const {
  auto obj = object();
  if (!obj->has(key)) fail("missing required key '" + key + "'");
  return JsonNode(source_, childPath(key), obj->get(key));
}

std::optional<JsonNode> JsonNode::optionalField(const std::string& key) const {
  auto obj = object();
  if (!obj->has(key) || obj->isNull(key)) return std::nullopt;
  return JsonNode(source_, childPath(key), obj->get(key));
}

std::vector<std::string> JsonNode::keys() const {
  std::vector<std::string> names;
  object()->getNames(names);
  return names;
}

std::string JsonNode::asString() const {
  if (!value_.isString()) fail("expected a string, got " + describeValue(value_));
  return value_.extract<std::string>();
}

std::int64_t JsonNode::asInt(std::int64_t min, std::int64_t max) const {
  if (!value_.isInteger()) {
    // Poco parses 3.0 as a double; accept whole numbers written that way.
    if (value_.isNumeric() && !value_.isString()) {
      double d = value_.convert<double>();
      if (std::floor(d) != d) fail("expected an integer, got " + describeValue(value_));
    } else {
      fail("expected an integer, got " + describeValue(value_));
    }
  }
  std::int64_t v = value_.convert<std::int64_t>();
  if (v < min || v > max) {
    fail("must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + std::to_string(v));
  }
  return v;
}

double JsonNode::asNumber(double min, double max) const {
  if (!value_.isNumeric() || value_.isString() || value_.isBoolean()) {
    fail("expected a number, got " + describeValue(value_));
  }
  double v = value_.convert<double>();
  if (!(v >= min && v <= max)) {
    std::ostringstream msg;
    msg << "must be between " << min << " and " << max << ", got " << v;
    fail(msg.str());
  }
  return v;
}

bool JsonNode::asBool() const {
  if (!value_.isBoolean()) fail("expected true or false, got " + describeValue(value_));
  return value_.extract<bool>();
}

std::vector<JsonNode> JsonNode::asArray() const {
  if (!isArray()) fail("expected an array, got " + describeValue(value_));
  auto array = value_.extract<Poco::JSON::Array::Ptr>();
  std::vector<JsonNode> items;
  items.reserve(array->size());
  for (std::size_t i = 0; i < array->size(); ++i) {
    items.push_back(JsonNode(source_, path_ + "[" + std::to_string(i) + "]", array->get(static_cast<unsigned>(i))));
  }
  return items;
}

std::string JsonNode::asEnum(std::initializer_list<std::string_view> allowed) const {
  std::string value = asString();
  std::string list;
  for (auto option : allowed) {
    if (option == value) return value;
    if (!list.empty()) list += ", ";
    list += option;
  }
  fail("unknown value \"" + value + "\" (expected one of: " + list + ")");
}

std::string JsonNode::stringOr(const std::string& key, const std::string& fallback) const {
  auto child = optionalField(key);
  return child ? child->asString() : fallback;
}

std::int64_t JsonNode::intOr(const std::string& key, std::int64_t fallback, std::int64_t min, std::int64_t max) const {
  auto child = optionalField(key);
  return child ? child->asInt(min, max) : fallback;
}

double JsonNode::numberOr(const std::string& key, double fallback, double min, double max) const {
  auto child = optionalField(key);
  return child ? child->asNumber(min, max) : fallback;
}

bool JsonNode::boolOr(const std::string& key, bool fallback) const {
  auto child = optionalField(key);
  return child ? child->asBool() : fallback;
}

void JsonNode::rejectUnknownKeys(std::initializer_list<std::string_view> known) const {
  for (const auto& key : keys()) {
    bool found = false;
    for (auto k : known) found = found || k == key;
    if (found) continue;
    std::string list;
    for (auto k : known) {
      if (!list.empty()) list += ", ";
      list += k;
    }
    fail("unknown key '" + key + "' (known: " + list + ")");
  }
}

}  // namespace nser::schemas
