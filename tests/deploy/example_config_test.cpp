// The example configurations in deploy/config are loaded by the real
// parsers (hub, connector, mapping), so they cannot drift from the code.
// Their production paths are re-rooted under a temporary directory, which is
// staged with what the loaders read (the linkage schema, an admin
// certificate); every other path is checked as the loaders resolved it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "connectors/connector_config.h"
#include "connectors/source_mapping.h"
#include "hub/hub_config.h"
#include "linkage/linkage_schema.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace {

namespace fs = std::filesystem;

const fs::path kExamples = fs::path(NSER_SOURCE_DIR) / "deploy" / "config";
const std::vector<std::string> kCustodians = {"nser", "punjab", "sindh", "kp", "balochistan"};
const std::vector<std::string> kRoots = {"/etc/nser/", "/usr/share/nser/", "/var/lib/nser/", "/var/log/nser/",
                                         "/srv/nser/"};

class ExampleConfigs : public ::testing::Test {
 protected:
  void SetUp() override {
    // deploy/config/* installs as /etc/nser/* (deploy/README.md).
    for (const auto& entry : fs::directory_iterator(kExamples)) {
      std::string text = nser::testing::readFile(entry.path());
      for (const auto& root : kRoots) {
        for (auto at = text.find(root); at != std::string::npos; at = text.find(root, at)) {
          const std::string rooted = (dir_.path() / root.substr(1)).string();
          text.replace(at, root.size(), rooted);
          at += rooted.size();
        }
      }
      fs::create_directories(etc());
      nser::testing::writeFile(etc() / entry.path().filename(), text);
    }
    const fs::path schemas = fs::path(NSER_SOURCE_DIR) / "schemas" / "linkage";
    fs::create_directories(dir_ / "usr/share/nser/linkage");
    fs::create_directories(etc() / "linkage");
    for (const char* file : {"nser-person-v1.json", "nser-person-v1.link.json"}) {
      fs::copy_file(schemas / file, dir_ / "usr/share/nser/linkage" / file);
    }
    fs::copy_file(schemas / "nser-person-v1.model.json", etc() / "linkage" / "nser-person-v1.model.json");
    pki_ = nser::testing::makeTestPki(dir_ / "pki", {"admin"});
    fs::create_directories(etc() / "tls");
    fs::copy_file(pki_.client("admin").certificatePath, etc() / "tls" / "admin.crt");
  }
  fs::path etc() const { return dir_ / "etc/nser"; }
  fs::path under(const std::string& productionPath) const { return dir_.path() / productionPath.substr(1); }

  nser::testing::TempDir dir_{"nser-deploy-config"};
  nser::testing::TestPki pki_;
};

TEST_F(ExampleConfigs, EveryFileIsAHubConnectorOrMappingExample) {
  std::set<std::string> expected = {"hub.json", "backup.env"};
  for (const auto& c : kCustodians) {
    expected.insert("connector-" + c + ".json");
    expected.insert("mapping-" + c + ".json");
  }
  std::set<std::string> found;
  for (const auto& entry : fs::directory_iterator(kExamples)) found.insert(entry.path().filename().string());
  EXPECT_EQ(found, expected);
}

// backup.env sets only variables deploy/backup.sh reads, and every file it
// names is the hub's.
TEST_F(ExampleConfigs, BackupEnvironmentNamesWhatTheBackupScriptReads) {
  const std::string script = nser::testing::readFile(fs::path(NSER_SOURCE_DIR) / "deploy" / "backup.sh");
  std::istringstream in(nser::testing::readFile(kExamples / "backup.env"));
  std::set<std::string> keys;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    ASSERT_NE(eq, std::string::npos) << line;
    const std::string key = line.substr(0, eq);
    keys.insert(key);
    EXPECT_NE(script.find(key), std::string::npos) << key << " is not read by deploy/backup.sh";
  }
  for (const char* needed : {"NSER_HUB_URL", "NSER_CERT", "NSER_KEY", "NSER_CA", "NSER_HUB_CONFIG"}) {
    EXPECT_EQ(keys.count(needed), 1u) << needed;
  }
  EXPECT_NE(nser::testing::readFile(kExamples / "backup.env").find("NSER_HUB_CONFIG=/etc/nser/hub.json"),
            std::string::npos);
}

TEST_F(ExampleConfigs, HubConfigurationLoads) {
  const auto config = nser::hub::loadHubConfig((etc() / "hub.json").string());
  EXPECT_EQ(config.port, 8443);
  EXPECT_EQ(config.dataDirectory, under("/var/lib/nser/hub").string());
  EXPECT_EQ(config.backupDirectory, under("/var/lib/nser/backups").string());
  EXPECT_EQ(config.tls.certificate, under("/etc/nser/tls/hub.crt").string());
  EXPECT_EQ(config.tls.crl, under("/etc/nser/tls/ca.crl").string());
  EXPECT_EQ(config.binding.schemaId, nser::linkage::loadLinkageSchema(config.schemaPath).schemaId);
  ASSERT_EQ(config.bootstrapAdmins.size(), 1u);
  EXPECT_EQ(config.bootstrapAdmins[0].fingerprint, pki_.client("admin").fingerprint);
  EXPECT_EQ(config.logging.file, under("/var/log/nser/hub.log").string());
}

TEST_F(ExampleConfigs, EveryCustodianConnectorAndMappingLoads) {
  const auto& roles = nser::linkage::identityRoles();
  std::set<std::uint16_t> hubPorts;
  for (const auto& custodian : kCustodians) {
    SCOPED_TRACE(custodian);
    const auto config = nser::connectors::loadConnectorConfig((etc() / ("connector-" + custodian + ".json")).string());
    EXPECT_EQ(config.custodian, custodian);
    hubPorts.insert(config.hubPort);
    EXPECT_EQ(config.dataDirectory, under("/var/lib/nser/connector-" + custodian).string());
    EXPECT_EQ(config.secretFile, under("/etc/nser/connector-" + custodian + "/linkage.key").string());
    EXPECT_EQ(config.tls.certificate, under("/etc/nser/connector-" + custodian + "/tls/" + custodian + ".crt").string());
    EXPECT_EQ(config.mappingPath, (etc() / ("mapping-" + custodian + ".json")).string());
    EXPECT_TRUE(config.attributeServer.enabled);
    EXPECT_GT(config.sync.interval.count(), 0);  // `run` syncs periodically under systemd
    if (custodian == "nser") {
      EXPECT_EQ(config.sourceConfig.type, "postgresql");
      EXPECT_FALSE(config.sourceConfig.watermarkColumn.empty());
      EXPECT_EQ(config.sourceConfig.passwordFile, under("/etc/nser/connector-nser/pg-password").string());
      EXPECT_EQ(config.sourceConfig.connection.find("password"), std::string::npos);
    } else {
      EXPECT_EQ(config.sourceConfig.type, "csv");
      EXPECT_TRUE(config.gateway.enabled);
      EXPECT_FALSE(config.gateway.loopbackOnly);  // programme systems connect over mutual TLS
    }
    const auto mapping = nser::connectors::loadSourceMapping(config.mappingPath);
    EXPECT_FALSE(mapping.keyColumn.empty());
    for (const auto& role : roles) EXPECT_EQ(mapping.identity.count(role), 1u) << role;
    EXPECT_FALSE(mapping.attributes.empty());
  }
  EXPECT_EQ(hubPorts, std::set<std::uint16_t>{8443});
}

}  // namespace
