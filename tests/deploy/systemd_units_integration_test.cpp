// The systemd units in deploy/systemd: every sandboxing directive the
// deployment relies on is present, ExecStart is a command line the real
// `nser` accepts (its subcommand's help names every option used), the
// directories systemd creates are those the example configurations use, and
// `systemd-analyze verify` (when installed) accepts each unit without a
// warning.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "connectors/connector_config.h"
#include "tests/support/process_harness.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;

const fs::path kUnits = fs::path(NSER_SOURCE_DIR) / "deploy" / "systemd";
const fs::path kConfigs = fs::path(NSER_SOURCE_DIR) / "deploy" / "config";

// section -> key -> values, in order (a key may repeat).
using Unit = std::map<std::string, std::map<std::string, std::vector<std::string>>>;

Unit parseUnit(const fs::path& file) {
  Unit unit;
  std::istringstream in(nser::testing::readFile(file));
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = line.substr(1, line.size() - 2);
      continue;
    }
    const auto eq = line.find('=');
    EXPECT_NE(eq, std::string::npos) << file << ": " << line;
    if (eq == std::string::npos) continue;
    unit[section][line.substr(0, eq)].push_back(line.substr(eq + 1));
  }
  return unit;
}

std::string one(const Unit& unit, const std::string& key) {
  const auto section = unit.find("Service");
  if (section == unit.end()) return "<no [Service]>";
  const auto it = section->second.find(key);
  if (it == section->second.end()) return "<missing>";
  return it->second.back();
}

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

void expectSandboxed(const Unit& unit, const std::string& user) {
  EXPECT_EQ(one(unit, "User"), user);
  EXPECT_EQ(one(unit, "ProtectSystem"), "strict");
  EXPECT_EQ(one(unit, "ProtectHome"), "yes");
  EXPECT_EQ(one(unit, "PrivateTmp"), "yes");
  EXPECT_EQ(one(unit, "PrivateDevices"), "yes");
  EXPECT_EQ(one(unit, "NoNewPrivileges"), "yes");
  EXPECT_EQ(one(unit, "MemoryDenyWriteExecute"), "yes");
  EXPECT_EQ(one(unit, "CapabilityBoundingSet"), "");  // no capability at all
  EXPECT_EQ(one(unit, "LimitCORE"), "0");             // secrets never in a core dump
  EXPECT_EQ(one(unit, "RestrictAddressFamilies"), "AF_INET AF_INET6 AF_UNIX");
  EXPECT_EQ(unit.at("Service").at("SystemCallFilter").front(), "@system-service");
  EXPECT_EQ(one(unit, "ConfigurationDirectory"), "nser");
  EXPECT_EQ(one(unit, "StateDirectoryMode"), "0700");
  EXPECT_EQ(one(unit, "UMask"), "0077");
}

// Every --option of `args` appears in `nser <subcommand> --help`, as does
// every bare word (an action such as `run`).
void expectNserAccepts(const std::vector<std::string>& args) {
  ASSERT_GE(args.size(), 2u);
  const auto help = nser::testing::runProcess(NSER_BINARY, {args[0], "--help"});
  ASSERT_EQ(help.exitCode, 0) << help.err;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i].starts_with("--")) {
      EXPECT_NE(help.out.find(args[i]), std::string::npos) << args[i] << " is not an option of nser " << args[0];
      ++i;  // its value
    } else {
      EXPECT_NE(help.out.find(args[i]), std::string::npos) << args[i] << " is not an action of nser " << args[0];
    }
  }
}

TEST(SystemdUnits, HubIsSandboxedAndRunsTheExampleConfiguration) {
  const Unit unit = parseUnit(kUnits / "nser-hub.service");
  expectSandboxed(unit, "nser-hub");
  EXPECT_EQ(one(unit, "Restart"), "on-failure");
  EXPECT_EQ(one(unit, "KillSignal"), "SIGTERM");  // the hub's clean shutdown
  EXPECT_EQ(one(unit, "StateDirectory"), "nser/hub nser/backups");
  EXPECT_EQ(one(unit, "LogsDirectory"), "nser");
  const auto exec = words(one(unit, "ExecStart"));
  ASSERT_EQ(exec, (std::vector<std::string>{"/usr/bin/nser", "hub", "--config", "/etc/nser/hub.json"}));
  expectNserAccepts({exec.begin() + 1, exec.end()});
  // The directories systemd creates are the ones the example configuration uses.
  const std::string config = nser::testing::readFile(kConfigs / "hub.json");
  EXPECT_NE(config.find("\"data_directory\": \"/var/lib/nser/hub\""), std::string::npos);
  EXPECT_NE(config.find("\"directory\": \"/var/lib/nser/backups\""), std::string::npos);
  EXPECT_NE(config.find("\"file\": \"/var/log/nser/hub.log\""), std::string::npos);
}

TEST(SystemdUnits, ConnectorTemplateIsSandboxedAndRunsEachCustodiansConfiguration) {
  const Unit unit = parseUnit(kUnits / "nser-connector@.service");
  expectSandboxed(unit, "nser-connector");
  EXPECT_EQ(one(unit, "Restart"), "on-failure");
  EXPECT_EQ(one(unit, "KillSignal"), "SIGTERM");
  EXPECT_EQ(one(unit, "StateDirectory"), "nser/connector-%i");
  const auto exec = words(one(unit, "ExecStart"));
  ASSERT_EQ(exec, (std::vector<std::string>{"/usr/bin/nser", "connector", "--config", "/etc/nser/connector-%i.json",
                                            "run"}));
  expectNserAccepts({exec.begin() + 1, exec.end()});
  for (const std::string custodian : {"nser", "punjab", "sindh", "kp", "balochistan"}) {
    const auto config = nser::connectors::loadConnectorConfig((kConfigs / ("connector-" + custodian + ".json")).string());
    EXPECT_EQ(config.dataDirectory, "/var/lib/nser/connector-" + custodian);
    EXPECT_EQ(config.logging.file, "/var/log/nser/connector-" + custodian + ".log");
  }
}

TEST(SystemdUnits, BackupTimerStartsTheBackupServiceAsTheHubUser) {
  const Unit service = parseUnit(kUnits / "nser-backup.service");
  EXPECT_EQ(one(service, "User"), "nser-hub");
  EXPECT_EQ(one(service, "Type"), "oneshot");
  EXPECT_EQ(one(service, "ExecStart"), "/usr/lib/nser/backup.sh");
  EXPECT_EQ(one(service, "ProtectSystem"), "strict");
  EXPECT_EQ(one(service, "LimitCORE"), "0");
  const Unit timer = parseUnit(kUnits / "nser-backup.timer");
  EXPECT_EQ(timer.at("Timer").at("OnCalendar").back(), "hourly");
  EXPECT_TRUE(fs::exists(fs::path(NSER_SOURCE_DIR) / "deploy" / "backup.sh"));
}

TEST(SystemdUnits, SystemdAnalyzeVerifiesEveryUnitWithoutWarnings) {
  const fs::path analyze = "/usr/bin/systemd-analyze";
  if (!fs::exists(analyze)) GTEST_SKIP() << "systemd-analyze is not installed";
  nser::testing::TempDir dir("nser-units");
  // The units as installed, with the built binary and script in place of /usr/bin/nser.
  for (const auto& entry : fs::directory_iterator(kUnits)) {
    std::string text = nser::testing::readFile(entry.path());
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {"/usr/bin/nser", NSER_BINARY}, {"/usr/lib/nser/backup.sh", std::string(NSER_SOURCE_DIR) + "/deploy/backup.sh"}}) {
      for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
      }
    }
    nser::testing::writeFile(dir / entry.path().filename().string(), text);
  }
  fs::copy_file(dir / "nser-connector@.service", dir / "nser-connector@punjab.service");
  for (const char* unit : {"nser-hub.service", "nser-connector@punjab.service", "nser-backup.service",
                           "nser-backup.timer"}) {
    const auto result = nser::testing::runProcess(analyze.string(), {"verify", "--man=no", (dir / unit).string()});
    EXPECT_EQ(result.exitCode, 0) << unit << ": " << result.err;
    EXPECT_EQ(result.err, "") << unit;
  }
}

}  // namespace
