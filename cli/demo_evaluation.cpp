#include "cli/demo_evaluation.h"

#include <fstream>
#include <set>
#include <unordered_map>

#include "linkage/csv_reader.h"

namespace nser::cli {
namespace {

// Reads a CSV with a header holding `columns`; calls `row(fields in the
// order of columns, line)` for each record.
template <typename Row>
void readCsv(const std::filesystem::path& path, const std::vector<std::string>& columns, Row&& row) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DemoEvaluationError(path.string() + ": cannot open");
  linkage::CsvReader reader(in);
  std::vector<std::string> fields;
  if (reader.next(fields) != linkage::CsvStatus::Record) throw DemoEvaluationError(path.string() + ": no header");
  const linkage::CsvHeader header(fields);
  std::vector<std::size_t> at;
  for (const auto& column : columns) {
    const auto position = header.find(column);
    if (!position) throw DemoEvaluationError(path.string() + ": header has no column '" + column + "'");
    at.push_back(*position);
  }
  std::vector<std::string> picked(columns.size());
  for (;;) {
    const auto status = reader.next(fields);
    if (status == linkage::CsvStatus::End) return;
    if (status == linkage::CsvStatus::Malformed) {
      throw DemoEvaluationError(path.string() + ":" + std::to_string(reader.lineNumber()) + ": " + reader.reason());
    }
    for (std::size_t i = 0; i < at.size(); ++i) {
      if (at[i] >= fields.size()) {
        throw DemoEvaluationError(path.string() + ":" + std::to_string(reader.lineNumber()) + ": no '" +
                                  columns[i] + "' field");
      }
      picked[i] = fields[at[i]];
    }
    row(picked, reader.lineNumber());
  }
}

}  // namespace

JoinedMemberships joinMemberships(const std::filesystem::path& hubExport,
                                  const std::map<std::string, std::filesystem::path>& references) {
  // custodian + '\n' + reference -> source key
  std::unordered_map<std::string, std::string> sourceKeys;
  for (const auto& [custodian, path] : references) {
    readCsv(path, {"source_key", "reference"}, [&](const std::vector<std::string>& f, std::uint64_t line) {
      if (!sourceKeys.emplace(custodian + '\n' + f[1], f[0]).second) {
        throw DemoEvaluationError(path.string() + ":" + std::to_string(line) + ": reference listed twice");
      }
    });
  }
  JoinedMemberships joined;
  std::uint64_t matched = 0;
  readCsv(hubExport, {"entity_id", "custodian", "reference"}, [&](const std::vector<std::string>& f,
                                                                  std::uint64_t line) {
    std::uint64_t entity = 0;
    try {
      std::size_t used = 0;
      entity = std::stoull(f[0], &used);
      if (used != f[0].size()) throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
      throw DemoEvaluationError(hubExport.string() + ":" + std::to_string(line) + ": entity_id is not a number");
    }
    if (!references.contains(f[1])) return;  // a custodian the evaluation does not cover
    const auto it = sourceKeys.find(f[1] + '\n' + f[2]);
    if (it == sourceKeys.end()) {
      ++joined.unknownReferences;
      return;
    }
    ++matched;
    joined.members.push_back({f[1], it->second, entity});
  });
  joined.notAtHub = sourceKeys.size() - matched;
  return joined;
}

void writeClusters(const std::vector<Membership>& members, const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw DemoEvaluationError(path.string() + ": cannot write");
  out << "source,rec_id,entity_id\n";
  for (const auto& member : members) {
    if (member.sourceKey.find_first_of(",\"\r\n") != std::string::npos) {
      throw DemoEvaluationError(path.string() + ": a record id of " + member.custodian +
                                " needs CSV quoting, which the clusters format does not use");
    }
    out << member.custodian << ',' << member.sourceKey << ',' << member.entity << '\n';
  }
  if (!out.flush()) throw DemoEvaluationError(path.string() + ": write failed");
}

std::string OverlapMatrix::cell(std::size_t row, std::size_t column) const {
  const std::uint64_t count = entities.at(row).at(column);
  return count < kSuppressBelow ? "<" + std::to_string(kSuppressBelow) : std::to_string(count);
}

OverlapMatrix overlapMatrix(const std::vector<Membership>& members, const std::vector<std::string>& custodians) {
  OverlapMatrix matrix;
  matrix.custodians = custodians;
  matrix.entities.assign(custodians.size(), std::vector<std::uint64_t>(custodians.size(), 0));
  std::unordered_map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < custodians.size(); ++i) position[custodians[i]] = i;
  std::unordered_map<std::uint64_t, std::set<std::size_t>> heldBy;
  for (const auto& member : members) {
    const auto it = position.find(member.custodian);
    if (it != position.end()) heldBy[member.entity].insert(it->second);
  }
  for (const auto& [entity, holders] : heldBy) {
    for (const std::size_t a : holders) {
      for (const std::size_t b : holders) ++matrix.entities[a][b];
    }
  }
  return matrix;
}

}  // namespace nser::cli
