// What `nser demo` learns about the hub's linkage by joining, at the
// evaluating site, the hub's entity membership (GET /admin/entities/export:
// entity_id,custodian,reference; pseudonymous only) with each custodian's
// own map from its records to those references (`nser connector
// references`: source_key,reference). Only a party holding both (the demo,
// playing every custodian) can make the join; the hub alone cannot.
//
// From the joined memberships: a clusters file for the linkage evaluation
// against the synthetic truth (linkage/linkage_evaluation.h), and the
// programme overlap matrix with small cells suppressed.
//
// Malformed input throws DemoEvaluationError naming the file and line; a
// hub reference that no custodian map holds is counted, never dropped
// silently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace nser::cli {

class DemoEvaluationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Membership {
  std::string custodian;
  std::string sourceKey;  // the custodian's record id (rec_id)
  std::uint64_t entity = 0;
};

struct JoinedMemberships {
  std::vector<Membership> members;
  std::uint64_t unknownReferences = 0;  // in the hub's export, in no custodian's map
  std::uint64_t notAtHub = 0;           // in a custodian's map, absent from the hub's export
};

// `hubExport`: the export file; `references`: custodian -> its references file.
JoinedMemberships joinMemberships(const std::filesystem::path& hubExport,
                                  const std::map<std::string, std::filesystem::path>& references);

// Writes source,rec_id,entity_id (the `nser link --clusters` format).
void writeClusters(const std::vector<Membership>& members, const std::filesystem::path& path);

// Entities held by both custodians (the diagonal: entities at one custodian).
struct OverlapMatrix {
  static constexpr std::uint64_t kSuppressBelow = 10;
  std::vector<std::string> custodians;
  std::vector<std::vector<std::uint64_t>> entities;
  // The published cell: the count, or "<10" for a count below kSuppressBelow
  // (zero included: a published zero next to suppressed cells narrows them).
  std::string cell(std::size_t row, std::size_t column) const;
};
OverlapMatrix overlapMatrix(const std::vector<Membership>& members, const std::vector<std::string>& custodians);

}  // namespace nser::cli
