// DemoDeployment: a whole national deployment on this machine for `nser
// demo`, every part a separate process on loopback over mutual TLS:
//   <dir>/pki/ca, pki/issued      the demo CA and every party's certificate
//   <dir>/linkage.key             the custodians' linkage secret (0600; the
//                                 hub's configuration never names it)
//   <dir>/hub.json, hub-data/     the hub
//   <dir>/connectors/<custodian>/ each custodian's connector: configuration,
//                                 mapping, state
//   <dir>/logs/                   every process's output
// Parties: the hub, one custodian per source, "admin" and "auditor"; the
// programme parties query through their custodian's gateway.
//
// The destructor stops every process it started (SIGTERM, then SIGKILL).
// Throws DemoError naming the step and the log to read when a process fails
// or does not come up.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/child_process.h"
#include "service/https_client.h"

namespace nser::cli {

class DemoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DemoCustodian {
  std::string id;              // party id = synthetic source name (nser, punjab, ...)
  std::string attributesJson;  // the mapping's attribute catalogue (JSON array)
  std::vector<std::string> programmes;  // programme parties using its gateway
};

struct SyncOutcome {
  std::string custodian;
  int exitCode = 0;
  std::string summary;  // the connector's "sync: ..." line
};

class DemoDeployment {
 public:
  struct Options {
    std::filesystem::path directory;
    std::filesystem::path synthDirectory;  // <source>.csv of every custodian
    std::filesystem::path schemas;         // the repository's schemas/ folder
    std::filesystem::path nser;            // this executable
    int hubPort = 0;                       // 0: any free port
    std::vector<DemoCustodian> custodians;
  };
  explicit DemoDeployment(Options options);
  ~DemoDeployment();
  DemoDeployment(const DemoDeployment&) = delete;
  DemoDeployment& operator=(const DemoDeployment&) = delete;

  // The CA and certificates, the linkage secret, every configuration.
  void prepare();
  void startHub();
  // `nser admin ...` / `nser audit ...` as `party`; the output, or DemoError
  // when it exits non-zero and `mustSucceed`.
  CompletedProcess runAs(const std::string& party, const std::string& step, std::vector<std::string> args,
                         bool mustSucceed = true);
  // Runs `nser connector sync` for every custodian at once; `tick` is called
  // about once a second while they run.
  std::vector<SyncOutcome> syncAll(const std::function<void()>& tick);
  // `nser connector references` of one custodian, written to a file.
  std::filesystem::path exportReferences(const std::string& custodian);
  // `nser connector run` for every custodian (gateway + attribute server).
  void startConnectors();
  void stopAll();

  // An HTTPS client of the hub holding `party`'s certificate.
  std::unique_ptr<service::HttpsClient> hubClient(const std::string& party) const;
  int hubPort() const { return hubPort_; }
  int gatewayPort(const std::string& custodian) const;
  std::vector<std::string> connectionArguments(const std::string& party) const;
  const Options& options() const { return options_; }
  std::filesystem::path path(const std::string& relative) const { return options_.directory / relative; }
  std::vector<std::string> runningProcesses();

 private:
  void writeHubConfig();
  void writeConnectorConfig(const DemoCustodian& custodian);
  std::filesystem::path connectorConfig(const std::string& custodian) const;

  Options options_;
  int hubPort_ = 0;
  std::unique_ptr<ChildProcess> hub_;
  std::map<std::string, std::unique_ptr<ChildProcess>> connectors_;
  std::map<std::string, int> gatewayPorts_;
};

}  // namespace nser::cli
