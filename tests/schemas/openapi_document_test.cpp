// OpenApiDocument: each JSON Schema rule of the subset accepts what it
// should and rejects the rest with a message naming the path and the rule;
// operations are matched by method and path template; undocumented
// operations, statuses and content types are errors; the project's three
// OpenAPI documents load, every $ref in them resolves, and every route the
// hub registers (parsed from its sources) is documented with its roles.
#include "schemas/openapi_document.h"

#include <Poco/RegularExpression.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tests/support/temp_dir.h"

using nser::schemas::DocumentError;
using nser::schemas::OpenApiDocument;

namespace {

const std::string kSource = NSER_SOURCE_DIR;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A document whose components.schemas.T is `schema`, plus a GET /things/{id}
// answering 200 with T and 404 with an error, and a sibling schema file.
class SchemaRules : public ::testing::Test {
 protected:
  OpenApiDocument withSchema(const std::string& schema) {
    std::filesystem::create_directories(dir_ / "api");
    nser::testing::writeFile(dir_ / "sibling.schema.json",
                             R"({"$defs": {"code": {"type": "string", "pattern": "^[a-z]+$"}},
                                 "type": "object", "required": ["code"],
                                 "properties": {"code": {"$ref": "#/$defs/code"}}})");
    nser::testing::writeFile(dir_ / "api" / "test.openapi.json", R"({
      "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
      "paths": {
        "/things/{id}": {"get": {"x-nser-roles": ["admin"], "responses": {
          "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/T"}}}},
          "404": {"$ref": "#/components/responses/Missing"}}}},
        "/things/special": {"get": {"responses": {"204": {"description": "nothing"}}}},
        "/things": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["name"]}}}},
                             "responses": {"201": {"description": "made", "content": {"text/plain": {"schema": {"type": "string"}}}}}}}
      },
      "components": {
        "schemas": {"T": )" + schema + R"(, "Sib": {"$ref": "../sibling.schema.json"}},
        "responses": {"Missing": {"description": "missing", "content": {"application/json": {"schema": {"type": "object", "required": ["error"]}}}}}
      }})");
    return OpenApiDocument::loadFile((dir_ / "api" / "test.openapi.json").string());
  }
  // Errors of validating `json` against T.
  std::vector<std::string> check(const std::string& schema, const std::string& json) {
    return withSchema(schema).validateJson("#/components/schemas/T", json);
  }
  static std::string joined(const std::vector<std::string>& errors) {
    std::string out;
    for (const auto& e : errors) out += e + "\n";
    return out;
  }
  void expectError(const std::string& schema, const std::string& json, const std::string& fragment) {
    const auto errors = check(schema, json);
    ASSERT_FALSE(errors.empty()) << schema << " accepted " << json;
    EXPECT_NE(joined(errors).find(fragment), std::string::npos) << joined(errors);
  }
  void expectOk(const std::string& schema, const std::string& json) {
    const auto errors = check(schema, json);
    EXPECT_TRUE(errors.empty()) << schema << " rejected " << json << ": " << joined(errors);
  }

  nser::testing::TempDir dir_{"nser-openapi-test"};
};

}  // namespace

TEST_F(SchemaRules, Type) {
  expectOk(R"({"type": "string"})", R"("x")");
  expectError(R"({"type": "string"})", "3", "$: type: expected string, got integer");
  expectOk(R"({"type": "integer"})", "3");
  expectOk(R"({"type": "integer"})", "3.0");
  expectError(R"({"type": "integer"})", "3.5", "type: expected integer, got number");
  expectOk(R"({"type": "number"})", "3");
  expectError(R"({"type": "boolean"})", "null", "expected boolean, got null");
  expectOk(R"({"type": ["string", "null"]})", "null");
  expectError(R"({"type": ["string", "null"]})", "[]", "expected string or null, got array");
  expectOk(R"({"type": "object"})", "{}");
  expectError(R"({"type": "array"})", "{}", "expected array, got object");
}

TEST_F(SchemaRules, PropertiesRequiredAndAdditionalProperties) {
  const std::string schema = R"({"type": "object", "required": ["id"], "additionalProperties": false,
                                 "properties": {"id": {"type": "string"}, "n": {"type": "integer"}}})";
  expectOk(schema, R"({"id": "a", "n": 2})");
  expectError(schema, R"({"n": 2})", "$: required: member 'id' is missing");
  expectError(schema, R"({"id": 1})", "$.id: type: expected string");
  expectError(schema, R"({"id": "a", "extra": true})", "$.extra: additionalProperties: member 'extra' is not allowed");
  const std::string typedExtras = R"({"type": "object", "additionalProperties": {"type": "integer"}})";
  expectOk(typedExtras, R"({"a": 1, "b": 2})");
  expectError(typedExtras, R"({"a": 1, "b c": "x"})", R"($["b c"]: type: expected integer)");
  expectOk(R"({"type": "object", "properties": {"id": {"type": "string"}}})", R"({"other": 1})");
  const std::string pairs = R"({"dependentRequired": {"custodian": ["reference"]}})";
  expectOk(pairs, R"({"custodian": "c", "reference": "r"})");
  expectOk(pairs, R"({"reference": "r"})");
  expectError(pairs, R"({"custodian": "c"})", "$: dependentRequired: member 'reference' is required with 'custodian'");
}

TEST_F(SchemaRules, ItemsAndArrayBounds) {
  const std::string schema = R"({"type": "array", "items": {"type": "integer", "minimum": 0},
                                 "minItems": 1, "maxItems": 3, "uniqueItems": true})";
  expectOk(schema, "[0, 1, 2]");
  expectError(schema, "[0, -1]", "$[1]: minimum: -1 is below 0");
  expectError(schema, "[]", "$: minItems: 0 items, at least 1 required");
  expectError(schema, "[1, 2, 3, 4]", "maxItems: 4 items, at most 3 allowed");
  expectError(schema, "[1, 2, 1]", "uniqueItems: items 0 and 2 are equal");
}

TEST_F(SchemaRules, EnumAndConst) {
  expectOk(R"({"enum": ["a", 1, null]})", "1.0");
  expectOk(R"({"enum": ["a", 1, null]})", "null");
  expectError(R"({"enum": ["a", "b"]})", R"("c")", R"(enum: "c" is not one of "a", "b")");
  expectOk(R"({"const": {"k": [1, 2]}})", R"({"k": [1, 2]})");
  expectError(R"({"const": {"k": [1, 2]}})", R"({"k": [2, 1]})", "const: expected");
}

TEST_F(SchemaRules, NumberAndStringBounds) {
  expectOk(R"({"minimum": 1, "maximum": 2.5})", "2.5");
  expectError(R"({"minimum": 1, "maximum": 2.5})", "0", "minimum: 0 is below 1");
  expectError(R"({"minimum": 1, "maximum": 2.5})", "3", "maximum: 3 is above 2.5");
  expectOk(R"({"minLength": 2, "maxLength": 3})", "\"\xc3\xa9t\xc3\xa9\"");  // 3 code points, 5 bytes
  expectError(R"({"minLength": 2})", R"("a")", "minLength: 1 characters, at least 2 required");
  expectError(R"({"maxLength": 2})", R"("abc")", "maxLength: 3 characters, at most 2 allowed");
  expectOk(R"({"pattern": "^[0-9a-f]{4}$"})", R"("09af")");
  expectOk(R"({"pattern": "b"})", R"("abc")");  // searched, not anchored
  expectError(R"({"pattern": "^[0-9a-f]{4}$"})", R"("09ag")", "pattern: \"09ag\" does not match ^[0-9a-f]{4}$");
  expectOk(R"({"minimum": 5, "minLength": 9})", "true");  // bounds apply to their own types only
}

TEST_F(SchemaRules, Combinators) {
  const std::string one = R"({"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 10}]})";
  expectOk(one, "3");
  expectOk(one, "10.5");
  expectError(one, "12", "oneOf: matches 2 alternatives, exactly one expected");
  expectError(one, R"("x")", "oneOf: matches none of the 2 alternatives (alternative 0: $: type: expected integer");
  const std::string any = R"({"anyOf": [{"required": ["a"]}, {"required": ["b", "c"]}]})";
  expectOk(any, R"({"a": 1, "b": 2, "c": 3})");
  expectError(any, R"({"b": 1})", "anyOf: matches none of the 2 alternatives");
  const std::string all = R"({"allOf": [{"type": "string"}, {"minLength": 2}]})";
  expectOk(all, R"("ab")");
  expectError(all, R"("a")", "minLength");
}

TEST_F(SchemaRules, ReferencesWithinAndAcrossFiles) {
  const std::string schema = R"({"type": "object", "properties": {"s": {"$ref": "#/components/schemas/Sib"},
                                 "d": {"$ref": "../sibling.schema.json#/$defs/code"}}})";
  expectOk(schema, R"({"s": {"code": "abc"}, "d": "xyz"})");
  // The sibling's own "#/$defs/code" resolves inside the sibling file.
  expectError(schema, R"({"s": {"code": "ABC"}})", "$.s.code: pattern");
  expectError(schema, R"({"s": {}})", "$.s: required: member 'code' is missing");
  expectError(schema, R"({"d": "9"})", "$.d: pattern");
  const auto document = withSchema(schema);
  ASSERT_EQ(document.referencedFiles().size(), 1u);
  EXPECT_NE(document.referencedFiles()[0].find("sibling.schema.json"), std::string::npos);
}

TEST_F(SchemaRules, LoadingRejectsUnresolvableReferencesAndUnknownKeywords) {
  EXPECT_THROW(withSchema(R"({"$ref": "#/components/schemas/Nope"})"), DocumentError);
  EXPECT_THROW(withSchema(R"({"$ref": "../missing.schema.json"})"), DocumentError);
  EXPECT_THROW(withSchema(R"({"$ref": "../sibling.schema.json#/$defs/nope"})"), DocumentError);
  try {
    withSchema(R"({"type": "object", "properties": {"a": {"patternProperties": {}}}})");
    FAIL() << "an unsupported keyword was accepted";
  } catch (const DocumentError& e) {
    EXPECT_NE(std::string(e.what()).find("components.schemas.T.properties.a: unsupported JSON Schema keyword 'patternProperties'"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(withSchema(R"({"type": "int"})"), DocumentError);
  EXPECT_THROW(withSchema(R"({"pattern": "("})"), DocumentError);
  EXPECT_THROW(withSchema(R"({"enum": []})"), DocumentError);
  EXPECT_NO_THROW(withSchema(R"({"description": "d", "format": "uuid", "x-note": 1, "type": "string"})"));
}

TEST_F(SchemaRules, ResponsesAreMatchedByMethodTemplateStatusAndContentType) {
  const auto document = withSchema(R"({"type": "object", "required": ["id"]})");
  ASSERT_EQ(document.operations().size(), 3u);
  const auto* operation = document.findOperation("GET", "/things/42?verbose=1");
  ASSERT_NE(operation, nullptr);
  EXPECT_EQ(operation->pathTemplate, "/things/{id}");
  EXPECT_EQ(operation->statuses, (std::vector<int>{200, 404}));
  ASSERT_TRUE(operation->roles.has_value());
  EXPECT_EQ(*operation->roles, std::vector<std::string>{"admin"});
  // The literal template wins over the parameter.
  EXPECT_EQ(document.findOperation("GET", "/things/special")->pathTemplate, "/things/special");
  EXPECT_EQ(document.findOperation("GET", "/things"), nullptr);
  EXPECT_EQ(document.findOperation("DELETE", "/things/42"), nullptr);

  EXPECT_TRUE(document.validateResponse("GET", "/things/42", 200, "application/json; charset=utf-8", R"({"id": 1})").empty());
  auto errors = document.validateResponse("GET", "/things/42", 200, "application/json", R"({"name": 1})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "GET /things/{id} 200: $: required: member 'id' is missing");
  // Through a components.responses $ref.
  EXPECT_TRUE(document.validateResponse("GET", "/things/42", 404, "application/json", R"({"error": {}})").empty());
  EXPECT_FALSE(document.validateResponse("GET", "/things/42", 404, "application/json", "{}").empty());
  errors = document.validateResponse("GET", "/things/42", 500, "application/json", "{}");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("status 500 is not documented (documented: 200, 404)"), std::string::npos) << errors[0];
  errors = document.validateResponse("DELETE", "/things/42", 200, "application/json", "{}");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("no documented operation matches"), std::string::npos);
  errors = document.validateResponse("GET", "/things/42", 200, "text/plain", "{}");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("content type 'text/plain' is not documented"), std::string::npos) << errors[0];
  EXPECT_FALSE(document.validateResponse("GET", "/things/42", 200, "application/json", "{not json").empty());
  // No content documented: a body is an error, none is fine.
  EXPECT_TRUE(document.validateResponse("GET", "/things/special", 204, "", "").empty());
  EXPECT_FALSE(document.validateResponse("GET", "/things/special", 204, "text/plain", "x").empty());
  // Non-JSON media types are checked by type only.
  EXPECT_TRUE(document.validateResponse("POST", "/things", 201, "text/plain; charset=utf-8", "made").empty());
  // Requests.
  EXPECT_TRUE(document.validateRequest("POST", "/things", "application/json", R"({"name": "n"})").empty());
  EXPECT_FALSE(document.validateRequest("POST", "/things", "application/json", R"({})").empty());
  EXPECT_FALSE(document.validateRequest("GET", "/things/1", "application/json", R"({})").empty());
}

// --- the project's documents -------------------------------------------------

TEST(OpenApiDocuments, TheThreeDocumentsLoadAndEveryReferenceResolves) {
  for (const std::string name : {"hub", "gateway", "attribute-server"}) {
    const std::string path = kSource + "/schemas/openapi/" + name + ".openapi.json";
    SCOPED_TRACE(path);
    OpenApiDocument document = OpenApiDocument::loadFile(path);  // throws on any unresolvable $ref
    EXPECT_FALSE(document.operations().empty());
    // Every schema a component or file names is usable for validation.
    for (const auto& operation : document.operations()) {
      EXPECT_FALSE(operation.statuses.empty()) << operation.method << " " << operation.pathTemplate;
    }
  }
  // Every "$ref" string anywhere in the documents (parameters included)
  // names something: resolving it for a validation does not throw.
  for (const std::string name : {"hub", "gateway", "attribute-server"}) {
    const std::string path = kSource + "/schemas/openapi/" + name + ".openapi.json";
    const auto document = OpenApiDocument::loadFile(path);
    const std::string text = slurp(path);
    const std::string marker = "\"$ref\": \"";
    std::size_t refs = 0;
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
      const auto start = at + marker.size();
      const std::string ref = text.substr(start, text.find('"', start) - start);
      EXPECT_NO_THROW(document.validateJson(ref, "{}")) << path << ": " << ref;
      ++refs;
    }
    EXPECT_GT(refs, 0u) << path;
  }
  const auto hub = OpenApiDocument::loadFile(kSource + "/schemas/openapi/hub.openapi.json");
  const auto files = hub.referencedFiles();
  EXPECT_EQ(files.size(), 2u);  // agreement-v1 and consent-artefact-v1
  // The shared error shape, and the reused sibling schemas.
  EXPECT_TRUE(hub.validateJson("#/components/schemas/Error",
                               R"({"error": {"status": 403, "code": "forbidden", "message": "m"}})").empty());
  EXPECT_FALSE(hub.validateJson("#/components/schemas/Error", R"({"error": {"code": "Forbidden", "message": "m"}})").empty());
  EXPECT_TRUE(hub.validateJson("#/components/schemas/Agreement",
                               R"({"schema": "nser-agreement-v1", "id": "a.1", "version": 1, "programme": "p",
                                   "custodians": ["c"], "purposes": [{"code": "eligibility", "text": "t"}],
                                   "attributes": ["district"], "legal_basis": "consent", "valid_from": 1,
                                   "valid_until": 2, "requests_per_day": 0, "status": "active"})")
                  .empty());
  EXPECT_FALSE(hub.validateJson("#/components/schemas/Agreement", R"({"schema": "nser-agreement-v1"})").empty());
  const auto gateway = OpenApiDocument::loadFile(kSource + "/schemas/openapi/gateway.openapi.json");
  EXPECT_GE(gateway.referencedFiles().size(), 2u);  // hub.openapi.json and consent-artefact-v1
}

// Every route the hub registers (routes_.add / routes.add in hub/*.cpp) is
// documented with exactly its roles, and every documented operation exists.
TEST(OpenApiDocuments, TheHubDocumentCoversEveryRegisteredRouteWithItsRoles) {
  const auto hub = OpenApiDocument::loadFile(kSource + "/schemas/openapi/hub.openapi.json");
  std::map<std::string, std::set<std::string>> registered;  // "GET /path" -> roles
  // Every match of `pattern` in `text`, as its capture groups (1..).
  auto matchesOf = [](const std::string& text, const std::string& pattern) {
    const Poco::RegularExpression re(pattern);
    std::vector<std::vector<std::string>> out;
    Poco::RegularExpression::MatchVec found;
    std::string::size_type offset = 0;
    while (offset < text.size() && re.match(text, offset, found) > 0) {
      std::vector<std::string> groups;
      for (std::size_t g = 1; g < found.size(); ++g) {
        groups.push_back(found[g].offset == std::string::npos ? "" : text.substr(found[g].offset, found[g].length));
      }
      out.push_back(groups);
      offset = found[0].offset + std::max<std::string::size_type>(found[0].length, 1);
    }
    return out;
  };
  auto rolesOf = [&](const std::string& text) {
    std::set<std::string> roles;
    for (const auto& groups : matchesOf(text, R"(Role::(\w+))")) {
      std::string name = groups[0];
      name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
      roles.insert(name);
    }
    return roles;
  };
  for (const auto& entry : std::filesystem::directory_iterator(kSource + "/hub")) {
    if (entry.path().extension() != ".cpp") continue;
    const std::string text = slurp(entry.path().string());
    std::map<std::string, std::set<std::string>> named;
    for (const auto& groups : matchesOf(text, R"(const std::set<Role> (\w+) = \{([^}]*)\};)")) {
      named[groups[0]] = rolesOf(groups[1]);
    }
    for (const auto& groups : matchesOf(text, R"re(routes_?\.add\(\{"([A-Z]+)", "([^"]+)",\s*(\{[^}]*\}|\w+))re")) {
      const std::string& roles = groups[2];
      const std::string key = groups[0] + " " + groups[1];
      if (roles[0] == '{') {
        registered[key] = rolesOf(roles);
      } else {
        ASSERT_EQ(named.count(roles), 1u) << entry.path() << ": role set '" << roles << "' of " << key << " not found";
        registered[key] = named[roles];
      }
    }
  }
  ASSERT_GE(registered.size(), 38u) << "the route parser found too few routes";
  std::set<std::string> documented;
  for (const auto& operation : hub.operations()) {
    const std::string key = operation.method + " " + operation.pathTemplate;
    documented.insert(key);
    ASSERT_TRUE(operation.roles.has_value()) << key << " has no x-nser-roles";
    const std::set<std::string> roles(operation.roles->begin(), operation.roles->end());
    const auto it = registered.find(key);
    if (it == registered.end()) {
      ADD_FAILURE() << key << " is documented but the hub registers no such route";
      continue;
    }
    EXPECT_EQ(roles, it->second) << key << ": x-nser-roles differ from the route's roles";
    // Authenticated routes document the caller checks; every route its 500.
    const auto& statuses = operation.statuses;
    EXPECT_NE(std::find(statuses.begin(), statuses.end(), 401), statuses.end()) << key;
    EXPECT_NE(std::find(statuses.begin(), statuses.end(), 500), statuses.end()) << key;
    if (!roles.empty()) {
      EXPECT_NE(std::find(statuses.begin(), statuses.end(), 403), statuses.end()) << key;
    }
  }
  for (const auto& [key, roles] : registered) {
    EXPECT_EQ(documented.count(key), 1u) << key << " is registered by the hub but not in schemas/openapi/hub.openapi.json";
  }
}
