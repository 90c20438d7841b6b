#include "connectors/source_mapping.h"

#include <algorithm>

#include "linkage/linkage_schema.h"
#include "schemas/json_document.h"

namespace nser::connectors {

SourceMapping loadSourceMapping(const std::string& path) {
  const auto root = schemas::JsonNode::parseFile(path);
  root.rejectUnknownKeys({"format", "version", "key_column", "identity", "attributes"});
  if (root.field("format").asString() != "nser-connector-mapping") {
    throw schemas::DocumentError(path + ": format: must be \"nser-connector-mapping\"");
  }
  root.field("version").asInt(1, 1);
  SourceMapping mapping;
  mapping.keyColumn = root.field("key_column").asString();
  if (mapping.keyColumn.empty()) throw schemas::DocumentError(path + ": key_column: must not be empty");
  if (auto identity = root.optionalField("identity")) {
    const auto& roles = linkage::identityRoles();
    for (const auto& role : identity->keys()) {
      if (std::find(roles.begin(), roles.end(), role) == roles.end()) {
        throw schemas::DocumentError(path + ": identity." + role + ": not an identity role of the linkage schema");
      }
      mapping.identity[role] = identity->field(role).asString();
    }
  }
  if (auto attributes = root.optionalField("attributes")) {
    for (const auto& a : attributes->asArray()) {
      a.rejectUnknownKeys({"name", "column", "type", "description", "sensitivity"});
      AttributeSpec spec;
      spec.name = a.field("name").asString();
      spec.column = a.stringOr("column", spec.name);
      spec.type = a.field("type").asEnum({"string", "integer", "number", "date", "boolean"});
      spec.description = a.stringOr("description", "");
      spec.sensitivity = a.field("sensitivity").asEnum({"low", "medium", "high"});
      mapping.attributes.push_back(std::move(spec));
    }
  }
  return mapping;
}

}  // namespace nser::connectors
