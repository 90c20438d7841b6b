// `nser demo`: the national demo, the README's first command. A synthetic
// population with the NSER registry and four provincial programme sources; a
// local CA; the hub and one connector per custodian as separate processes
// on loopback over mutual TLS; every source synced; a report (records and
// entities, linkage quality against the synthetic truth, the programme
// overlap matrix with small cells suppressed); the scenarios of
// cli/demo_scenarios.h; where to look next. Exit 0 when every scenario had
// its expected outcome, 1 otherwise.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/demo_deployment.h"
#include "cli/demo_evaluation.h"
#include "cli/demo_scenarios.h"
#include "linkage/linkage_evaluation.h"
#include "service/termination_signal.h"
#include "synth/admin_geography.h"
#include "synth/source_spec.h"
#include "synth/synth_run.h"

namespace nser::cli {
namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

const std::vector<std::string> kCustodians = {"nser", "punjab", "sindh", "kp", "balochistan"};
constexpr const char* kStatutoryProgramme = "punjab-ehsaas";
constexpr const char* kConsentProgramme = "sindh-sehat";

std::vector<DemoCustodian> custodians() {
  const std::string nserCatalogue =
      R"([{"name": "pmt_score", "column": "pmt_score", "type": "number", "description": "proxy means test score", "sensitivity": "high"},
  {"name": "household_size", "column": "household_size", "type": "integer", "description": "household members", "sensitivity": "medium"},
  {"name": "disability", "column": "disability", "type": "integer", "description": "disability flag", "sensitivity": "high"}])";
  const std::string programmeCatalogue =
      R"([{"name": "school_enrolled", "column": "school_enrolled", "type": "string", "description": "school enrolment", "sensitivity": "medium"}])";
  std::vector<DemoCustodian> all;
  for (const auto& id : kCustodians) {
    DemoCustodian custodian{id, id == "nser" ? nserCatalogue : programmeCatalogue, {}};
    if (id == "punjab") custodian.programmes = {kStatutoryProgramme};
    if (id == "sindh") custodian.programmes = {kConsentProgramme};
    all.push_back(custodian);
  }
  return all;
}

fs::path locateSchemas(const Arguments& parsed) {
  std::vector<fs::path> candidates;
  if (parsed.has("schemas")) candidates.emplace_back(parsed.required("schemas"));
  if (const char* env = std::getenv("NSER_SCHEMAS"); env != nullptr && *env != '\0') candidates.emplace_back(env);
  candidates.emplace_back("schemas");
  candidates.emplace_back(NSER_CLI_REPO_SCHEMAS);
  for (const auto& candidate : candidates) {
    if (fs::is_regular_file(candidate / "linkage" / "nser-person-v1.json")) return fs::absolute(candidate);
  }
  throw UsageError("cannot find schemas/linkage/nser-person-v1.json; pass --schemas DIR");
}

std::string withThousands(std::uint64_t value) {
  std::string digits = std::to_string(value);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<std::size_t>(at), ",");
  return digits;
}

std::string seconds(std::chrono::steady_clock::time_point since) {
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
  std::ostringstream text;
  text << std::fixed << std::setprecision(1) << s << " s";
  return text.str();
}

Object::Ptr hubStatus(DemoDeployment& deployment) {
  const auto response = deployment.hubClient("admin")->get("/admin/status");
  if (response.status != 200) throw DemoError("GET /admin/status: HTTP " + std::to_string(response.status));
  Poco::JSON::Parser parser;
  return parser.parse(response.body).extract<Object::Ptr>();
}

void registerParties(DemoDeployment& deployment) {
  const fs::path issued = deployment.path("pki/issued");
  for (const auto& custodian : kCustodians) {
    deployment.runAs("admin", "party-" + custodian,
                     {"admin", "party", "add", custodian, "--role", "custodian", "--certificate",
                      fs::absolute(issued / (custodian + ".crt")).string()});
  }
  deployment.runAs("admin", "party-auditor",
                   {"admin", "party", "add", "auditor", "--role", "auditor", "--certificate",
                    fs::absolute(issued / "auditor.crt").string()});
  deployment.runAs("admin", "party-" + std::string(kStatutoryProgramme),
                   {"admin", "party", "add", kStatutoryProgramme, "--role", "programme", "--via", "punjab"});
  deployment.runAs("admin", "party-" + std::string(kConsentProgramme),
                   {"admin", "party", "add", kConsentProgramme, "--role", "programme", "--via", "sindh"});

  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  struct Terms {
    std::string id, programme, purpose, text, attribute, basis;
  };
  for (const Terms& terms : {Terms{"punjab-ehsaas-eligibility", kStatutoryProgramme, "eligibility",
                                   "eligibility assessment under the Punjab Ehsaas statute", "pmt_score", "statutory"},
                             Terms{"sindh-sehat-health-card", kConsentProgramme, "health-card",
                                   "health card enrolment, with the person's consent", "household_size", "consent"}}) {
    const fs::path file = deployment.path("agreements/" + terms.id + ".json");
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::trunc)
        << R"({"schema": "nser-agreement-v1", "id": ")" << terms.id << R"(", "version": 1, "programme": ")"
        << terms.programme << R"(", "custodians": ["nser"], "purposes": [{"code": ")" << terms.purpose
        << R"(", "text": ")" << terms.text << R"("}], "attributes": [")" << terms.attribute
        << R"("], "legal_basis": ")" << terms.basis << R"(", "valid_from": )" << now - 86400
        << R"(, "valid_until": )" << now + 86400 * 365 << R"(, "status": "active"})" << "\n";
    deployment.runAs("admin", "agreement-" + terms.id, {"admin", "agreement", "add", fs::absolute(file).string()});
  }
}

void printMatrix(const OverlapMatrix& matrix, std::ostream& out) {
  out << "      " << std::setw(12) << "";
  for (const auto& name : matrix.custodians) out << std::setw(12) << name;
  out << "\n";
  for (std::size_t row = 0; row < matrix.custodians.size(); ++row) {
    out << "      " << std::setw(12) << std::left << matrix.custodians[row] << std::right;
    for (std::size_t column = 0; column < matrix.custodians.size(); ++column) {
      out << std::setw(12) << matrix.cell(row, column);
    }
    out << "\n";
  }
}

// Seconds spent in each step, for the report and docs/performance.md.
class PhaseClock {
 public:
  void begin(const std::string& phase) {
    end();
    current_ = phase;
    since_ = std::chrono::steady_clock::now();
  }
  void end() {
    if (current_.empty()) return;
    const double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - since_).count();
    phases_->set(current_, spent);
    order_.emplace_back(current_, spent);
    current_.clear();
  }
  Object::Ptr phases() const { return phases_; }
  const std::vector<std::pair<std::string, double>>& inOrder() const { return order_; }

 private:
  std::string current_;
  std::chrono::steady_clock::time_point since_;
  Object::Ptr phases_ = new Object;
  std::vector<std::pair<std::string, double>> order_;
};

int runDemo(const Arguments& parsed, CommandIo io) {
  const auto started = std::chrono::steady_clock::now();
  PhaseClock clock;
  const auto people = static_cast<std::uint64_t>(parsed.integerOr("people", 200000, 100, 5'000'000));
  const auto seed = static_cast<std::uint64_t>(parsed.integerOr("seed", 2026, 0, INT64_MAX));
  const fs::path directory = fs::absolute(parsed.valueOr("dir", "nser-demo"));
  const bool keepRunning = parsed.has("keep-running");
  if (keepRunning) service::blockTerminationSignals();
  std::ostream& out = io.out;
  Object report;
  report.set("people", people);

  out << "NSER Hub national demo: " << withThousands(people) << " synthetic people, the NSER registry and four\n"
      << "provincial programmes; a hub and five custodian connectors on loopback over mutual TLS.\n"
      << "Working directory: " << directory.string() << "\n\n";
  // A fresh deployment each run (the synthetic data is regenerated too).
  for (const char* part : {"pki", "hub-data", "connectors", "logs", "evaluation", "auditor", "witness", "agreements"}) {
    fs::remove_all(directory / part);
  }
  fs::create_directories(directory);

  clock.begin("synthesis");
  out << "[1/7] synthetic population (nser synth, seed " << seed << ")" << std::endl;
  synth::SynthOptions synthOptions;
  synthOptions.people = people;
  synthOptions.seed = seed;
  synthOptions.outDir = directory / "synth";
  for (const auto& source : synth::defaultSources()) {
    if (std::find(kCustodians.begin(), kCustodians.end(), source.name) != kCustodians.end()) {
      synthOptions.sources.push_back(source);
    }
  }
  const auto geography = synth::AdminGeography::load(synth::AdminGeography::locateDefault());
  const auto population = synth::runSynth(geography, synthOptions);
  Object::Ptr sourceRows = new Object;
  for (const auto& [source, rows] : population.recordsPerSource) {
    out << "      " << std::setw(12) << std::left << source << std::right << withThousands(rows) << " records\n";
    sourceRows->set(source, rows);
  }
  report.set("source_records", sourceRows);

  DemoDeployment::Options options;
  options.directory = directory;
  options.synthDirectory = directory / "synth";
  options.schemas = locateSchemas(parsed);
  options.nser = currentExecutable();
  options.hubPort = static_cast<int>(parsed.integerOr("hub-port", 0, 0, 65535));
  options.custodians = custodians();
  DemoDeployment deployment(options);

  clock.begin("pki");
  out << "[2/7] certificate authority, party certificates, the custodians' linkage secret" << std::endl;
  deployment.prepare();
  out << "      CA " << deployment.path("pki/ca").string() << "; certificates for hub, admin, auditor and "
      << kCustodians.size() << " custodians\n";

  clock.begin("hub_start_and_registration");
  out << "[3/7] the hub" << std::endl;
  deployment.startHub();
  out << "      listening on https://127.0.0.1:" << deployment.hubPort() << " (mutual TLS 1.3)\n";
  registerParties(deployment);
  out << "      registered: 5 custodians, an auditor, programmes " << kStatutoryProgramme << " (via punjab) and "
      << kConsentProgramme << " (via sindh)\n"
      << "      agreements with NSER: punjab-ehsaas-eligibility (statutory: pmt_score for eligibility),\n"
      << "      sindh-sehat-health-card (consent: household_size for a health card)\n";

  clock.begin("sync");
  out << "[4/7] every custodian syncs its source: normalised and encoded locally, pushed as keyed encodings"
      << std::endl;
  const auto syncStarted = std::chrono::steady_clock::now();
  const bool interactive = isatty(STDOUT_FILENO) != 0;
  int ticks = 0;
  const auto outcomes = deployment.syncAll([&] {
    if (++ticks % (interactive ? 1 : 15) != 0) return;
    try {
      const auto status = hubStatus(deployment);
      out << (interactive ? "\r" : "") << "      hub: " << withThousands(status->getValue<std::uint64_t>("records"))
          << " records, " << withThousands(status->getValue<std::uint64_t>("entities")) << " entities after "
          << seconds(syncStarted) << (interactive ? "   " : "\n") << std::flush;
    } catch (const std::exception&) {
      // progress is best effort; the sync outcome below is what counts
    }
  });
  if (interactive) out << "\n";
  bool synced = true;
  for (const auto& outcome : outcomes) {
    out << "      " << std::setw(12) << std::left << outcome.custodian << std::right << outcome.summary
        << (outcome.summary.empty() || outcome.summary.back() != '\n' ? "\n" : "");
    synced = synced && outcome.exitCode == 0;
  }
  if (!synced) throw DemoError("a connector's sync failed; see " + deployment.path("logs").string());
  out << "      synced in " << seconds(syncStarted) << "\n";

  clock.begin("report");
  out << "[5/7] report" << std::endl;
  const auto status = hubStatus(deployment);
  const auto records = status->getValue<std::uint64_t>("records");
  const auto entities = status->getValue<std::uint64_t>("entities");
  out << "      the hub holds " << withThousands(records) << " records in " << withThousands(entities)
      << " entities (keyed encodings under pseudonymous references only)\n";
  report.set("hub_records", records);
  report.set("hub_entities", entities);

  // Linkage quality: the hub's membership joined with each custodian's map.
  const auto exported = deployment.hubClient("admin")->get("/admin/entities/export");
  if (exported.status != 200) throw DemoError("entity export: HTTP " + std::to_string(exported.status));
  const fs::path exportFile = deployment.path("evaluation/hub-entities.csv");
  fs::create_directories(exportFile.parent_path());
  std::ofstream(exportFile, std::ios::binary | std::ios::trunc) << exported.body;
  std::map<std::string, fs::path> references;
  for (const auto& custodian : kCustodians) references[custodian] = deployment.exportReferences(custodian);
  const auto joined = joinMemberships(exportFile, references);
  const fs::path clusters = deployment.path("evaluation/clusters.csv");
  writeClusters(joined.members, clusters);
  const auto truth = linkage::TruthIndex::load((directory / "synth" / "truth.csv").string());
  const auto quality = linkage::evaluateClustersFile(truth, clusters.string());
  const auto& pairwise = quality.evaluation.pairwise;
  const auto& bcubed = quality.evaluation.bcubed;
  out << std::fixed << std::setprecision(4)
      << "      linkage quality against the synthetic truth (" << withThousands(quality.evaluation.records)
      << " records, " << withThousands(quality.evaluation.trueEntities) << " true people):\n"
      << "        pairwise  precision " << pairwise.precision() << "  recall " << pairwise.recall() << "  F1 "
      << pairwise.f1() << "  (TP " << pairwise.truePositives << ", FP " << pairwise.falsePositives << ", FN "
      << pairwise.falseNegatives << ")\n"
      << "        B-cubed   precision " << bcubed.precision << "  recall " << bcubed.recall << "  F1 " << bcubed.f1()
      << "\n";
  if (joined.unknownReferences != 0 || joined.notAtHub != 0 || quality.recordsNotAssigned != 0) {
    out << "        (" << joined.unknownReferences << " hub references no custodian maps, " << joined.notAtHub
        << " custodian records not at the hub, " << quality.recordsNotAssigned << " truth records unassigned)\n";
  }
  Object::Ptr qualityJson = new Object;
  qualityJson->set("pairwise_precision", pairwise.precision());
  qualityJson->set("pairwise_recall", pairwise.recall());
  qualityJson->set("pairwise_f1", pairwise.f1());
  qualityJson->set("bcubed_precision", bcubed.precision);
  qualityJson->set("bcubed_recall", bcubed.recall);
  qualityJson->set("bcubed_f1", bcubed.f1());
  qualityJson->set("records", quality.evaluation.records);
  qualityJson->set("unknown_references", joined.unknownReferences);
  qualityJson->set("records_not_at_hub", joined.notAtHub);
  report.set("quality", qualityJson);

  const auto matrix = overlapMatrix(joined.members, kCustodians);
  out << "      programme overlap: people (hub entities) held by both; cells below "
      << OverlapMatrix::kSuppressBelow << " suppressed\n";
  printMatrix(matrix, out);
  Object::Ptr overlapJson = new Object;
  Array::Ptr names = new Array;
  Array::Ptr cells = new Array;
  for (std::size_t row = 0; row < matrix.custodians.size(); ++row) {
    names->add(matrix.custodians[row]);
    Array::Ptr line = new Array;
    for (std::size_t column = 0; column < matrix.custodians.size(); ++column) line->add(matrix.cell(row, column));
    cells->add(line);
  }
  overlapJson->set("custodians", names);
  overlapJson->set("cells", cells);
  report.set("overlap", overlapJson);

  clock.begin("scenarios");
  out << "[6/7] scenarios (programme systems ask through their custodian's gateway)" << std::endl;
  deployment.startConnectors();
  const auto statutory = chooseSubject(options.synthDirectory, kCustodians, joined, "punjab", "pmt_score", {});
  const auto consent =
      chooseSubject(options.synthDirectory, kCustodians, joined, "sindh", "household_size", {statutory.entity});
  const auto results = runScenarios(deployment, {kStatutoryProgramme, kConsentProgramme}, statutory, consent);
  bool allPassed = true;
  Array::Ptr scenarios = new Array;
  int number = 0;
  for (const auto& result : results) {
    out << "      " << ++number << ". " << result.name << "\n"
        << "         expected " << result.expected << "; got " << result.outcome << "  "
        << (result.passed ? "[ok]" : "[UNEXPECTED]") << "\n";
    for (const auto& line : result.evidence) out << "           " << line << "\n";
    allPassed = allPassed && result.passed;
    Object::Ptr entry = new Object;
    entry->set("name", result.name);
    entry->set("expected", result.expected);
    entry->set("outcome", result.outcome);
    entry->set("passed", result.passed);
    scenarios->add(entry);
  }
  report.set("scenarios", scenarios);
  report.set("all_scenarios_passed", allPassed);
  clock.end();
  report.set("phase_seconds", clock.phases());
  report.set("seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  report.set("hub_url", "https://127.0.0.1:" + std::to_string(deployment.hubPort()));
  Object::Ptr gateways = new Object;
  for (const auto& custodian : kCustodians) {
    gateways->set(custodian, "http://127.0.0.1:" + std::to_string(deployment.gatewayPort(custodian)));
  }
  report.set("gateways", gateways);

  out << "[7/7] where to look next (finished in " << seconds(started) << ")\n"
      << "      time by step:";
  for (const auto& [phase, spent] : clock.inOrder()) {
    out << " " << phase << " " << std::fixed << std::setprecision(1) << spent << " s;";
  }
  out << "\n      hub           https://127.0.0.1:" << deployment.hubPort() << "  (/health, /metrics; mutual TLS)\n";
  for (const auto& custodian : kCustodians) {
    out << "      " << std::setw(13) << std::left << custodian << std::right << " gateway http://127.0.0.1:"
        << deployment.gatewayPort(custodian) << "/registry/sync/search (loopback only)\n";
  }
  out << "      admin         nser admin status --hub https://127.0.0.1:" << deployment.hubPort() << " --cert "
      << deployment.path("pki/issued/admin.crt").string() << " --key " << deployment.path("pki/issued/admin.key").string()
      << " --ca " << deployment.path("pki/ca/ca.crt").string() << "\n"
      << "      data          " << deployment.path("hub-data").string() << ", " << deployment.path("connectors").string()
      << "/*/state\n"
      << "      logs          " << deployment.path("logs").string() << "\n"
      << "      evaluation    " << deployment.path("evaluation").string() << " (clusters.csv, hub-entities.csv)\n"
      << "      docs          docs/architecture.md, docs/brokering.md, docs/audit-format.md, docs/guides/\n";

  if (parsed.has("report-json")) {
    std::ofstream file(parsed.required("report-json"), std::ios::trunc);
    report.stringify(file, 2);
    file << "\n";
    if (!file.flush()) throw DemoError("cannot write " + parsed.required("report-json"));
  }
  if (keepRunning) {
    out << "\nEverything keeps running (--keep-running); Ctrl-C or SIGTERM stops it." << std::endl;
    service::waitForTerminationSignal();
  }
  deployment.stopAll();
  out << (allPassed ? "\nEvery scenario had its expected outcome; all processes stopped.\n"
                    : "\nSome scenarios did NOT have their expected outcome (see above); all processes stopped.\n");
  return allPassed ? kExitOk : kExitFailure;
}

}  // namespace

Command demoCommand() {
  Command command;
  command.name = "demo";
  command.summary = "The national demo: synthetic NSER + provinces, a hub and five connectors, report and scenarios";
  command.help =
      "Usage: nser demo [--people N] [--seed S] [--dir DIR] [--hub-port P] [--keep-running]\n"
      "                 [--report-json FILE] [--schemas DIR]\n\n"
      "Generates a synthetic population (default 200,000 people) with the NSER registry and\n"
      "four provincial programme sources, creates a local CA and certificates, starts the hub\n"
      "and one connector per custodian as separate processes on loopback with mutual TLS,\n"
      "syncs every source, and reports records and entities, linkage quality against the\n"
      "synthetic truth (pairwise and B-cubed precision, recall, F1) and the programme overlap\n"
      "matrix (cells below 10 suppressed). Then runs the scenarios: a statutory permit, a\n"
      "denial for lack of consent, a permit after consent, a denial after revocation, a\n"
      "witness cosignature, an auditor's verification of the log, and a subject access\n"
      "report. Stops everything it started unless --keep-running.\n\n"
      "  --people N        population size (default 200000)\n"
      "  --seed S          synthetic data seed (default 2026)\n"
      "  --dir DIR         working directory (default ./nser-demo; its deployment is recreated)\n"
      "  --hub-port P      the hub's port (default: any free port)\n"
      "  --keep-running    leave the hub and connectors running until SIGINT/SIGTERM\n"
      "  --report-json F   also write the report as JSON\n"
      "  --schemas DIR     the schemas/ folder (default: ./schemas or the source tree's)\n\n"
      "Exit 0 when every scenario had its expected outcome, 1 otherwise.\n";
  command.run = [](const std::vector<std::string>& args, CommandIo io) {
    const Arguments parsed = Arguments::parse(args, {{"people"},
                                                     {"seed"},
                                                     {"dir"},
                                                     {"hub-port"},
                                                     {"keep-running", false},
                                                     {"report-json"},
                                                     {"schemas"}});
    if (!parsed.positionals().empty()) throw UsageError("unexpected argument '" + parsed.positionals().front() + "'");
    try {
      return runDemo(parsed, io);
    } catch (const UsageError&) {
      throw;
    } catch (const std::exception& e) {
      io.err << "nser demo: " << e.what() << "\n";
      return kExitFailure;
    }
  };
  return command;
}

}  // namespace nser::cli
