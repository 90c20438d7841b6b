#include "cli/demo_scenarios.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "linkage/csv_reader.h"

namespace nser::cli {
namespace fs = std::filesystem;
using Poco::JSON::Object;

namespace {

constexpr const char* kStatutoryPurpose = "eligibility";
constexpr const char* kStatutoryAttribute = "pmt_score";
constexpr const char* kConsentPurpose = "health-card";
constexpr const char* kConsentAttribute = "household_size";

// Calls `row(fields)` with the named columns of every record of a CSV.
template <typename Row>
void eachRow(const fs::path& path, const std::vector<std::string>& columns, Row&& row) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DemoError("cannot read " + path.string());
  linkage::CsvReader reader(in);
  std::vector<std::string> fields;
  if (reader.next(fields) != linkage::CsvStatus::Record) throw DemoError(path.string() + ": no header");
  const linkage::CsvHeader header(fields);
  std::vector<std::size_t> at;
  for (const auto& column : columns) {
    const auto position = header.find(column);
    if (!position) throw DemoError(path.string() + ": no column '" + column + "'");
    at.push_back(*position);
  }
  std::vector<std::string> picked(columns.size());
  for (linkage::CsvStatus status; (status = reader.next(fields)) != linkage::CsvStatus::End;) {
    if (status == linkage::CsvStatus::Malformed) continue;  // the connector quarantined it; not a subject
    bool complete = true;
    for (std::size_t i = 0; i < at.size(); ++i) {
      if (at[i] >= fields.size()) complete = false;
      else picked[i] = fields[at[i]];
    }
    if (complete) row(picked);
  }
}

struct HttpAnswer {
  int status = 0;
  std::string body;
};

HttpAnswer postLoopback(int port, const std::string& path, const std::string& body) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(60, 0));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentType("application/json");
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpAnswer answer;
  answer.status = static_cast<int>(response.getStatus());
  Poco::StreamCopier::copyToString(in, answer.body);
  return answer;
}

Object::Ptr parseObject(const std::string& text) {
  try {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Object::Ptr>();
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string isoNow() {
  const auto time = static_cast<std::time_t>(now());
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&time));
  return text;
}

// What a programme's search through its gateway came back with.
struct Brokered {
  int status = 0;
  std::string reason;  // status_reason_code, or the first decision's reason
  std::string value;   // NSER's value of the attribute, if released
  std::string entity;
  std::string body;
};

Brokered askGateway(DemoDeployment& deployment, const std::string& programme, const DemoSubject& subject,
                    const std::string& purpose, const std::string& attribute) {
  static int counter = 0;
  const std::string id = "demo-" + std::to_string(++counter);
  const std::string query =
      R"({"signature": "", "header": {"version": "1.0.0", "message_id": ")" + id + R"(", "message_ts": ")" +
      isoNow() + R"(", "action": "search", "sender_id": ")" + programme + R"(", "receiver_id": ")" +
      subject.programmeCustodian + R"(", "total_count": 1}, "message": {"transaction_id": ")" + id +
      R"(", "search_request": [{"reference_id": "r-1", "timestamp": ")" + isoNow() +
      R"(", "search_criteria": {"query_type": "idtype-value", "query": {"type": "CNIC", "value": ")" + subject.cnic +
      R"("}, "purpose": ")" + purpose + R"(", "attributes": [")" + attribute + R"("]}}]}})";
  const auto answer = postLoopback(deployment.gatewayPort(subject.programmeCustodian), "/registry/sync/search", query);
  Brokered result;
  result.status = answer.status;
  result.body = answer.body;
  const auto json = parseObject(answer.body);
  if (!json || !json->has("message")) return result;
  const auto responses = json->getObject("message")->getArray("search_response");
  if (!responses || responses->size() == 0) return result;
  const auto response = responses->getObject(0);
  result.reason = response->optValue<std::string>("status_reason_code", "");
  if (!response->has("data")) return result;
  const auto data = response->getObject("data");
  if (const auto records = data->getArray("reg_records"); records && records->size() > 0) {
    result.entity = records->getObject(0)->optValue<std::string>("entity_id", "");
  }
  const auto attributes = data->getObject("attributes");
  if (!attributes) return result;
  if (const auto decisions = attributes->getArray("decisions"); decisions && decisions->size() > 0) {
    if (result.reason.empty()) result.reason = decisions->getObject(0)->optValue<std::string>("reason", "");
  }
  if (const auto values = attributes->getObject("values")) {
    if (const auto fromNser = values->getObject("nser"); fromNser && fromNser->has(attribute)) {
      result.value = fromNser->get(attribute).toString();
    }
  }
  return result;
}

// The released value equals the custodian's (numbers compared as numbers).
bool sameValue(const std::string& released, const std::string& expected) {
  if (released == expected) return true;
  try {
    return std::fabs(std::stod(released) - std::stod(expected)) < 1e-9;
  } catch (const std::exception&) {
    return false;
  }
}

std::string describe(const Brokered& answer) {
  std::string text = "HTTP " + std::to_string(answer.status);
  if (!answer.reason.empty()) text += " " + answer.reason;
  return text;
}

std::vector<std::string> firstLines(const std::string& text, std::size_t count) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; lines.size() < count && std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

ScenarioResult brokeringScenario(std::string name, const Brokered& answer, int expectedStatus,
                                 const std::string& expectedReason, const std::string& expectedValue) {
  ScenarioResult result;
  result.name = std::move(name);
  result.expected = "HTTP " + std::to_string(expectedStatus) + " " + expectedReason;
  result.outcome = describe(answer);
  result.passed = answer.status == expectedStatus && answer.reason == expectedReason;
  if (!expectedValue.empty()) {
    result.passed = result.passed && sameValue(answer.value, expectedValue);
    result.evidence.push_back("released value " + (answer.value.empty() ? std::string("(none)") : answer.value) +
                              "; NSER's source holds " + expectedValue);
  } else {
    result.evidence.push_back(answer.value.empty() ? "no value released" : "a value was released: " + answer.value);
    result.passed = result.passed && answer.value.empty();
  }
  if (!result.passed) result.evidence.push_back("answer: " + answer.body.substr(0, 600));
  return result;
}

}  // namespace

DemoSubject chooseSubject(const fs::path& synthDirectory, const std::vector<std::string>& custodians,
                          const JoinedMemberships& joined, const std::string& programmeCustodian,
                          const std::string& nserColumn, const std::vector<std::string>& excludeEntities) {
  std::unordered_map<std::string, std::uint64_t> entityOf;  // custodian + '\n' + record -> entity
  for (const auto& member : joined.members) entityOf[member.custodian + '\n' + member.sourceKey] = member.entity;
  // Every record carrying each CNIC, over all custodians.
  std::unordered_map<std::string, std::vector<std::pair<std::string, std::string>>> carriers;
  for (const auto& custodian : custodians) {
    eachRow(synthDirectory / (custodian + ".csv"), {"rec_id", "cnic"}, [&](const std::vector<std::string>& f) {
      if (!f[1].empty()) carriers[f[1]].emplace_back(custodian, f[0]);
    });
  }
  std::unordered_map<std::string, std::string> nserValue;
  eachRow(synthDirectory / "nser.csv", {"rec_id", nserColumn},
          [&](const std::vector<std::string>& f) { nserValue[f[0]] = f[1]; });
  const std::unordered_set<std::string> excluded(excludeEntities.begin(), excludeEntities.end());

  std::optional<DemoSubject> chosen;
  eachRow(synthDirectory / (programmeCustodian + ".csv"), {"rec_id", "cnic"}, [&](const std::vector<std::string>& f) {
    if (chosen || f[1].empty()) return;
    std::optional<std::uint64_t> entity;
    std::string nserRecord;
    int nserRecords = 0;
    for (const auto& [custodian, record] : carriers[f[1]]) {
      const auto it = entityOf.find(custodian + '\n' + record);
      if (it == entityOf.end() || (entity && *entity != it->second)) return;  // not held, or split over entities
      entity = it->second;
      if (custodian == "nser") {
        ++nserRecords;
        nserRecord = record;
      }
    }
    if (!entity || nserRecords != 1 || excluded.contains(std::to_string(*entity))) return;
    // No other NSER record in the entity either (one value to release).
    for (const auto& member : joined.members) {
      if (member.entity == *entity && member.custodian == "nser" && member.sourceKey != nserRecord) return;
    }
    const auto value = nserValue.find(nserRecord);
    if (value == nserValue.end() || value->second.empty()) return;
    chosen = DemoSubject{programmeCustodian, f[1], nserRecord, std::to_string(*entity), value->second};
  });
  if (!chosen) throw DemoError("no record of " + programmeCustodian + " resolves to one entity with one NSER record");
  return *chosen;
}

std::vector<ScenarioResult> runScenarios(DemoDeployment& deployment, const DemoProgrammes& programmes,
                                         const DemoSubject& statutory, const DemoSubject& consent) {
  std::vector<ScenarioResult> results;

  // 1. Statutory: no consent needed.
  results.push_back(brokeringScenario(
      programmes.statutoryProgramme + " asks NSER's PMT score for eligibility (statutory agreement)",
      askGateway(deployment, programmes.statutoryProgramme, statutory, kStatutoryPurpose, kStatutoryAttribute), 200,
      "Permit", statutory.expectedValue));

  // 2-4. Consent-based: missing, captured, revoked.
  results.push_back(brokeringScenario(
      programmes.consentProgramme + " asks the household size for a health card, no consent yet",
      askGateway(deployment, programmes.consentProgramme, consent, kConsentPurpose, kConsentAttribute), 403,
      "ConsentMissing", ""));

  const std::string consentBody = R"({"subject": {"source_key": ")" + consent.nserRecord + R"("}, "programme": ")" +
                                  programmes.consentProgramme + R"(", "purpose": ")" + kConsentPurpose +
                                  R"(", "attributes": [")" + kConsentAttribute + R"("], "expiry": )" +
                                  std::to_string(now() + 86400 * 365) + "}";
  const auto registered = postLoopback(deployment.gatewayPort("nser"), "/consents", consentBody);
  const auto registeredJson = parseObject(registered.body);
  const std::string consentId = registeredJson ? registeredJson->optValue<std::string>("id", "") : "";
  auto permitted = brokeringScenario(
      "the NSER registration desk captures the person's consent; the same request again",
      askGateway(deployment, programmes.consentProgramme, consent, kConsentPurpose, kConsentAttribute), 200,
      "Permit", consent.expectedValue);
  permitted.evidence.insert(permitted.evidence.begin(),
                            "consent " + (consentId.empty() ? "not registered" : consentId) + ": HTTP " +
                                std::to_string(registered.status) + ", signed by NSER's connector");
  permitted.passed = permitted.passed && registered.status == 201 && !consentId.empty();
  results.push_back(permitted);

  const auto revoked = postLoopback(deployment.gatewayPort("nser"), "/consents/" + consentId + "/revoke", "");
  auto denied = brokeringScenario(
      "the person revokes consent at the desk; the very next request",
      askGateway(deployment, programmes.consentProgramme, consent, kConsentPurpose, kConsentAttribute), 403,
      "ConsentRevoked", "");
  denied.evidence.insert(denied.evidence.begin(), "revocation: HTTP " + std::to_string(revoked.status));
  denied.passed = denied.passed && revoked.status == 200;
  results.push_back(denied);

  // 5-6. The log: the auditor pins the hub's checkpoint key (first use),
  // a witness (Punjab's custodian) cosigns, the auditor verifies.
  const auto key = deployment.runAs("auditor", "audit-key", {"audit", "key"});
  const fs::path keyFile = deployment.path("auditor/log.key");
  fs::create_directories(keyFile.parent_path());
  {
    std::ofstream out(keyFile, std::ios::trunc);
    out << key.output;
  }
  deployment.runAs("auditor", "audit-publish", {"audit", "checkpoint", "--publish"});
  const auto witness = deployment.runAs(
      statutory.programmeCustodian, "witness",
      {"witness", "--state", deployment.path("witness").string(), "--name", statutory.programmeCustodian,
       "--log-key-file", keyFile.string(), "--rounds", "1"},
      false);
  const auto checkpoint = deployment.runAs("auditor", "audit-checkpoint", {"audit", "checkpoint"});
  ScenarioResult witnessed;
  witnessed.name = "a witness (" + statutory.programmeCustodian + "'s connector key) checks and cosigns the checkpoint";
  witnessed.expected = "cosigned";
  const bool cosigned = checkpoint.output.find("\xe2\x80\x94 " + statutory.programmeCustodian + " ") != std::string::npos;
  witnessed.outcome = witness.exitCode == 0 && cosigned ? "cosigned" : "exit " + std::to_string(witness.exitCode);
  witnessed.passed = witness.exitCode == 0 && cosigned;
  witnessed.evidence = firstLines(witness.output, 3);
  for (const auto& line : firstLines(checkpoint.output, 12)) witnessed.evidence.push_back("checkpoint: " + line);
  results.push_back(witnessed);

  const auto verify = deployment.runAs(
      "auditor", "audit-verify",
      {"audit", "verify", "--log-key-file", keyFile.string(), "--state", deployment.path("auditor/state").string()},
      false);
  ScenarioResult verified;
  verified.name = "the auditor recomputes the Merkle root of every entry and checks the signed checkpoint";
  verified.expected = "verified";
  verified.outcome = verify.exitCode == 0 ? "verified" : "exit " + std::to_string(verify.exitCode);
  verified.passed = verify.exitCode == 0;
  verified.evidence = firstLines(verify.output, 6);
  results.push_back(verified);

  // 7. "Who looked at my record?"
  const auto report = deployment.runAs("auditor", "subject-report",
                                       {"audit", "subject-report", "--entity", consent.entity}, false);
  ScenarioResult subject;
  subject.name = "subject access report for entity " + consent.entity + " (the consent scenario's person)";
  // The three decisions of scenarios 2-4, in order: deny, permit, deny.
  std::vector<std::string> decisions;
  {
    std::istringstream lines(report.output);
    for (std::string line; std::getline(lines, line);) {
      if (line.find("  decision  by") == std::string::npos ||
          line.find("programme " + programmes.consentProgramme) == std::string::npos) {
        continue;
      }
      decisions.push_back(line.substr(line.rfind(' ') + 1));
    }
  }
  std::string sequence;
  for (const auto& decision : decisions) sequence += (sequence.empty() ? "" : ", ") + decision;
  subject.expected = "decisions by " + programmes.consentProgramme + ": deny, permit, deny";
  subject.outcome = "decisions by " + programmes.consentProgramme + ": " + (sequence.empty() ? "none" : sequence);
  subject.passed = report.exitCode == 0 && decisions == std::vector<std::string>{"deny", "permit", "deny"};
  subject.evidence = firstLines(report.output, 12);
  results.push_back(subject);
  return results;
}

}  // namespace nser::cli
