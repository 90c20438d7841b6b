#include "cli/admin_linkage_epoch.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "cli/arguments.h"
#include "cli/hub_connection.h"

namespace nser::cli {
namespace {

using Poco::JSON::Object;

void printStatus(const Object::Ptr& body, std::ostream& out) {
  out << "current key epoch: " << body->getValue<std::uint32_t>("current_epoch") << "\n";
  if (body->has("previous_epoch")) {
    out << "switched from:     " << body->getValue<std::uint32_t>("previous_epoch") << "\n";
    const auto result = body->getObject("result");
    out << "re-encoded " << result->getValue<std::uint64_t>("re_encoded") << ", rescored "
        << result->getValue<std::uint64_t>("rescored") << ", dropped " << result->getValue<std::uint64_t>("dropped")
        << "\n";
  }
  if (body->has("abandoned_epoch")) {
    out << "aborted epoch:     " << body->getValue<std::uint32_t>("abandoned_epoch") << " ("
        << body->getValue<std::uint64_t>("discarded_encodings") << " staged encodings discarded)\n";
  }
  if (body->getValue<std::string>("state") != "prepared") {
    out << "no rotation in progress\n";
    return;
  }
  out << "next key epoch:    " << body->getValue<std::uint32_t>("next_epoch") << " (prepared "
      << body->getValue<std::string>("prepared_at") << " by " << body->getValue<std::string>("prepared_by") << ")\n";
  const auto custodians = body->getArray("custodians");
  for (std::size_t i = 0; i < custodians->size(); ++i) {
    const auto c = custodians->getObject(static_cast<unsigned>(i));
    out << "custodian " << c->getValue<std::string>("custodian") << ": " << c->getValue<std::uint64_t>("re_encoded")
        << " of " << c->getValue<std::uint64_t>("records") << " records re-encoded, "
        << c->getValue<std::uint64_t>("missing") << " missing, " << c->getValue<std::uint64_t>("new_at_next_epoch")
        << " new at the next epoch\n";
  }
  out << (body->getValue<bool>("ready_to_switch") ? "ready to switch\n" : "not ready to switch\n");
}

}  // namespace

int runAdminLinkageEpoch(const std::vector<std::string>& args, CommandIo io) {
  if (args.empty()) throw UsageError("linkage-epoch needs an action: status, prepare EPOCH, switch, abort");
  const std::string action = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  std::vector<OptionSpec> specs = hubConnectionOptions();
  specs.push_back({"json", false});
  if (action == "prepare") specs.push_back({"key-fingerprint"});
  if (action == "switch") specs.push_back({"force", false});
  const auto parsed = Arguments::parse(rest, specs);

  std::string method = "POST";
  std::string path = "/admin/linkage/epoch/" + action;
  std::string body;
  if (action == "status") {
    method = "GET";
    path = "/admin/linkage/epoch";
  } else if (action == "prepare") {
    if (parsed.positionals().size() != 1) throw UsageError("prepare needs the next key epoch (a number)");
    std::uint64_t epoch = 0;
    try {
      std::size_t used = 0;
      epoch = std::stoull(parsed.positionals().front(), &used);
      if (used != parsed.positionals().front().size() || epoch == 0 || epoch > UINT32_MAX) throw std::out_of_range("");
    } catch (const std::exception&) {
      throw UsageError("the key epoch must be a number from 1 to 4294967295");
    }
    Object request;
    request.set("epoch", epoch);
    if (parsed.has("key-fingerprint")) request.set("key_fingerprint", parsed.required("key-fingerprint"));
    std::ostringstream text;
    request.stringify(text);
    body = text.str();
  } else if (action == "switch") {
    if (parsed.has("force")) path += "?force=true";
  } else if (action != "abort") {
    throw UsageError("unknown linkage-epoch action '" + action + "'");
  }
  if ((action != "prepare") && !parsed.positionals().empty()) throw UsageError(action + " takes no arguments");

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
  printStatus(parser.parse(response.body).extract<Object::Ptr>(), io.out);
  return kExitOk;
}

}  // namespace nser::cli
