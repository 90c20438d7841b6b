// The scenarios `nser demo` runs against its deployment, each with the
// outcome it expects, the outcome it saw and the evidence:
//   1. a provincial programme's query permitted by a statutory agreement
//      (the value is the one NSER's source holds: sealed by NSER's
//      connector, opened by the programme's own);
//   2. a query denied for lack of consent (403 ConsentMissing);
//   3. the same query permitted after the NSER registration desk captured
//      the person's consent;
//   4. denied again on the very next request after revocation
//      (403 ConsentRevoked);
//   5. a witness verifying the log's growth and cosigning the checkpoint;
//   6. an auditor verifying the whole log against the pinned checkpoint key
//      (and seeing the witness's cosignature);
//   7. the subject access report of the consent scenario's person.
// Programme systems talk to their custodian's gateway (plain HTTP on
// loopback, as configured); the auditor and witness run the real `nser
// audit` and `nser witness` commands.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cli/demo_deployment.h"
#include "cli/demo_evaluation.h"

namespace nser::cli {

// A person the scenarios ask about: the programme's record and what NSER
// holds for the same person.
struct DemoSubject {
  std::string programmeCustodian;  // whose gateway the programme uses
  std::string cnic;                // from the programme's own record
  std::string nserRecord;          // NSER's record id (the consent desk's subject)
  std::string entity;              // the hub's entity holding both
  std::string expectedValue;       // NSER's value of the attribute asked
};

// The first record of `programmeCustodian` whose CNIC the hub resolves to
// exactly one entity holding exactly one NSER record (so the scenario's
// answer is determined); DemoError when there is none.
DemoSubject chooseSubject(const std::filesystem::path& synthDirectory, const std::vector<std::string>& custodians,
                          const JoinedMemberships& joined, const std::string& programmeCustodian,
                          const std::string& nserColumn, const std::vector<std::string>& excludeEntities);

struct ScenarioResult {
  std::string name;
  std::string expected;
  std::string outcome;
  bool passed = false;
  std::vector<std::string> evidence;  // lines to show
};

struct DemoProgrammes {
  std::string statutoryProgramme;  // e.g. punjab-ehsaas, asking pmt_score for "eligibility"
  std::string consentProgramme;    // e.g. sindh-sehat, asking household_size for "health-card"
};

std::vector<ScenarioResult> runScenarios(DemoDeployment& deployment, const DemoProgrammes& programmes,
                                         const DemoSubject& statutory, const DemoSubject& consent);

}  // namespace nser::cli
