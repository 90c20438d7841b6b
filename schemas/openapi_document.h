// OpenApiDocument: an OpenAPI 3.1 description of one of the HTTP APIs
// (schemas/openapi/*.openapi.json), loaded so tests can check that what a
// running process answers is what the document promises.
//
// validateResponse(method, path, status, content type, body) reports, as a
// list of messages (empty: conforms), every way an exchange departs from the
// document:
//   - no operation documents the method on a path template matching the
//     concrete path ("/admin/parties/punjab" matches "/admin/parties/{id}";
//     a query string is ignored);
//   - the status code is not one of the operation's documented responses
//     (exact codes only: "default" and "4XX" ranges are not used, so every
//     status a route can answer must be listed);
//   - the content type (without parameters such as charset) is not one the
//     response documents, or a body comes where none is documented;
//   - a JSON body (application/json or +json) does not satisfy the schema.
// validateRequest() does the same for a request body against requestBody.
//
// The JSON Schema subset understood (anything else is a load-time error, so
// a document cannot silently rely on a keyword nobody checks):
//   type (a name or an array of names; "integer" accepts 3 and 3.0),
//   properties, required, dependentRequired, additionalProperties (false or
//   a schema), items,
//   enum, const, minimum, maximum, minLength, maxLength, pattern (PCRE, which
//   agrees with ECMAScript on the usual classes and anchors; searched
//   anywhere in the string), minItems, maxItems, uniqueItems,
//   oneOf, anyOf, allOf, and $ref to "#/..." in the same file or to a file
//   beside it ("../agreement-v1.schema.json", optionally "#/$defs/x").
//   Annotations are ignored: description, title, format, examples, default,
//   contentEncoding, contentMediaType, deprecated, readOnly, writeOnly,
//   $schema, $id, $defs, $comment and any "x-" extension.
// Every message names the JSON path in the body ("$.parties[2].role") and
// the rule broken ("enum: \"root\" is not one of ...").
//
// Responses may also be a $ref to "#/components/responses/...".
//
// Loading resolves every $ref (in the document and in the files it refers
// to) and checks the schema keywords; it throws DocumentError naming the
// file and the key path of the first problem. Immutable once loaded.
#pragma once

#include <Poco/Dynamic/Var.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "schemas/json_document.h"

namespace nser::schemas {

class OpenApiDocument {
 public:
  static OpenApiDocument loadFile(const std::string& path);

  struct Operation {
    std::string method;        // upper case: "GET"
    std::string pathTemplate;  // "/admin/parties/{id}"
    std::vector<int> statuses;                         // documented response codes, ascending
    std::optional<std::vector<std::string>> roles;     // x-nser-roles, when given
  };
  const std::vector<Operation>& operations() const { return operations_; }
  // The operation documenting `method` on `path` (query string ignored);
  // among several matching templates, the one with the most literal segments.
  const Operation* findOperation(const std::string& method, const std::string& path) const;

  std::vector<std::string> validateResponse(const std::string& method, const std::string& path, int status,
                                            const std::string& contentType, const std::string& body) const;
  std::vector<std::string> validateRequest(const std::string& method, const std::string& path,
                                           const std::string& contentType, const std::string& body) const;
  // Validates a JSON text against a schema named by reference, e.g.
  // "#/components/schemas/Error" or "../agreement-v1.schema.json".
  std::vector<std::string> validateJson(const std::string& schemaRef, const std::string& json) const;

  const std::string& source() const { return source_; }
  // Files loaded through $ref besides the document itself.
  std::vector<std::string> referencedFiles() const;

 private:
  struct File;
  struct Location {
    const File* file;
    Poco::Dynamic::Var schema;
    std::string pointer;  // for messages: "hub.openapi.json#/components/schemas/Error"
  };
  class Checker;

  OpenApiDocument() = default;
  const File& load(const std::string& path);
  Location resolve(const File& from, const std::string& ref, const std::string& where) const;
  void checkSchema(const File& file, const Poco::Dynamic::Var& schema, const std::string& where) const;
  void checkContent(const File& file, const Poco::Dynamic::Var& content, const std::string& where) const;
  std::vector<std::string> validateContent(const Poco::Dynamic::Var& content, const std::string& what,
                                           const std::string& contentType, const std::string& body) const;

  std::string source_;
  std::map<std::string, std::shared_ptr<File>> files_;  // by normalised path
  std::set<std::string> wholeFileSchemas_;               // files referenced without a fragment
  const File* root_ = nullptr;
  std::vector<Operation> operations_;
};

}  // namespace nser::schemas
