// Issue 7, acceptance 3: capture what the connector sends to the hub and what
// the hub keeps, and find no plaintext name, CNIC or date of birth of the
// source in either. The connector talks to the real hub through a
// TLS-terminating recording proxy (tests/support/recording_tls_proxy.h), so
// the check runs on the decrypted bytes that crossed the link.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "linkage/csv_reader.h"
#include "protocol/ingest_batch.h"
#include "service/tls_context.h"
#include "tests/support/hub_process.h"
#include "tests/support/recording_tls_proxy.h"

using nser::testing::HubProcess;
using nser::testing::readFile;
using nser::testing::RecordingTlsProxy;
using nser::testing::runProcess;
using nser::testing::writeFile;

namespace {

struct SourcePerson {
  std::string key, cnic, name, relationName, dob;
};

std::vector<SourcePerson> readSource(const std::filesystem::path& csv) {
  std::ifstream in(csv, std::ios::binary);
  nser::linkage::CsvReader reader(in);
  std::vector<std::string> fields;
  EXPECT_EQ(reader.next(fields), nser::linkage::CsvStatus::Record);
  const nser::linkage::CsvHeader header(fields);
  const auto key = header.find("rec_id"), cnic = header.find("cnic"), name = header.find("name"),
             relation = header.find("relation_name"), dob = header.find("dob");
  EXPECT_TRUE(key && cnic && name && relation && dob);
  std::vector<SourcePerson> people;
  while (reader.next(fields) == nser::linkage::CsvStatus::Record) {
    people.push_back({fields[*key], fields[*cnic], fields[*name], fields[*relation], fields[*dob]});
  }
  return people;
}

constexpr std::size_t kPrefix = 6;  // every form is at least this long

// The forms of a person's identifiers that must not appear anywhere. Short
// single-word names are left out: three or four letters occur by chance in
// kilobytes of base64 or binary, so finding them would prove nothing.
std::vector<std::string> forbiddenForms(const SourcePerson& p, int currentYear) {
  std::vector<std::string> forms;
  auto addName = [&](const std::string& name) {
    if (name.size() < kPrefix || (name.find(' ') == std::string::npos && name.size() < 8)) return;
    forms.push_back(name);
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    forms.push_back(lower);
  };
  addName(p.name);
  addName(p.relationName);
  if (p.cnic.size() == 15) {
    forms.push_back(p.cnic);                                          // 35202-1234567-1
    forms.push_back(p.cnic.substr(0, 5) + p.cnic.substr(6, 7) + p.cnic.substr(14));  // 3520212345671
  }
  // A birth date of this or last year could equal a log or audit timestamp's date.
  if (p.dob.size() == 10 && std::stoi(p.dob.substr(0, 4)) < currentYear - 1) forms.push_back(p.dob);
  forms.push_back(p.key);  // the source's own key never leaves the custodian either
  return forms;
}

// Many strings searched in one pass over a large blob: a window of the first
// kPrefix bytes is looked up in a hash map, candidates are compared in full.
class MultiFinder {
 public:
  explicit MultiFinder(const std::vector<std::string>& forms) : forms_(forms) {
    for (std::size_t i = 0; i < forms_.size(); ++i) byPrefix_.emplace(pack(forms_[i].data()), i);
  }
  // The first form found in `blob`, or nullptr.
  const std::string* findIn(const std::string& blob) const {
    if (blob.size() < kPrefix) return nullptr;
    for (std::size_t at = 0; at + kPrefix <= blob.size(); ++at) {
      const auto [from, to] = byPrefix_.equal_range(pack(blob.data() + at));
      for (auto it = from; it != to; ++it) {
        const std::string& form = forms_[it->second];
        if (blob.compare(at, form.size(), form) == 0) return &form;
      }
    }
    return nullptr;
  }

 private:
  static std::uint64_t pack(const char* bytes) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < kPrefix; ++i) value = value << 8 | static_cast<unsigned char>(bytes[i]);
    return value;
  }
  const std::vector<std::string>& forms_;
  std::unordered_multimap<std::uint64_t, std::size_t> byPrefix_;
};

std::uint64_t hubRecords(const HubProcess& hub) {
  Poco::JSON::Parser parser;
  const auto status = hub.client("admin")->get("/admin/status");
  return parser.parse(status.body).extract<Poco::JSON::Object::Ptr>()->getValue<std::uint64_t>("records");
}

// The bodies of the POST /ingest/batches requests in a client-to-hub byte
// stream (the connector sends Content-Length, never chunked bodies).
std::vector<std::string> ingestBodies(const std::string& stream) {
  std::vector<std::string> bodies;
  for (std::size_t at = stream.find("POST /ingest/batches "); at != std::string::npos;
       at = stream.find("POST /ingest/batches ", at + 1)) {
    const auto headersEnd = stream.find("\r\n\r\n", at);
    if (headersEnd == std::string::npos) break;
    std::string headers = stream.substr(at, headersEnd - at);
    std::transform(headers.begin(), headers.end(), headers.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto length = headers.find("content-length:");
    if (length == std::string::npos) continue;
    const auto size = std::stoull(headers.substr(length + 15));
    bodies.push_back(stream.substr(headersEnd + 4, size));
  }
  return bodies;
}

}  // namespace

TEST(TrafficCaptureIntegration, NoPlaintextIdentifierCrossesTheLinkOrRestsAtTheHub) {
  HubProcess hub({"punjab"});
  hub.start();
  hub.registerParty("punjab", "custodian");
  nser::testing::TempDir work("nser-traffic-test");

  // A synthetic source: one extract of every province, clean (every row is
  // encodable, so every row's identifiers are pushed in some form).
  writeFile(work / "sources.json", R"({"format": "nser-synth-sources/1",
    "sources": [{"name": "punjab", "coverage": 1.0, "profile": "clean"}]})");
  auto synth = runProcess(NSER_BINARY, {"synth", "--people", "2100", "--seed", "20261127", "--sources",
                                        (work / "sources.json").string(), "--out", (work / "synth").string()});
  ASSERT_EQ(synth.exitCode, 0) << synth.err;
  const auto people = readSource(work / "synth" / "punjab.csv");
  ASSERT_GE(people.size(), 2000u);

  // The proxy presents the hub's certificate (the connector trusts the test
  // CA and checks the name 127.0.0.1) and the connector's own certificate
  // upstream, so the hub sees the custodian "punjab" as usual.
  const auto& pki = hub.pki();
  const auto& connectorCert = pki.client("punjab");
  RecordingTlsProxy proxy(
      nser::service::makeServerTlsContext({pki.server.certificatePath.string(), pki.server.keyPath.string(),
                                           pki.caCertificate.string(), ""}),
      nser::service::makeClientTlsContext({connectorCert.certificatePath.string(), connectorCert.keyPath.string(),
                                           pki.caCertificate.string(), ""}),
      "127.0.0.1", static_cast<std::uint16_t>(hub.port()));
  proxy.start();

  writeFile(work / "secret.key", "traffic capture test linkage secret 0123456789abcdef");
  ::chmod((work / "secret.key").c_str(), 0600);
  writeFile(work / "mapping.json", R"({"format": "nser-connector-mapping", "version": 1, "key_column": "rec_id"})");
  writeFile(work / "connector.json", R"({
  "custodian": "punjab",
  "hub": {"url": "https://127.0.0.1:)" + std::to_string(proxy.port()) + R"(",
          "tls": {"certificate": ")" + connectorCert.certificatePath.string() + R"(", "private_key": ")" +
                                         connectorCert.keyPath.string() + R"(", "ca_certificate": ")" +
                                         pki.caCertificate.string() + R"("}},
  "linkage": {"schema": ")" + std::string(NSER_SOURCE_DIR) + R"(/schemas/linkage/nser-person-v1.json",
              "secret_file": "secret.key", "key_epoch": 1},
  "source": {"type": "csv", "path": "synth/punjab.csv"},
  "mapping": "mapping.json",
  "data_directory": "state",
  "sync": {"batch_size": 250},
  "log": {"format": "json", "level": "information"}
})");
  const auto sync = runProcess(NSER_BINARY, {"connector", "--config", (work / "connector.json").string(), "sync"});
  ASSERT_EQ(sync.exitCode, 0) << sync.err;
  EXPECT_NE(sync.out.find("upserts=" + std::to_string(people.size()) + " "), std::string::npos) << sync.out;
  EXPECT_EQ(hubRecords(hub), people.size());
  proxy.stop();
  hub.stop();

  // The capture really carried the sync: every batch, every record.
  const std::string sent = proxy.captured(RecordingTlsProxy::Direction::ClientToUpstream);
  const std::string all = proxy.captured();
  EXPECT_GE(proxy.connections(), 1u);
  const auto bodies = ingestBodies(sent);
  EXPECT_EQ(bodies.size(), (people.size() + 249) / 250);
  std::size_t operations = 0;
  for (const auto& body : bodies) {
    const auto batch = nser::protocol::parseIngestBatch(body, {});
    EXPECT_EQ(batch.custodian, "punjab");
    for (const auto& operation : batch.operations) {
      EXPECT_EQ(operation.record.id.size(), 33u) << "a pseudonymous reference: r + 128 random bits in hex";
      ++operations;
    }
  }
  EXPECT_EQ(operations, people.size());
  EXPECT_NE(proxy.captured(RecordingTlsProxy::Direction::UpstreamToClient).find("HTTP/1.1 200"), std::string::npos);

  // What the hub keeps and logs.
  std::vector<std::pair<std::string, std::string>> kept = {{"hub stderr log", hub.process().stderrText()}};
  for (const auto& entry : std::filesystem::recursive_directory_iterator(hub.dir().path())) {
    if (!entry.is_regular_file() || entry.path().string().find("/pki/") != std::string::npos) continue;
    kept.emplace_back(entry.path().string(), readFile(entry.path()));
  }
  ASSERT_GT(kept.size(), 3u) << "the hub's data directory holds its store";

  const int currentYear = [] {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    return std::gmtime(&now)->tm_year + 1900;
  }();
  std::vector<std::string> forms;
  for (const auto& person : people) {
    for (auto& form : forbiddenForms(person, currentYear)) forms.push_back(std::move(form));
  }
  EXPECT_GT(forms.size(), people.size() * 5) << "most rows contribute names, CNIC forms, a date of birth and a key";
  const MultiFinder finder(forms);
  // The search itself works: the source file holds every form.
  const std::string source = readFile(work / "synth" / "punjab.csv");
  for (std::size_t i = 0; i < 100; ++i) {
    for (const std::string* value : {&people[i].name, &people[i].cnic, &people[i].dob, &people[i].key}) {
      EXPECT_NE(source.find(*value), std::string::npos) << "row " << i;
    }
  }
  EXPECT_NE(finder.findIn(source), nullptr);

  // Messages name the person's source key (a test's own synthetic data), never the value.
  auto owner = [&](const std::string& form) {
    for (const auto& person : people) {
      for (const auto& f : forbiddenForms(person, currentYear)) {
        if (f == form) return person.key;
      }
    }
    return std::string("?");
  };
  if (const auto* found = finder.findIn(all)) {
    ADD_FAILURE() << "the connector-to-hub traffic holds a source value of " << owner(*found);
  }
  for (const auto& [where, bytes] : kept) {
    if (const auto* found = finder.findIn(bytes)) ADD_FAILURE() << where << " holds a source value of " << owner(*found);
  }
}
