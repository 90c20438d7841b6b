#include "cli/demo_deployment.h"

#include <sodium.h>
#include <sys/stat.h>

#include <fstream>
#include <cctype>
#include <thread>

#include "pki/certificate_authority.h"
#include "pki/certificate_issuer.h"

namespace nser::cli {
namespace fs = std::filesystem;
namespace {

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw DemoError("cannot write " + path.string());
}

std::string quoted(const fs::path& path) {
  std::string text = "\"";
  for (const char c : path.string()) {
    if (c == '"' || c == '\\') text += '\\';
    text += c;
  }
  return text + "\"";
}

// The port in a "... listening on SCHEME://ADDRESS:PORT" line: the digits
// after the last ':' (0 when there are none).
int portOf(const std::string& line) {
  const auto colon = line.find_last_of(':');
  if (colon == std::string::npos) return 0;
  int port = 0;
  for (std::size_t i = colon + 1; i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])); ++i) {
    port = port * 10 + (line[i] - '0');
    if (port > 65535) return 0;
  }
  return port;
}

constexpr auto kStartTimeout = std::chrono::seconds(120);

}  // namespace

DemoDeployment::DemoDeployment(Options options) : options_(std::move(options)) {}

DemoDeployment::~DemoDeployment() { stopAll(); }

void DemoDeployment::prepare() {
  fs::create_directories(path("logs"));
  const fs::path ca = path("pki/ca");
  if (!fs::exists(ca / "ca.crt")) pki::createCertificateAuthority(ca, "NSER demo CA", pki::CaOptions{});
  auto issue = [&](const std::string& party, bool server) {
    if (fs::exists(path("pki/issued") / (party + ".crt"))) return;
    pki::IssueRequest request;
    request.partyId = party;
    request.serverAuth = server;
    request.clientAuth = true;
    if (server) request.subjectAltNames = {"127.0.0.1", "localhost"};
    pki::issueCertificate(ca, request, path("pki/issued"));
  };
  // The hub and the connectors serve and call each other: both usages.
  issue("hub", true);
  for (const auto& custodian : options_.custodians) issue(custodian.id, true);
  issue("admin", false);
  issue("auditor", false);

  // The linkage secret: custodians only (it is never in the hub's files).
  const fs::path secret = path("linkage.key");
  if (!fs::exists(secret)) {
    if (sodium_init() < 0) throw DemoError("libsodium failed to initialise");
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    char text[sodium_base64_ENCODED_LEN(sizeof key, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(text, sizeof text, key, sizeof key, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(key, sizeof key);
    const mode_t previous = ::umask(077);
    writeText(secret, std::string(text) + "\n");
    ::umask(previous);
    sodium_memzero(text, sizeof text);
  }
  fs::permissions(secret, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  writeHubConfig();
  for (const auto& custodian : options_.custodians) writeConnectorConfig(custodian);
}

void DemoDeployment::writeHubConfig() {
  const fs::path schemas = options_.schemas / "linkage";
  writeText(path("hub.json"),
            "{\"listen\": {\"address\": \"127.0.0.1\", \"port\": " + std::to_string(options_.hubPort) +
                "},\n"
                " \"tls\": {\"certificate\": \"pki/issued/hub.crt\", \"private_key\": \"pki/issued/hub.key\",\n"
                "         \"ca_certificate\": \"pki/ca/ca.crt\", \"crl\": \"pki/ca/ca.crl\"},\n"
                " \"data_directory\": \"hub-data\",\n"
                " \"linkage\": {\"schema\": " +
                quoted(schemas / "nser-person-v1.json") + ", \"model\": " +
                quoted(schemas / "nser-person-v1.model.json") +
                ", \"key_epoch\": 1},\n"
                " \"bootstrap_admins\": [{\"id\": \"admin\", \"certificate\": \"pki/issued/admin.crt\"}],\n"
                " \"audit\": {\"origin\": \"nser-hub.demo\", \"checkpoint_interval_ms\": 2000},\n"
                " \"log\": {\"format\": \"json\", \"level\": \"notice\"}}\n");
}

fs::path DemoDeployment::connectorConfig(const std::string& custodian) const {
  return options_.directory / "connectors" / custodian / "connector.json";
}

void DemoDeployment::writeConnectorConfig(const DemoCustodian& custodian) {
  const fs::path dir = path("connectors/" + custodian.id);
  fs::create_directories(dir);
  writeText(dir / "mapping.json", "{\"format\": \"nser-connector-mapping\", \"version\": 1, \"key_column\": \"rec_id\",\n"
                                  " \"attributes\": " +
                                      custodian.attributesJson + "}\n");
  std::string programmes;
  for (const auto& programme : custodian.programmes) {
    programmes += (programmes.empty() ? "" : ", ") + std::string("\"") + programme + "\"";
  }
  const fs::path issued = fs::absolute(path("pki/issued"));
  writeText(dir / "connector.json",
            "{\"custodian\": \"" + custodian.id + "\",\n" + " \"hub\": {\"url\": \"https://127.0.0.1:" +
                std::to_string(hubPort_) + "\",\n" + "         \"tls\": {\"certificate\": " +
                quoted(issued / (custodian.id + ".crt")) + ", \"private_key\": " +
                quoted(issued / (custodian.id + ".key")) + ",\n" +
                "                 \"ca_certificate\": " + quoted(fs::absolute(path("pki/ca/ca.crt"))) + "}},\n" +
                " \"linkage\": {\"schema\": " + quoted(options_.schemas / "linkage" / "nser-person-v1.json") +
                ", \"secret_file\": " + quoted(fs::absolute(path("linkage.key"))) + ", \"key_epoch\": 1},\n" +
                " \"source\": {\"type\": \"csv\", \"path\": " +
                quoted(fs::absolute(options_.synthDirectory / (custodian.id + ".csv"))) + "},\n" +
                " \"mapping\": \"mapping.json\",\n" + " \"data_directory\": \"state\",\n" +
                " \"sync\": {\"batch_size\": 2000, \"interval_seconds\": 0},\n" +
                " \"gateway\": {\"listen\": {\"address\": \"127.0.0.1\", \"port\": 0}, \"loopback_only\": true, "
                "\"programmes\": [" +
                programmes + "]},\n" +
                " \"attribute_server\": {\"listen\": {\"address\": \"127.0.0.1\", \"port\": 0}},\n" +
                " \"log\": {\"format\": \"json\", \"level\": \"notice\"}}\n");
}

void DemoDeployment::startHub() {
  hub_ = std::make_unique<ChildProcess>("hub", options_.nser,
                                        std::vector<std::string>{"hub", "--config", "hub.json"},
                                        options_.directory, path("logs/hub.log"));
  if (!hub_->waitForLog("hub: listening on", kStartTimeout)) {
    throw DemoError("the hub did not start; see " + path("logs/hub.log").string());
  }
  hubPort_ = portOf(*hub_->logLine("hub: listening on"));
  // The connectors learn the hub's address (an ephemeral port) from here.
  for (const auto& custodian : options_.custodians) writeConnectorConfig(custodian);
}

std::unique_ptr<service::HttpsClient> DemoDeployment::hubClient(const std::string& party) const {
  const fs::path issued = path("pki/issued");
  return std::make_unique<service::HttpsClient>(
      "127.0.0.1", static_cast<std::uint16_t>(hubPort_),
      service::TlsFiles{(issued / (party + ".crt")).string(), (issued / (party + ".key")).string(),
                        path("pki/ca/ca.crt").string(), ""});
}

std::vector<std::string> DemoDeployment::connectionArguments(const std::string& party) const {
  const fs::path issued = fs::absolute(path("pki/issued"));
  return {"--hub",  "https://127.0.0.1:" + std::to_string(hubPort_),
          "--cert", (issued / (party + ".crt")).string(),
          "--key",  (issued / (party + ".key")).string(),
          "--ca",   fs::absolute(path("pki/ca/ca.crt")).string()};
}

CompletedProcess DemoDeployment::runAs(const std::string& party, const std::string& step,
                                       std::vector<std::string> args, bool mustSucceed) {
  const auto connection = connectionArguments(party);
  args.insert(args.end(), connection.begin(), connection.end());
  const fs::path log = path("logs/" + step + ".log");
  auto result = runToCompletion(options_.nser, args, options_.directory, log, std::chrono::minutes(5));
  if (mustSucceed && result.exitCode != 0) {
    throw DemoError(step + " failed (exit " + std::to_string(result.exitCode) + "): " + result.output);
  }
  return result;
}

std::vector<SyncOutcome> DemoDeployment::syncAll(const std::function<void()>& tick) {
  std::vector<std::unique_ptr<ChildProcess>> syncs;
  for (const auto& custodian : options_.custodians) {
    const fs::path log = path("logs/sync-" + custodian.id + ".log");
    fs::remove(log);
    syncs.push_back(std::make_unique<ChildProcess>(
        "sync " + custodian.id, options_.nser,
        std::vector<std::string>{"connector", "--config", connectorConfig(custodian.id).string(), "sync"},
        connectorConfig(custodian.id).parent_path(), log));
  }
  for (;;) {
    bool any = false;
    for (auto& sync : syncs) any = sync->running() || any;
    if (!any) break;
    tick();
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  std::vector<SyncOutcome> outcomes;
  for (std::size_t i = 0; i < syncs.size(); ++i) {
    SyncOutcome outcome;
    outcome.custodian = options_.custodians[i].id;
    outcome.exitCode = syncs[i]->stop();
    outcome.summary = syncs[i]->logLine("sync: ").value_or(syncs[i]->log());
    outcomes.push_back(outcome);
  }
  return outcomes;
}

fs::path DemoDeployment::exportReferences(const std::string& custodian) {
  const fs::path log = path("logs/references-" + custodian + ".csv");
  const auto result =
      runToCompletion(options_.nser, {"connector", "--config", connectorConfig(custodian).string(), "references"},
                      connectorConfig(custodian).parent_path(), log, std::chrono::minutes(5));
  if (result.exitCode != 0) throw DemoError("references of " + custodian + " failed: " + result.output);
  const fs::path out = path("evaluation/references-" + custodian + ".csv");
  fs::create_directories(out.parent_path());
  fs::rename(log, out);
  return out;
}

void DemoDeployment::startConnectors() {
  for (const auto& custodian : options_.custodians) {
    const fs::path log = path("logs/connector-" + custodian.id + ".log");
    fs::remove(log);
    connectors_[custodian.id] = std::make_unique<ChildProcess>(
        "connector " + custodian.id, options_.nser,
        std::vector<std::string>{"connector", "--config", connectorConfig(custodian.id).string(), "run"},
        connectorConfig(custodian.id).parent_path(), log);
  }
  for (const auto& [id, process] : connectors_) {
    if (!process->waitForLog("gateway listening on", kStartTimeout)) {
      throw DemoError("the " + id + " connector did not start; see " + process->logFile().string());
    }
    gatewayPorts_[id] = portOf(*process->logLine("gateway listening on"));
  }
}

int DemoDeployment::gatewayPort(const std::string& custodian) const {
  const auto it = gatewayPorts_.find(custodian);
  if (it == gatewayPorts_.end()) throw DemoError("no gateway for " + custodian);
  return it->second;
}

std::vector<std::string> DemoDeployment::runningProcesses() {
  std::vector<std::string> running;
  if (hub_ && hub_->running()) running.push_back("hub (pid " + std::to_string(hub_->pid()) + ")");
  for (auto& [id, process] : connectors_) {
    if (process->running()) running.push_back("connector " + id + " (pid " + std::to_string(process->pid()) + ")");
  }
  return running;
}

void DemoDeployment::stopAll() {
  // Connectors first: they call the hub.
  for (auto& [id, process] : connectors_) process->stop();
  connectors_.clear();
  if (hub_) hub_->stop();
  hub_.reset();
}

}  // namespace nser::cli
