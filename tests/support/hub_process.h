// A real hub process for integration tests: certificates from a test CA, a
// configuration in a TempDir, `nser hub` started on a free loopback port and
// stopped (or killed) by the test, and mutual-TLS clients for its parties.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "service/https_client.h"
#include "tests/support/process_harness.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace nser::testing {

class HubProcess {
 public:
  // Issues client certificates for `parties` (plus "admin", the bootstrap
  // admin) and writes the configuration; does not start the hub.
  explicit HubProcess(const std::vector<std::string>& parties, const std::string& extraLimits = "")
      : port_(freeLoopbackPort()) {
    std::vector<std::string> all = parties;
    all.push_back("admin");
    pki_ = makeTestPki(dir_ / "pki", all);
    config_ = dir_ / "hub.json";
    const std::string schemas = std::string(NSER_SOURCE_DIR) + "/schemas/linkage/";
    writeFile(config_, R"({
  "hub_id": "test-hub",
  "listen": {"address": "127.0.0.1", "port": )" + std::to_string(port_) + R"(},
  "tls": {"certificate": ")" + pki_.server.certificatePath.string() + R"(",
          "private_key": ")" + pki_.server.keyPath.string() + R"(",
          "ca_certificate": ")" + pki_.caCertificate.string() + R"(",
          "crl": ")" + pki_.crl.string() + R"("},
  "data_directory": "data",
  "linkage": {"schema": ")" + schemas + R"(nser-person-v1.json",
              "model": ")" + schemas + R"(nser-person-v1.model.json", "key_epoch": 1},
  "limits": {"max_body_bytes": 8388608)" + extraLimits + R"(},
  "bootstrap_admins": [{"id": "admin", "certificate": ")" + pki_.client("admin").certificatePath.string() + R"("}],
  "log": {"format": "json", "level": "information"}
})");
  }

  void start() {
    process_ = std::make_unique<ManagedProcess>("hub", NSER_BINARY, std::vector<std::string>{"hub", "--config", config_.string()},
                                                dir_.path());
    ASSERT_TRUE(process_->waitForOutput("hub: listening", std::chrono::seconds(60))) << process_->lastError();
  }
  ProcessResult stop() { return process_->stop(); }
  ProcessResult kill9() { return process_->kill9(); }
  ManagedProcess& process() { return *process_; }

  service::TlsFiles filesOf(const std::string& party) const {
    const auto& issued = pki_.client(party);
    return {issued.certificatePath.string(), issued.keyPath.string(), pki_.caCertificate.string(), ""};
  }
  std::unique_ptr<service::HttpsClient> client(const std::string& party) const {
    return std::make_unique<service::HttpsClient>("127.0.0.1", static_cast<std::uint16_t>(port_), filesOf(party),
                                                  std::chrono::seconds(60));
  }
  // `nser admin ARGS... --hub ... --cert/--key/--ca of the admin`.
  ProcessResult admin(std::vector<std::string> args) const {
    const auto files = filesOf("admin");
    for (const std::string& extra : {std::string("--hub"), "https://127.0.0.1:" + std::to_string(port_),
                                     std::string("--cert"), files.certificate, std::string("--key"), files.privateKey,
                                     std::string("--ca"), files.caCertificate}) {
      args.push_back(extra);
    }
    return runProcess(NSER_BINARY, args);
  }
  // Registers `party` with `role`, bound to its test certificate.
  void registerParty(const std::string& party, const std::string& role) const {
    const auto result = admin({"admin", "party", "add", party, "--role", role, "--certificate",
                               pki_.client(party).certificatePath.string()});
    ASSERT_EQ(result.exitCode, 0) << result.err;
  }

  int port() const { return port_; }
  const TestPki& pki() const { return pki_; }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_{"nser-hub-test"};
  int port_;
  TestPki pki_;
  std::filesystem::path config_;
  std::unique_ptr<ManagedProcess> process_;
};

}  // namespace nser::testing
