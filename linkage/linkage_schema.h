// LinkageSchema: a clkhash linkage schema v3, optionally extended with an
// "nser" member (docs/linkage-schema.md). Without the extension the document
// is plain clkhash: features are CSV columns in order, hashed as written.
// With it, features name normalised person fields (person_normaliser.h),
// and the extension adds field-level filters, keyed tokens, hardening and a
// schema id; the plain clkhash part stays valid clkhash.
//
//   "nser": {
//     "schemaId": "nser-person-v1",
//     "idColumn": "rec_id",
//     "columns": {"name": "name", "cnic": "cnic", ...},   // role -> CSV column
//     "fieldFilterBits": 512,                           // 0: no field filters
//     "fieldFilterFeatures": ["name", "cnic", ...],     // default: every feature
//     "tokens": ["cnic", "name_phonetic_district", ...],
//     "hardening": {"balance": false, "xorFolds": 0, "rule90": false,
//                   "blipFlipProbability": 0.0, "recordSalt": "birth_year"}
//   }
//
// Loading validates everything and throws schemas::DocumentError naming the
// file and key path. Immutable; share freely.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "linkage/clk_schema.h"
#include "linkage/hardening.h"
#include "linkage/keyed_token.h"
#include "linkage/person_normaliser.h"

namespace nser::linkage {

// A keyed-token family a schema can ask for. "cnic" yields the exact CNIC
// token and its one-deletion neighbourhood.
enum class TokenFamily { Cnic, NamePhonetic, NamePhoneticDistrict, RelationPhonetic, BirthYear, BirthYearMonth, BirthDate, Phone };

struct NserSchemaExtension {
  std::string schemaId;
  std::string idColumn;
  // Identity role (name, relation_type, relation_name, cnic, gender, dob,
  // district, tehsil, phone) -> CSV column name. Roles left out are empty.
  std::map<std::string, std::string> columns;
  std::vector<PersonField> featureFields;  // per schema feature (ignored ones too), the field it hashes
  std::size_t fieldFilterBits = 0;
  std::vector<std::string> fieldFilterFeatures;  // features with a field filter; empty: every non-ignored one
  std::vector<TokenFamily> tokens;
  HardeningSettings hardening;
  std::optional<PersonField> recordSalt;  // keyed permutation per value of this field
};

struct LinkageSchema {
  ClkSchema clk;
  std::optional<NserSchemaExtension> nser;
  std::string schemaId;  // nser.schemaId, or "clkhash-v3" for plain schemas
  std::string digest;    // SHA-256 hex of the canonical JSON (keys sorted, no whitespace)
  std::string source;    // file name
};

// The identity roles the "columns" map accepts.
const std::vector<std::string>& identityRoles();

LinkageSchema loadLinkageSchema(const std::string& path);
LinkageSchema parseLinkageSchema(const schemas::JsonNode& root);

std::string_view tokenFamilyName(TokenFamily family);

}  // namespace nser::linkage
