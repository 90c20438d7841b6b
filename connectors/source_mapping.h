// SourceMapping: how a custodian's source columns map to the linkage schema's
// identity roles and which attributes this custodian can serve
// (`nser-connector-mapping` version 1, schemas/connector-mapping.md).
//
//   {"format": "nser-connector-mapping", "version": 1,
//    "key_column": "beneficiary_id",
//    "identity": {"name": "full_name", "cnic": "cnic_no", "relation_name": "father_name", ...},
//    "attributes": [{"name": "household_income", "column": "income_pkr", "type": "integer",
//                    "description": "...", "sensitivity": "high"}]}
//
// Identity roles are those of the linkage schema's "columns" map; roles left
// out are read from the column the schema itself names. Errors are
// schemas::DocumentError naming the file and key path.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace nser::connectors {

struct AttributeSpec {
  std::string name;
  std::string column;
  std::string type;         // string, integer, number, date, boolean
  std::string description;
  std::string sensitivity;  // low, medium, high
};

struct SourceMapping {
  std::string keyColumn;
  std::map<std::string, std::string> identity;  // role -> source column
  std::vector<AttributeSpec> attributes;
};

SourceMapping loadSourceMapping(const std::string& path);

}  // namespace nser::connectors
