#include "linkage/linkage_schema.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <sodium.h>

#include <sstream>

namespace nser::linkage {

namespace {

constexpr std::pair<TokenFamily, std::string_view> kTokenFamilies[] = {
    {TokenFamily::Cnic, "cnic"},
    {TokenFamily::NamePhonetic, "name_phonetic"},
    {TokenFamily::NamePhoneticDistrict, "name_phonetic_district"},
    {TokenFamily::RelationPhonetic, "relation_phonetic"},
    {TokenFamily::BirthYear, "birth_year"},
    {TokenFamily::BirthYearMonth, "birth_year_month"},
    {TokenFamily::BirthDate, "birth_date"},
    {TokenFamily::Phone, "phone"},
};

std::string canonicalJson(const Poco::Dynamic::Var& value) {
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(value, out);  // Poco objects keep keys sorted
  return out.str();
}

std::string sha256Hex(const std::string& text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[sizeof(digest) * 2 + 1];
  sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
  return hex;
}

PersonField requireField(const schemas::JsonNode& node) {
  std::string name = node.asString();
  if (auto field = personFieldByName(name)) return *field;
  std::string list;
  for (std::size_t i = 0; i < kPersonFieldCount; ++i) {
    if (!list.empty()) list += ", ";
    list += personFieldName(static_cast<PersonField>(i));
  }
  node.fail("\"" + name + "\" is not a normalised person field (expected one of: " + list + ")");
}

NserSchemaExtension parseExtension(const schemas::JsonNode& nser, const schemas::JsonNode& root) {
  nser.rejectUnknownKeys(
      {"schemaId", "idColumn", "columns", "fieldFilterBits", "fieldFilterFeatures", "tokens", "hardening"});
  NserSchemaExtension ext;
  ext.schemaId = nser.field("schemaId").asString();
  if (ext.schemaId.empty()) nser.field("schemaId").fail("must not be empty");
  ext.idColumn = nser.field("idColumn").asString();
  auto columns = nser.field("columns");
  for (const auto& role : columns.keys()) {
    bool known = false;
    for (const auto& r : identityRoles()) known = known || r == role;
    if (!known) {
      std::string list;
      for (const auto& r : identityRoles()) list += (list.empty() ? "" : ", ") + r;
      columns.fail("unknown identity role '" + role + "' (known: " + list + ")");
    }
    ext.columns[role] = columns.field(role).asString();
  }
  if (!ext.columns.count("name")) columns.fail("missing required key 'name'");

  // Every feature names a normalised field (ignored features may name anything).
  for (const auto& feature : root.field("features").asArray()) {
    if (feature.boolOr("ignored", false)) {
      ext.featureFields.push_back(PersonField::Name);
      continue;
    }
    ext.featureFields.push_back(requireField(feature.field("identifier")));
  }

  ext.fieldFilterBits = static_cast<std::size_t>(nser.intOr("fieldFilterBits", 0, 0, 65536));
  if (ext.fieldFilterBits % 64 != 0) nser.field("fieldFilterBits").fail("must be a multiple of 64");

  if (auto wanted = nser.optionalField("fieldFilterFeatures")) {
    for (const auto& item : wanted->asArray()) {
      std::string name = item.asString();
      bool found = false;
      for (const auto& feature : root.field("features").asArray()) {
        found = found || (feature.field("identifier").asString() == name && !feature.boolOr("ignored", false));
      }
      if (!found) item.fail("\"" + name + "\" is not a hashed feature of this schema");
      ext.fieldFilterFeatures.push_back(name);
    }
  }

  if (auto tokens = nser.optionalField("tokens")) {
    for (const auto& token : tokens->asArray()) {
      std::string name = token.asString();
      bool found = false;
      for (const auto& [family, familyName] : kTokenFamilies) {
        if (familyName == name) {
          ext.tokens.push_back(family);
          found = true;
        }
      }
      if (!found) {
        std::string list;
        for (const auto& entry : kTokenFamilies) list += (list.empty() ? "" : ", ") + std::string(entry.second);
        token.fail("unknown token family \"" + name + "\" (expected one of: " + list + ")");
      }
    }
  }

  if (auto hardening = nser.optionalField("hardening")) {
    hardening->rejectUnknownKeys({"balance", "xorFolds", "rule90", "blipFlipProbability", "recordSalt"});
    ext.hardening.balance = hardening->boolOr("balance", false);
    ext.hardening.xorFolds = static_cast<int>(hardening->intOr("xorFolds", 0, 0, 4));
    ext.hardening.rule90 = hardening->boolOr("rule90", false);
    ext.hardening.blipFlipProbability = hardening->numberOr("blipFlipProbability", 0.0, 0.0, 0.49);
    if (auto salt = hardening->optionalField("recordSalt")) ext.recordSalt = requireField(*salt);
  }
  return ext;
}

}  // namespace

const std::vector<std::string>& identityRoles() {
  static const std::vector<std::string> roles = {"name",   "relation_type", "relation_name", "cnic", "gender",
                                                 "dob",    "district",      "tehsil",        "phone"};
  return roles;
}

std::string_view tokenFamilyName(TokenFamily family) {
  for (const auto& [f, name] : kTokenFamilies) {
    if (f == family) return name;
  }
  return "unknown";
}

LinkageSchema loadLinkageSchema(const std::string& path) { return parseLinkageSchema(schemas::JsonNode::parseFile(path)); }

LinkageSchema parseLinkageSchema(const schemas::JsonNode& root) {
  LinkageSchema schema;
  schema.source = root.source();
  schema.digest = sha256Hex(canonicalJson(root.raw()));
  if (!root.has("nser")) {
    schema.clk = parseClkSchema(root);
    schema.schemaId = "clkhash-v3";
    return schema;
  }
  // The clkhash part is validated by the clkhash reader, without the extension
  // (which it would reject as an unknown key); key paths stay the same.
  auto object = root.raw().extract<Poco::JSON::Object::Ptr>();
  Poco::JSON::Object::Ptr clkPart = new Poco::JSON::Object(*object);
  clkPart->remove("nser");
  schema.clk = parseClkSchema(schemas::JsonNode::parseText(canonicalJson(clkPart), root.source()));
  schema.nser = parseExtension(root.field("nser"), root);
  schema.schemaId = schema.nser->schemaId;
  return schema;
}

}  // namespace nser::linkage
