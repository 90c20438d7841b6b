// `nser admin ...`: data-governance administration of a running hub, as a
// party with the admin role (mutual TLS; cli/hub_connection.h).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "cli/admin_linkage_epoch.h"
#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/hub_connection.h"
#include "pki/certificate_info.h"

namespace nser::cli {
namespace {

using Poco::JSON::Object;

std::vector<OptionSpec> withConnection(std::vector<OptionSpec> specs) {
  for (auto& spec : hubConnectionOptions()) specs.push_back(spec);
  specs.push_back({"json", false});
  return specs;
}

std::string fingerprintFrom(const Arguments& parsed) {
  if (parsed.has("fingerprint") && parsed.has("certificate")) {
    throw UsageError("give either --fingerprint or --certificate, not both");
  }
  if (parsed.has("certificate")) return pki::certificateFingerprint(parsed.required("certificate"));
  if (parsed.has("fingerprint")) return pki::normaliseFingerprint(parsed.required("fingerprint"));
  return "";
}

std::string jsonText(const Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

void printParty(const Object::Ptr& party, std::ostream& out) {
  out << party->getValue<std::string>("id") << "  role=" << party->getValue<std::string>("role")
      << "  status=" << party->getValue<std::string>("status");
  if (party->has("custodian_number")) out << "  custodian_number=" << party->getValue<int>("custodian_number");
  const auto certificates = party->getArray("certificates");
  out << "  certificates=" << (certificates ? certificates->size() : 0);
  const auto name = party->optValue<std::string>("name", "");
  if (!name.empty()) out << "  name=\"" << name << "\"";
  out << "\n";
}

// Runs one call; prints the answer (JSON with --json, else `render`).
int call(const Arguments& parsed, CommandIo io, const std::string& method, const std::string& path,
         const std::string& body, const std::function<void(const Object::Ptr&)>& render) {
  auto client = connectToHub(parsed);
  const auto response = client->request(method, path, body.empty() ? "" : "application/json", body);
  if (response.status >= 300) {
    io.err << "nser admin: " << describeHubError(response) << "\n";
    return kExitFailure;
  }
  if (parsed.has("json")) {
    io.out << response.body << "\n";
    return kExitOk;
  }
  Poco::JSON::Parser parser;
  render(parser.parse(response.body).extract<Object::Ptr>());
  return kExitOk;
}

std::string onePositional(const Arguments& parsed, const std::string& what) {
  if (parsed.positionals().size() != 1) throw UsageError("expected exactly one " + what);
  return parsed.positionals().front();
}

int runParty(const std::vector<std::string>& args, CommandIo io) {
  if (args.empty()) throw UsageError("party needs an action: add, list, show, disable, enable, bind, unbind");
  const std::string action = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  auto printer = [&](const Object::Ptr& party) { printParty(party, io.out); };
  if (action == "list") {
    const auto parsed = Arguments::parse(rest, withConnection({}));
    return call(parsed, io, "GET", "/admin/parties", "", [&](const Object::Ptr& body) {
      const auto parties = body->getArray("parties");
      for (std::size_t i = 0; i < parties->size(); ++i) printParty(parties->getObject(static_cast<unsigned>(i)), io.out);
    });
  }
  if (action == "add") {
    const auto parsed =
        Arguments::parse(rest, withConnection({{"role"}, {"name"}, {"fingerprint"}, {"certificate"}, {"via"}}));
    Object body;
    body.set("id", onePositional(parsed, "party id"));
    body.set("role", parsed.required("role"));
    if (parsed.has("name")) body.set("name", parsed.required("name"));
    if (parsed.has("via")) body.set("via", parsed.required("via"));
    if (const auto fingerprint = fingerprintFrom(parsed); !fingerprint.empty()) {
      body.set("certificate_fingerprint", fingerprint);
    }
    return call(parsed, io, "POST", "/admin/parties", jsonText(body), printer);
  }
  if (action == "show" || action == "disable" || action == "enable") {
    const auto parsed = Arguments::parse(rest, withConnection({}));
    std::string encoded;
    Poco::URI::encode(onePositional(parsed, "party id"), "/?#", encoded);
    if (action == "show") return call(parsed, io, "GET", "/admin/parties/" + encoded, "", printer);
    return call(parsed, io, "POST", "/admin/parties/" + encoded + "/" + action, "", printer);
  }
  if (action == "bind" || action == "unbind") {
    const auto parsed = Arguments::parse(rest, withConnection({{"fingerprint"}, {"certificate"}}));
    std::string encoded;
    Poco::URI::encode(onePositional(parsed, "party id"), "/?#", encoded);
    const std::string fingerprint = fingerprintFrom(parsed);
    if (fingerprint.empty()) throw UsageError(action + " needs --fingerprint or --certificate");
    if (action == "unbind") {
      return call(parsed, io, "DELETE", "/admin/parties/" + encoded + "/certificates/" + fingerprint, "", printer);
    }
    Object body;
    body.set("certificate_fingerprint", fingerprint);
    return call(parsed, io, "POST", "/admin/parties/" + encoded + "/certificates", jsonText(body), printer);
  }
  throw UsageError("unknown party action '" + action + "'");
}

int runStatus(const std::vector<std::string>& args, CommandIo io) {
  const auto parsed = Arguments::parse(args, withConnection({}));
  return call(parsed, io, "GET", "/admin/status", "", [&](const Object::Ptr& body) {
    io.out << "hub:      " << body->getValue<std::string>("hub_id") << "\n"
           << "schema:   " << body->getValue<std::string>("schema_id") << " (key epoch "
           << body->getValue<int>("key_epoch") << ")\n"
           << "records:  " << body->getValue<std::uint64_t>("records") << "\n"
           << "entities: " << body->getValue<std::uint64_t>("entities") << "\n"
           << "parties:  " << body->getValue<std::uint64_t>("parties") << "\n";
    const auto ingest = body->getObject("ingest");
    io.out << "ingest:   batches applied " << ingest->getValue<std::uint64_t>("batches_applied") << ", duplicate "
           << ingest->getValue<std::uint64_t>("batches_duplicate") << ", rejected "
           << ingest->getValue<std::uint64_t>("batches_rejected") << ", throttled "
           << ingest->getValue<std::uint64_t>("batches_throttled") << "; records upserted "
           << ingest->getValue<std::uint64_t>("records_upserted") << ", deleted "
           << ingest->getValue<std::uint64_t>("records_deleted") << "; merges "
           << ingest->getValue<std::uint64_t>("merges") << ", splits " << ingest->getValue<std::uint64_t>("splits")
           << "\n";
    const auto custodians = body->getArray("custodians");
    for (std::size_t i = 0; i < custodians->size(); ++i) {
      const auto c = custodians->getObject(static_cast<unsigned>(i));
      io.out << "custodian " << c->getValue<std::string>("id") << ": last batch sequence "
             << c->getValue<std::uint64_t>("last_sequence") << "\n";
    }
  });
}

int runEvents(const std::vector<std::string>& args, CommandIo io) {
  const auto parsed = Arguments::parse(args, withConnection({{"after"}, {"limit"}}));
  const auto after = parsed.integerOr("after", 0, 0, INT64_MAX);
  const auto limit = parsed.integerOr("limit", 100, 1, 1000);
  return call(parsed, io, "GET", "/admin/events?after=" + std::to_string(after) + "&limit=" + std::to_string(limit),
              "", [&](const Object::Ptr& body) {
                const auto events = body->getArray("events");
                for (std::size_t i = 0; i < events->size(); ++i) {
                  events->getObject(static_cast<unsigned>(i))->stringify(io.out);
                  io.out << "\n";
                }
              });
}

std::string readDocument(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void printAgreement(const Object::Ptr& agreement, std::ostream& out) {
  out << agreement->getValue<std::string>("id") << "  version=" << agreement->getValue<int>("version")
      << "  programme=" << agreement->getValue<std::string>("programme")
      << "  basis=" << agreement->getValue<std::string>("legal_basis")
      << "  status=" << agreement->getValue<std::string>("status") << "\n";
}

int runAgreement(const std::vector<std::string>& args, CommandIo io) {
  if (args.empty()) throw UsageError("agreement needs an action: add, amend, end, list, show, history");
  const std::string action = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  const auto parsed = Arguments::parse(rest, withConnection({}));
  auto printer = [&](const Object::Ptr& agreement) { printAgreement(agreement, io.out); };
  auto listPrinter = [&](const std::string& key) {
    return [&io, key](const Object::Ptr& body) {
      const auto list = body->getArray(key);
      for (std::size_t i = 0; i < list->size(); ++i) printAgreement(list->getObject(static_cast<unsigned>(i)), io.out);
    };
  };
  if (action == "list") return call(parsed, io, "GET", "/admin/agreements", "", listPrinter("agreements"));
  if (action == "add") {
    return call(parsed, io, "POST", "/admin/agreements", readDocument(onePositional(parsed, "agreement file")), printer);
  }
  if (action == "amend") {
    const std::string document = readDocument(onePositional(parsed, "agreement file"));
    Poco::JSON::Parser parser;
    std::string id;
    try {
      id = parser.parse(document).extract<Object::Ptr>()->getValue<std::string>("id");
    } catch (const Poco::Exception&) {
      throw std::runtime_error("the agreement file has no \"id\"");
    }
    std::string encoded;
    Poco::URI::encode(id, "/?#", encoded);
    return call(parsed, io, "PUT", "/admin/agreements/" + encoded, document, printer);
  }
  std::string encoded;
  Poco::URI::encode(onePositional(parsed, "agreement id"), "/?#", encoded);
  if (action == "show") return call(parsed, io, "GET", "/admin/agreements/" + encoded, "", printer);
  if (action == "history") {
    return call(parsed, io, "GET", "/admin/agreements/" + encoded + "/history", "", listPrinter("versions"));
  }
  if (action == "end") return call(parsed, io, "POST", "/admin/agreements/" + encoded + "/end", "", printer);
  throw UsageError("unknown agreement action '" + action + "'");
}

int runConsent(const std::vector<std::string>& args, CommandIo io) {
  if (args.empty() || args.front() != "import") throw UsageError("consent needs an action: import FILE");
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  const auto parsed = Arguments::parse(rest, withConnection({}));
  auto client = connectToHub(parsed);
  const auto response = client->request("POST", "/admin/consents/import", "application/x-ndjson",
                                        readDocument(onePositional(parsed, "file of signed consent artefacts")));
  if (response.status != 200 && response.status != 207) {
    io.err << "nser admin: " << describeHubError(response) << "\n";
    return kExitFailure;
  }
  if (parsed.has("json")) {
    io.out << response.body << "\n";
  } else {
    Poco::JSON::Parser parser;
    const auto body = parser.parse(response.body).extract<Object::Ptr>();
    const auto rejected = body->getArray("rejected");
    io.out << "lines=" << body->getValue<int>("lines") << " imported=" << body->getValue<int>("imported")
           << " rejected=" << rejected->size() << "\n";
    for (std::size_t i = 0; i < rejected->size(); ++i) {
      const auto item = rejected->getObject(static_cast<unsigned>(i));
      io.err << "line " << item->getValue<int>("line") << ": " << item->getValue<std::string>("error") << "\n";
    }
  }
  return response.status == 200 ? kExitOk : kExitFailure;
}

// An online backup of the hub (docs/backup-restore.md): the path is on the hub's machine.
int runBackup(const std::vector<std::string>& args, CommandIo io) {
  const auto parsed = Arguments::parse(args, withConnection({}));
  return call(parsed, io, "POST", "/admin/backup", "", [&](const Object::Ptr& body) {
    io.out << "backup: " << body->getValue<std::string>("path") << "\n"
           << "store bytes: " << body->getValue<std::uint64_t>("store_bytes")
           << ", audit bytes: " << body->getValue<std::uint64_t>("audit_bytes")
           << ", key files: " << body->getValue<std::uint64_t>("key_files") << "\n"
           << "audit tree size: " << body->getValue<std::uint64_t>("audit_tree_size")
           << ", root: " << body->getValue<std::string>("audit_root") << "\n";
  });
}

int runModel(const std::vector<std::string>& args, CommandIo io) {
  if (args.empty()) throw UsageError("model needs an action: show, retrain, switch");
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  const auto parsed = Arguments::parse(rest, withConnection({}));
  auto render = [&](const Object::Ptr& body) {
    body->stringify(io.out, 2);
    io.out << "\n";
  };
  if (args.front() == "show") return call(parsed, io, "GET", "/admin/model", "", render);
  if (args.front() == "retrain") return call(parsed, io, "POST", "/admin/model/retrain", "", render);
  if (args.front() == "switch") return call(parsed, io, "POST", "/admin/model/switch", "", render);
  throw UsageError("unknown model action '" + args.front() + "'");
}

}  // namespace

Command adminCommand() {
  Command command;
  command.name = "admin";
  command.summary = "Administer a running hub: parties, agreements, consent, status, events, models";
  command.help =
      "Usage: nser admin party add ID --role ROLE [--name N] [--fingerprint FP | --certificate PEM]\n"
      "                            [--via CUSTODIAN]   (a programme: the custodian it queries through)\n"
      "       nser admin party list | show ID | disable ID | enable ID\n"
      "       nser admin party bind ID (--fingerprint FP | --certificate PEM)\n"
      "       nser admin party unbind ID (--fingerprint FP | --certificate PEM)\n"
      "       nser admin status\n"
      "       nser admin events [--after N] [--limit M]\n"
      "       nser admin model show | retrain | switch\n"
      "       nser admin linkage-epoch status | prepare EPOCH [--key-fingerprint FP] | switch [--force] | abort\n"
      "       nser admin agreement add FILE | amend FILE | end ID | list | show ID | history ID\n"
      "       nser admin consent import FILE   (one custodian-signed consent artefact per line)\n"
      "       nser admin backup                (online backup into the hub's backup directory)\n\n"
      "Every form also takes the connection options (or their environment variables):\n"
      "  --hub https://HOST:PORT   the hub ($NSER_HUB_URL)\n"
      "  --cert FILE --key FILE    an admin party's certificate and key ($NSER_CERT, $NSER_KEY)\n"
      "  --ca FILE                 the deployment CA certificate ($NSER_CA)\n"
      "  --json                    print the hub's JSON answer as it is\n\n"
      "model retrain trains a candidate model on the encodings the hub holds and reports\n"
      "what re-resolving every record with it would change; model switch adopts it.\n"
      "Roles: custodian (a data custodian's connector), programme, admin, auditor.\n"
      "A fingerprint is the SHA-256 of the certificate's DER form (`nser pki fingerprint`).\n";
  command.run = [](const std::vector<std::string>& args, CommandIo io) {
    if (args.empty()) {
      throw UsageError("nser admin needs a subject: party, status, events, model, agreement, consent, backup");
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    try {
      if (args.front() == "party") return runParty(rest, io);
      if (args.front() == "status") return runStatus(rest, io);
      if (args.front() == "events") return runEvents(rest, io);
      if (args.front() == "model") return runModel(rest, io);
      if (args.front() == "linkage-epoch") return runAdminLinkageEpoch(rest, io);
      if (args.front() == "agreement") return runAgreement(rest, io);
      if (args.front() == "consent") return runConsent(rest, io);
      if (args.front() == "backup") return runBackup(rest, io);
    } catch (const UsageError&) {
      throw;
    } catch (const std::exception& e) {
      io.err << "nser admin: " << e.what() << "\n";
      return kExitFailure;
    }
    throw UsageError("unknown admin subject '" + args.front() + "'");
  };
  return command;
}

}  // namespace nser::cli
