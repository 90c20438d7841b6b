#include "schemas/openapi_document.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/RegularExpression.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>

namespace nser::schemas {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

struct OpenApiDocument::File {
  std::string path;       // normalised
  std::string name;       // file name, for messages
  std::filesystem::path directory;
  Var root;
};

namespace {

bool isObject(const Var& v) { return v.type() == typeid(Object::Ptr); }
bool isArray(const Var& v) { return v.type() == typeid(Array::Ptr); }
Object::Ptr asObject(const Var& v) { return v.extract<Object::Ptr>(); }
Array::Ptr asArray(const Var& v) { return v.extract<Array::Ptr>(); }

std::string jsonType(const Var& v) {
  if (v.isEmpty()) return "null";
  if (isObject(v)) return "object";
  if (isArray(v)) return "array";
  if (v.isString()) return "string";
  if (v.isBoolean()) return "boolean";
  if (v.isInteger()) return "integer";
  if (v.isNumeric()) {
    const double d = v.convert<double>();
    return std::isfinite(d) && d == std::floor(d) ? "integer" : "number";
  }
  return "unknown";
}

std::string shortText(const Var& v) {
  std::ostringstream out;
  if (v.isEmpty()) {
    out << "null";
  } else {
    Poco::JSON::Stringifier::stringify(v, out);
  }
  std::string text = out.str();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

bool jsonEqual(const Var& a, const Var& b) {
  const std::string ta = jsonType(a);
  const std::string tb = jsonType(b);
  const bool numericA = ta == "integer" || ta == "number";
  const bool numericB = tb == "integer" || tb == "number";
  if (numericA && numericB) return a.convert<double>() == b.convert<double>();
  if (ta != tb) return false;
  if (ta == "null") return true;
  if (ta == "string") return a.extract<std::string>() == b.extract<std::string>();
  if (ta == "boolean") return a.convert<bool>() == b.convert<bool>();
  if (ta == "array") {
    const auto x = asArray(a);
    const auto y = asArray(b);
    if (x->size() != y->size()) return false;
    for (unsigned i = 0; i < x->size(); ++i) {
      if (!jsonEqual(x->get(i), y->get(i))) return false;
    }
    return true;
  }
  if (ta == "object") {
    const auto x = asObject(a);
    const auto y = asObject(b);
    if (x->size() != y->size()) return false;
    for (const auto& [key, value] : *x) {
      if (!y->has(key) || !jsonEqual(value, y->get(key))) return false;
    }
    return true;
  }
  return false;
}

std::size_t codePoints(const std::string& text) {
  std::size_t n = 0;
  for (const unsigned char c : text) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::string childPath(const std::string& path, const std::string& key) {
  bool plain = !key.empty() && (std::isalpha(static_cast<unsigned char>(key[0])) != 0 || key[0] == '_');
  for (const char c : key) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_');
  return plain ? path + "." + key : path + "[\"" + key + "\"]";
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// "application/json; charset=utf-8" -> "application/json".
std::string mediaType(const std::string& contentType) {
  std::string type = contentType.substr(0, contentType.find(';'));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back())) != 0) type.pop_back();
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front())) != 0) type.erase(type.begin());
  return lower(type);
}

bool isJsonMedia(const std::string& type) {
  return type == "application/json" || (type.size() > 5 && type.compare(type.size() - 5, 5, "+json") == 0);
}

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

const std::set<std::string>& validationKeywords() {
  static const std::set<std::string> keywords = {
      "type",      "properties", "required", "additionalProperties", "items",    "enum",     "const",
      "minimum",   "maximum",    "minLength", "maxLength",           "pattern",  "minItems", "maxItems",
      "uniqueItems", "oneOf",    "anyOf",    "allOf",                "$ref",     "dependentRequired"};
  return keywords;
}

const std::set<std::string>& annotationKeywords() {
  static const std::set<std::string> keywords = {
      "description", "title",    "format",   "examples", "example", "default", "contentEncoding",
      "contentMediaType", "deprecated", "readOnly", "writeOnly", "$schema", "$id", "$defs", "$comment"};
  return keywords;
}

const std::set<std::string>& httpMethods() {
  static const std::set<std::string> methods = {"get", "put", "post", "delete", "patch", "head", "options"};
  return methods;
}

// Any JSON value (POCO's parser takes only objects and arrays at the top).
Var parseAnyJson(const std::string& text) {
  Poco::JSON::Parser parser;
  const Var wrapped = parser.parse("[" + text + "\n]");
  const auto array = asArray(wrapped);
  if (array->size() != 1) throw Poco::DataFormatException("expected exactly one JSON value");
  return array->get(0);
}

// JSON pointer segment unescaping (~1 -> /, ~0 -> ~).
std::string unescapePointer(const std::string& token) {
  std::string out;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size()) {
      out += token[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

}  // namespace

// Validates one instance against one schema, collecting messages.
class OpenApiDocument::Checker {
 public:
  explicit Checker(const OpenApiDocument& document) : document_(document) {}

  void validate(const File& file, const Var& schema, const Var& value, const std::string& path,
                std::vector<std::string>& errors, int depth = 0) const {
    if (depth > 64) {
      errors.push_back(path + ": $ref: schema recursion deeper than 64 levels");
      return;
    }
    if (schema.isBoolean()) {
      if (!schema.convert<bool>()) errors.push_back(path + ": false: no value is allowed here");
      return;
    }
    const auto s = asObject(schema);
    const std::string type = jsonType(value);
    if (s->has("$ref")) {
      const auto target = document_.resolve(file, s->getValue<std::string>("$ref"), path);
      validate(*target.file, target.schema, value, path, errors, depth + 1);
    }
    if (s->has("type")) {
      std::vector<std::string> allowed;
      const Var t = s->get("type");
      if (isArray(t)) {
        for (const auto& name : *asArray(t)) allowed.push_back(name.extract<std::string>());
      } else {
        allowed.push_back(t.extract<std::string>());
      }
      const bool ok = std::any_of(allowed.begin(), allowed.end(), [&](const std::string& name) {
        return name == type || (name == "number" && type == "integer");
      });
      if (!ok) {
        std::string names;
        for (const auto& name : allowed) names += (names.empty() ? "" : " or ") + name;
        errors.push_back(path + ": type: expected " + names + ", got " + type + " " + shortText(value));
        return;  // the other keywords would only repeat the mismatch
      }
    }
    if (s->has("enum")) {
      const auto options = asArray(s->get("enum"));
      const bool found = std::any_of(options->begin(), options->end(), [&](const Var& o) { return jsonEqual(o, value); });
      if (!found) {
        std::string names;
        for (const auto& o : *options) names += (names.empty() ? "" : ", ") + shortText(o);
        errors.push_back(path + ": enum: " + shortText(value) + " is not one of " + names);
      }
    }
    if (s->has("const") && !jsonEqual(s->get("const"), value)) {
      errors.push_back(path + ": const: expected " + shortText(s->get("const")) + ", got " + shortText(value));
    }
    if (type == "integer" || type == "number") {
      const double number = value.convert<double>();
      if (s->has("minimum") && number < s->get("minimum").convert<double>()) {
        errors.push_back(path + ": minimum: " + shortText(value) + " is below " + shortText(s->get("minimum")));
      }
      if (s->has("maximum") && number > s->get("maximum").convert<double>()) {
        errors.push_back(path + ": maximum: " + shortText(value) + " is above " + shortText(s->get("maximum")));
      }
    }
    if (type == "string") {
      const std::string text = value.extract<std::string>();
      const std::size_t length = codePoints(text);
      if (s->has("minLength") && length < s->get("minLength").convert<std::size_t>()) {
        errors.push_back(path + ": minLength: " + std::to_string(length) + " characters, at least " +
                         shortText(s->get("minLength")) + " required");
      }
      if (s->has("maxLength") && length > s->get("maxLength").convert<std::size_t>()) {
        errors.push_back(path + ": maxLength: " + std::to_string(length) + " characters, at most " +
                         shortText(s->get("maxLength")) + " allowed");
      }
      if (s->has("pattern")) {
        const std::string pattern = s->getValue<std::string>("pattern");
        Poco::RegularExpression::Match found;
        if (Poco::RegularExpression(pattern, Poco::RegularExpression::RE_UTF8).match(text, found) == 0) {
          errors.push_back(path + ": pattern: " + shortText(value) + " does not match " + pattern);
        }
      }
    }
    if (type == "array") {
      const auto items = asArray(value);
      if (s->has("minItems") && items->size() < s->get("minItems").convert<std::size_t>()) {
        errors.push_back(path + ": minItems: " + std::to_string(items->size()) + " items, at least " +
                         shortText(s->get("minItems")) + " required");
      }
      if (s->has("maxItems") && items->size() > s->get("maxItems").convert<std::size_t>()) {
        errors.push_back(path + ": maxItems: " + std::to_string(items->size()) + " items, at most " +
                         shortText(s->get("maxItems")) + " allowed");
      }
      if (s->has("uniqueItems") && s->get("uniqueItems").convert<bool>()) {
        for (unsigned i = 0; i < items->size(); ++i) {
          for (unsigned j = i + 1; j < items->size(); ++j) {
            if (jsonEqual(items->get(i), items->get(j))) {
              errors.push_back(path + ": uniqueItems: items " + std::to_string(i) + " and " + std::to_string(j) +
                               " are equal");
            }
          }
        }
      }
      if (s->has("items")) {
        for (unsigned i = 0; i < items->size(); ++i) {
          validate(file, s->get("items"), items->get(i), path + "[" + std::to_string(i) + "]", errors, depth + 1);
        }
      }
    }
    if (type == "object") {
      const auto object = asObject(value);
      if (s->has("required")) {
        for (const auto& name : *asArray(s->get("required"))) {
          if (!object->has(name.extract<std::string>())) {
            errors.push_back(path + ": required: member '" + name.extract<std::string>() + "' is missing");
          }
        }
      }
      if (s->has("dependentRequired")) {
        for (const auto& [name, needed] : *asObject(s->get("dependentRequired"))) {
          if (!object->has(name)) continue;
          for (const auto& other : *asArray(needed)) {
            if (!object->has(other.extract<std::string>())) {
              errors.push_back(path + ": dependentRequired: member '" + other.extract<std::string>() +
                               "' is required with '" + name + "'");
            }
          }
        }
      }
      const Object::Ptr properties = s->has("properties") ? asObject(s->get("properties")) : Object::Ptr();
      for (const auto& [key, member] : *object) {
        if (properties && properties->has(key)) {
          validate(file, properties->get(key), member, childPath(path, key), errors, depth + 1);
        } else if (s->has("additionalProperties")) {
          const Var extra = s->get("additionalProperties");
          if (extra.isBoolean() && !extra.convert<bool>()) {
            errors.push_back(childPath(path, key) + ": additionalProperties: member '" + key + "' is not allowed");
          } else if (!extra.isBoolean()) {
            validate(file, extra, member, childPath(path, key), errors, depth + 1);
          }
        }
      }
    }
    if (s->has("allOf")) {
      for (const auto& sub : *asArray(s->get("allOf"))) validate(file, sub, value, path, errors, depth + 1);
    }
    for (const char* keyword : {"anyOf", "oneOf"}) {
      if (!s->has(keyword)) continue;
      std::size_t matched = 0;
      std::string firstProblem;
      std::size_t index = 0;
      for (const auto& sub : *asArray(s->get(keyword))) {
        std::vector<std::string> trial;
        validate(file, sub, value, path, trial, depth + 1);
        if (trial.empty()) {
          ++matched;
        } else if (firstProblem.empty()) {
          firstProblem = "alternative " + std::to_string(index) + ": " + trial.front();
        }
        ++index;
      }
      const std::string name = keyword;
      if (matched == 0) {
        errors.push_back(path + ": " + name + ": matches none of the " + std::to_string(index) + " alternatives (" +
                         firstProblem + ")");
      } else if (name == "oneOf" && matched > 1) {
        errors.push_back(path + ": oneOf: matches " + std::to_string(matched) + " alternatives, exactly one expected");
      }
    }
  }

 private:
  const OpenApiDocument& document_;
};

const OpenApiDocument::File& OpenApiDocument::load(const std::string& path) {
  const std::string key = std::filesystem::path(path).lexically_normal().string();
  if (const auto it = files_.find(key); it != files_.end()) return *it->second;
  auto file = std::make_shared<File>();
  file->path = key;
  file->name = std::filesystem::path(key).filename().string();
  file->directory = std::filesystem::path(key).parent_path();
  file->root = JsonNode::parseFile(key).raw();
  files_[key] = file;
  // Load every file this one refers to, so resolving is a lookup later.
  std::function<void(const Var&)> walk = [&](const Var& node) {
    if (isObject(node)) {
      const auto object = asObject(node);
      for (const auto& [name, member] : *object) {
        if (name == "$ref" && member.isString()) {
          const std::string ref = member.extract<std::string>();
          const std::string target = ref.substr(0, ref.find('#'));
          if (!target.empty()) {
            const std::string targetPath = (file->directory / target).lexically_normal().string();
            if (ref.find('#') == std::string::npos) wholeFileSchemas_.insert(targetPath);
            load(targetPath);
          }
        } else {
          walk(member);
        }
      }
    } else if (isArray(node)) {
      for (const auto& item : *asArray(node)) walk(item);
    }
  };
  walk(file->root);
  return *file;
}

OpenApiDocument::Location OpenApiDocument::resolve(const File& from, const std::string& ref,
                                                   const std::string& where) const {
  const auto hash = ref.find('#');
  const std::string target = ref.substr(0, hash);
  const std::string pointer = hash == std::string::npos ? "" : ref.substr(hash + 1);
  const File* file = &from;
  if (!target.empty()) {
    const auto it = files_.find((from.directory / target).lexically_normal().string());
    if (it == files_.end()) throw DocumentError(from.path + ": " + where + ": $ref '" + ref + "': file not loaded");
    file = it->second.get();
  }
  Var node = file->root;
  if (!pointer.empty()) {
    if (pointer[0] != '/') throw DocumentError(from.path + ": " + where + ": $ref '" + ref + "': not a JSON pointer");
    std::size_t start = 1;
    while (true) {
      const auto slash = pointer.find('/', start);
      const std::string token =
          unescapePointer(pointer.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
      if (isObject(node) && asObject(node)->has(token)) {
        node = asObject(node)->get(token);
      } else if (isArray(node) && !token.empty() &&
                 std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                 std::stoul(token) < asArray(node)->size()) {
        node = asArray(node)->get(static_cast<unsigned>(std::stoul(token)));
      } else {
        throw DocumentError(from.path + ": " + where + ": $ref '" + ref + "' does not resolve ('" + token +
                            "' not found)");
      }
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
  }
  return {file, node, file->name + "#" + pointer};
}

void OpenApiDocument::checkSchema(const File& file, const Var& schema, const std::string& where) const {
  const auto fail = [&](const std::string& what) { throw DocumentError(file.path + ": " + where + ": " + what); };
  if (schema.isBoolean()) return;
  if (!isObject(schema)) fail("a schema must be an object or a boolean");
  const auto s = asObject(schema);
  for (const auto& [key, value] : *s) {
    const std::string at = where + "." + key;
    if (key.rfind("x-", 0) == 0 || annotationKeywords().count(key) != 0) {
      if (key == "$defs") {
        if (!isObject(value)) fail("$defs must be an object");
        for (const auto& [name, def] : *asObject(value)) checkSchema(file, def, at + "." + name);
      }
      continue;
    }
    if (validationKeywords().count(key) == 0) fail("unsupported JSON Schema keyword '" + key + "'");
    if (key == "$ref") {
      if (!value.isString()) fail("$ref must be a string");
      const auto target = resolve(file, value.extract<std::string>(), where);
      if (!isObject(target.schema) && !target.schema.isBoolean()) {
        fail("$ref '" + value.extract<std::string>() + "' does not name a schema");
      }
      // Schemas behind a fragment are checked where they are defined
      // (components, $defs); whole files once, after loading (loadFile).
    } else if (key == "type") {
      static const std::set<std::string> names = {"null", "boolean", "object", "array", "number", "string", "integer"};
      std::vector<Var> listed;
      if (isArray(value)) {
        for (const auto& v : *asArray(value)) listed.push_back(v);
      } else {
        listed.push_back(value);
      }
      if (listed.empty()) fail("type must name at least one type");
      for (const auto& v : listed) {
        if (!v.isString() || names.count(v.extract<std::string>()) == 0) fail("type: unknown type " + shortText(v));
      }
    } else if (key == "properties") {
      if (!isObject(value)) fail("properties must be an object");
      for (const auto& [name, sub] : *asObject(value)) checkSchema(file, sub, at + "." + name);
    } else if (key == "dependentRequired") {
      if (!isObject(value)) fail("dependentRequired must map names to arrays of names");
      for (const auto& [name, needed] : *asObject(value)) {
        if (!isArray(needed)) fail("dependentRequired." + name + " must be an array of names");
        for (const auto& v : *asArray(needed)) {
          if (!v.isString()) fail("dependentRequired." + name + " must be an array of names");
        }
      }
    } else if (key == "required") {
      if (!isArray(value)) fail("required must be an array of names");
      for (const auto& v : *asArray(value)) {
        if (!v.isString()) fail("required must be an array of names");
      }
    } else if (key == "additionalProperties" || key == "items") {
      checkSchema(file, value, at);
    } else if (key == "enum") {
      if (!isArray(value) || asArray(value)->size() == 0) fail("enum must be a non-empty array");
    } else if (key == "minimum" || key == "maximum") {
      const std::string t = jsonType(value);
      if (t != "integer" && t != "number") fail(key + " must be a number");
    } else if (key == "minLength" || key == "maxLength" || key == "minItems" || key == "maxItems") {
      if (jsonType(value) != "integer" || value.convert<double>() < 0) fail(key + " must be a non-negative integer");
    } else if (key == "uniqueItems") {
      if (!value.isBoolean()) fail("uniqueItems must be a boolean");
    } else if (key == "pattern") {
      if (!value.isString()) fail("pattern must be a string");
      try {
        Poco::RegularExpression compiled(value.extract<std::string>(), Poco::RegularExpression::RE_UTF8);
      } catch (const Poco::RegularExpressionException& e) {
        fail("pattern is not a valid regular expression: " + e.displayText());
      }
    } else if (key == "oneOf" || key == "anyOf" || key == "allOf") {
      if (!isArray(value) || asArray(value)->size() == 0) fail(key + " must be a non-empty array of schemas");
      unsigned index = 0;
      for (const auto& sub : *asArray(value)) checkSchema(file, sub, at + "[" + std::to_string(index++) + "]");
    }
  }
}

void OpenApiDocument::checkContent(const File& file, const Var& content, const std::string& where) const {
  if (!isObject(content)) throw DocumentError(file.path + ": " + where + ": content must be an object");
  for (const auto& [type, media] : *asObject(content)) {
    if (!isObject(media)) throw DocumentError(file.path + ": " + where + "." + type + ": must be an object");
    if (asObject(media)->has("schema")) checkSchema(file, asObject(media)->get("schema"), where + "." + type + ".schema");
  }
}

OpenApiDocument OpenApiDocument::loadFile(const std::string& path) {
  OpenApiDocument document;
  document.source_ = path;
  const File& root = document.load(path);
  document.root_ = &root;
  const auto fail = [&](const std::string& where, const std::string& what) {
    throw DocumentError(root.path + ": " + where + ": " + what);
  };
  if (!isObject(root.root)) fail("(document root)", "an OpenAPI document must be an object");
  const auto top = asObject(root.root);
  if (!top->has("openapi") || !top->get("openapi").isString() ||
      top->getValue<std::string>("openapi").rfind("3.1", 0) != 0) {
    fail("openapi", "expected an OpenAPI 3.1 version string");
  }
  if (!top->has("paths") || !isObject(top->get("paths"))) fail("paths", "expected an object");
  for (const auto& schemaFile : document.wholeFileSchemas_) {
    const File& file = *document.files_.at(schemaFile);
    document.checkSchema(file, file.root, "(root)");
  }
  if (top->has("components") && isObject(top->get("components"))) {
    const auto components = asObject(top->get("components"));
    if (components->has("schemas")) {
      for (const auto& [name, schema] : *asObject(components->get("schemas"))) {
        document.checkSchema(root, schema, "components.schemas." + name);
      }
    }
    if (components->has("responses")) {
      for (const auto& [name, response] : *asObject(components->get("responses"))) {
        if (isObject(response) && asObject(response)->has("content")) {
          document.checkContent(root, asObject(response)->get("content"), "components.responses." + name + ".content");
        }
      }
    }
  }
  for (const auto& [pathTemplate, item] : *asObject(top->get("paths"))) {
    const std::string at = "paths." + pathTemplate;
    if (pathTemplate.empty() || pathTemplate[0] != '/') fail(at, "a path template starts with '/'");
    if (!isObject(item)) fail(at, "expected an object");
    for (const auto& [methodName, operation] : *asObject(item)) {
      if (httpMethods().count(methodName) == 0) continue;  // parameters, summary, ...
      const std::string op = at + "." + methodName;
      if (!isObject(operation)) fail(op, "expected an object");
      const auto o = asObject(operation);
      Operation entry;
      entry.method = methodName;
      std::transform(entry.method.begin(), entry.method.end(), entry.method.begin(),
                     [](unsigned char c) { return std::toupper(c); });
      entry.pathTemplate = pathTemplate;
      if (!o->has("responses") || !isObject(o->get("responses"))) fail(op + ".responses", "expected an object");
      for (const auto& [code, response] : *asObject(o->get("responses"))) {
        if (code.size() != 3 || !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
          fail(op + ".responses." + code, "response keys are exact status codes");
        }
        entry.statuses.push_back(std::stoi(code));
        Var resolved = response;
        if (isObject(response) && asObject(response)->has("$ref")) {
          resolved = document.resolve(root, asObject(response)->getValue<std::string>("$ref"), op).schema;
        }
        if (!isObject(resolved)) fail(op + ".responses." + code, "expected a response object");
        if (asObject(resolved)->has("content")) {
          document.checkContent(root, asObject(resolved)->get("content"), op + ".responses." + code + ".content");
        }
      }
      std::sort(entry.statuses.begin(), entry.statuses.end());
      if (o->has("requestBody")) {
        const Var body = o->get("requestBody");
        if (!isObject(body) || !asObject(body)->has("content")) fail(op + ".requestBody", "expected content");
        document.checkContent(root, asObject(body)->get("content"), op + ".requestBody.content");
      }
      if (o->has("x-nser-roles")) {
        if (!isArray(o->get("x-nser-roles"))) fail(op + ".x-nser-roles", "expected an array of role names");
        std::vector<std::string> roles;
        for (const auto& role : *asArray(o->get("x-nser-roles"))) {
          if (!role.isString()) fail(op + ".x-nser-roles", "expected an array of role names");
          roles.push_back(role.extract<std::string>());
        }
        entry.roles = roles;
      }
      document.operations_.push_back(std::move(entry));
    }
  }
  return document;
}

std::vector<std::string> OpenApiDocument::referencedFiles() const {
  std::vector<std::string> out;
  for (const auto& [path, file] : files_) {
    if (file.get() != root_) out.push_back(path);
  }
  return out;
}

const OpenApiDocument::Operation* OpenApiDocument::findOperation(const std::string& method,
                                                                 const std::string& path) const {
  const auto concrete = segments(path.substr(0, path.find('?')));
  const Operation* best = nullptr;
  std::size_t bestLiterals = 0;
  for (const auto& operation : operations_) {
    if (operation.method != method) continue;
    const auto pattern = segments(operation.pathTemplate);
    if (pattern.size() != concrete.size()) continue;
    std::size_t literals = 0;
    bool match = true;
    for (std::size_t i = 0; i < pattern.size() && match; ++i) {
      const bool parameter = pattern[i].size() > 2 && pattern[i].front() == '{' && pattern[i].back() == '}';
      if (parameter) {
        match = !concrete[i].empty();
      } else {
        match = pattern[i] == concrete[i];
        ++literals;
      }
    }
    if (match && (best == nullptr || literals > bestLiterals)) {
      best = &operation;
      bestLiterals = literals;
    }
  }
  return best;
}

std::vector<std::string> OpenApiDocument::validateContent(const Var& content, const std::string& what,
                                                          const std::string& contentType,
                                                          const std::string& body) const {
  std::vector<std::string> errors;
  if (content.isEmpty()) {
    if (!body.empty()) errors.push_back(what + ": a body of " + std::to_string(body.size()) + " bytes, none documented");
    return errors;
  }
  const std::string type = mediaType(contentType);
  const auto media = asObject(content);
  if (!media->has(type)) {
    std::string known;
    for (const auto& [name, unused] : *media) known += (known.empty() ? "" : ", ") + name;
    errors.push_back(what + ": content type '" + contentType + "' is not documented (documented: " + known + ")");
    return errors;
  }
  const Var entry = media->get(type);
  if (!isJsonMedia(type) || !asObject(entry)->has("schema")) return errors;
  Var instance;
  try {
    instance = parseAnyJson(body);
  } catch (const Poco::Exception& e) {
    errors.push_back(what + ": the body is not JSON: " + e.displayText());
    return errors;
  }
  Checker(*this).validate(*root_, asObject(entry)->get("schema"), instance, "$", errors);
  for (auto& error : errors) error = what + ": " + error;
  return errors;
}

std::vector<std::string> OpenApiDocument::validateResponse(const std::string& method, const std::string& path,
                                                           int status, const std::string& contentType,
                                                           const std::string& body) const {
  const Operation* operation = findOperation(method, path);
  if (operation == nullptr) return {method + " " + path + ": no documented operation matches"};
  const std::string what = method + " " + operation->pathTemplate + " " + std::to_string(status);
  const auto responses = asObject(asObject(asObject(asObject(root_->root)->get("paths"))->get(operation->pathTemplate))
                                      ->get(lower(method)))
                             ->getObject("responses");
  const std::string code = std::to_string(status);
  if (!responses->has(code)) {
    std::string documented;
    for (const int s : operation->statuses) documented += (documented.empty() ? "" : ", ") + std::to_string(s);
    return {what + ": status " + code + " is not documented (documented: " + documented + ")"};
  }
  Var response = responses->get(code);
  if (asObject(response)->has("$ref")) response = resolve(*root_, asObject(response)->getValue<std::string>("$ref"), what).schema;
  const Var content = asObject(response)->has("content") ? asObject(response)->get("content") : Var();
  return validateContent(content, what, contentType, body);
}

std::vector<std::string> OpenApiDocument::validateRequest(const std::string& method, const std::string& path,
                                                          const std::string& contentType,
                                                          const std::string& body) const {
  const Operation* operation = findOperation(method, path);
  if (operation == nullptr) return {method + " " + path + ": no documented operation matches"};
  const std::string what = method + " " + operation->pathTemplate + " request";
  const auto o = asObject(asObject(asObject(asObject(root_->root)->get("paths"))->get(operation->pathTemplate))
                              ->get(lower(method)));
  const Var content = o->has("requestBody") ? asObject(o->get("requestBody"))->get("content") : Var();
  return validateContent(content, what, contentType, body);
}

std::vector<std::string> OpenApiDocument::validateJson(const std::string& schemaRef, const std::string& json) const {
  const Location target = resolve(*root_, schemaRef, "validateJson");
  Var instance;
  try {
    instance = parseAnyJson(json);
  } catch (const Poco::Exception& e) {
    return {"$: the text is not JSON: " + e.displayText()};
  }
  std::vector<std::string> errors;
  Checker(*this).validate(*target.file, target.schema, instance, "$", errors);
  return errors;
}

}  // namespace nser::schemas
