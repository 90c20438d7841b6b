#include "synth/synth_run.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "schemas/json_document.h"
#include "tests/support/temp_dir.h"
#include "synth/csv_format.h"
#include "synth/source_extract.h"
#include "tests/synth/synth_test_data.h"

namespace nser::synth {
namespace {

namespace fs = std::filesystem;

SynthOptions options(const fs::path& dir, std::uint64_t people, Profile profile, std::uint64_t seed = 9) {
  SynthOptions o;
  o.people = people;
  o.seed = seed;
  o.profile = profile;
  o.sources = defaultSources();
  o.outDir = dir;
  return o;
}

std::vector<std::vector<std::string>> readCsv(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::vector<std::string> fields;
  while (std::getline(in, line)) {
    EXPECT_TRUE(splitCsvLine(line, fields)) << path;
    rows.push_back(fields);
  }
  return rows;
}

TEST(SynthRun, SameOptionsGiveByteIdenticalFiles) {
  nser::testing::TempDir a;
  nser::testing::TempDir b;
  runSynth(testing::geography(), options(a.path(), 5000, Profile::kRealistic));
  runSynth(testing::geography(), options(b.path(), 5000, Profile::kRealistic));
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(a.path())) {
    const std::string name = entry.path().filename().string();
    EXPECT_EQ(nser::testing::readFile(entry.path()), nser::testing::readFile(b / name)) << name;
    ++files;
  }
  EXPECT_EQ(files, defaultSources().size() + 2);
  nser::testing::TempDir c;
  runSynth(testing::geography(), options(c.path(), 5000, Profile::kRealistic, 10));
  EXPECT_NE(nser::testing::readFile(a / "nser.csv"), nser::testing::readFile(c / "nser.csv"));
}

TEST(SynthRun, ASourceDoesNotDependOnTheOtherSources) {
  nser::testing::TempDir all;
  nser::testing::TempDir one;
  runSynth(testing::geography(), options(all.path(), 4000, Profile::kHard));
  SynthOptions o = options(one.path(), 4000, Profile::kHard);
  o.sources = {defaultSources()[1]};  // punjab alone
  runSynth(testing::geography(), o);
  EXPECT_EQ(nser::testing::readFile(all / "punjab.csv"), nser::testing::readFile(one / "punjab.csv"));
}

TEST(SynthRun, TruthCoversEveryRecordAndHeadersAreStable) {
  nser::testing::TempDir dir;
  const SynthSummary summary = runSynth(testing::geography(), options(dir.path(), 6000, Profile::kRealistic));
  EXPECT_EQ(summary.people, 6000u);
  const auto truth = readCsv(dir / "truth.csv");
  ASSERT_FALSE(truth.empty());
  EXPECT_EQ(truth[0], (std::vector<std::string>{"source", "rec_id", "person_id", "household_id"}));
  std::map<std::string, std::set<std::string>> truthIds;
  std::set<std::string> people;
  for (std::size_t i = 1; i < truth.size(); ++i) {
    ASSERT_EQ(truth[i].size(), 4u);
    EXPECT_TRUE(truthIds[truth[i][0]].insert(truth[i][1]).second) << "duplicate rec_id " << truth[i][1];
    people.insert(truth[i][2]);
  }
  std::size_t records = 0;
  for (const SourceSpec& spec : defaultSources()) {
    const auto rows = readCsv(dir / (spec.name + ".csv"));
    ASSERT_FALSE(rows.empty());
    std::string header;
    for (const std::string& f : rows[0]) header += (header.empty() ? "" : ",") + f;
    EXPECT_EQ(header, std::string(kSourceCsvHeader) + (spec.registry ? ",household_ref" : ""));
    for (std::size_t i = 1; i < rows.size(); ++i) {
      ASSERT_EQ(rows[i].size(), rows[0].size()) << spec.name << " row " << i;
      EXPECT_TRUE(truthIds[spec.name].count(rows[i][0])) << rows[i][0] << " missing from truth";
      EXPECT_EQ(rows[i][0].rfind(spec.name + "-", 0), 0u);
    }
    EXPECT_EQ(rows.size() - 1, truthIds[spec.name].size()) << spec.name;
    records += rows.size() - 1;
  }
  EXPECT_EQ(records, truth.size() - 1);
  EXPECT_GT(people.size(), 5500u);
}

// |applied rate - target| within 4 binomial standard deviations (plus a small floor).
void expectRatesWithinTolerance(const fs::path& stats, std::size_t& checked) {
  const schemas::JsonNode root = schemas::JsonNode::parseFile(stats.string());
  const schemas::JsonNode corruption = root.field("corruption");
  for (const std::string& source : corruption.keys()) {
    const schemas::JsonNode kinds = corruption.field(source);
    for (const std::string& kind : kinds.keys()) {
      const schemas::JsonNode k = kinds.field(kind);
      const double target = k.field("target").asNumber(0, 1);
      const double eligible = static_cast<double>(k.field("eligible").asInt());
      const double applied = static_cast<double>(k.field("applied").asInt());
      if (eligible < 300) continue;
      const double rate = applied / eligible;
      EXPECT_NEAR(k.field("rate").asNumber(0, 1), rate, 1e-6);
      const double tolerance = 4 * std::sqrt(target * (1 - target) / eligible) + 0.002;
      EXPECT_NEAR(rate, target, tolerance) << source << " " << kind << " eligible=" << eligible;
      ++checked;
    }
  }
}

TEST(SynthRun, AppliedCorruptionRatesMatchEachProfile) {
  for (Profile profile : {Profile::kClean, Profile::kRealistic, Profile::kHard}) {
    SCOPED_TRACE(std::string(profileName(profile)));
    nser::testing::TempDir dir;
    runSynth(testing::geography(), options(dir.path(), 30000, profile));
    std::size_t checked = 0;
    expectRatesWithinTolerance(dir / "stats.json", checked);
    EXPECT_GT(checked, 60u);
    // The targets in stats.json are the profile's, scaled per source.
    const schemas::JsonNode root = schemas::JsonNode::parseFile((dir / "stats.json").string());
    const CorruptionRates rates = corruptionRates(profile);
    const CorruptionRates registryRates = corruptionRates(profile, 0.25);
    for (int k = 0; k < kCorruptionKindCount; ++k) {
      const std::string kind(corruptionKindName(static_cast<CorruptionKind>(k)));
      EXPECT_NEAR(root.field("corruption").field("punjab").field(kind).field("target").asNumber(0, 1),
                  rates[static_cast<std::size_t>(k)], 1e-6);
      EXPECT_NEAR(root.field("corruption").field("nser").field(kind).field("target").asNumber(0, 1),
                  registryRates[static_cast<std::size_t>(k)], 1e-6);
    }
  }
}

// Rates measured from the written CSVs alone, against the truth: not from the counters.
TEST(SynthRun, CorruptionVisibleInTheFilesMatchesTheProfile) {
  nser::testing::TempDir dir;
  runSynth(testing::geography(), options(dir.path(), 30000, Profile::kHard));
  const CorruptionRates hard = corruptionRates(Profile::kHard);
  const auto rows = readCsv(dir / "punjab.csv");
  double records = 0, blankCnic = 0, withCnic = 0, noDashes = 0, yearOnly = 0, blankRelation = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    ++records;
    if (r[1].empty()) {
      ++blankCnic;
    } else {
      ++withCnic;
      noDashes += r[1].find('-') == std::string::npos;
      EXPECT_TRUE(r[1].size() == 13 || r[1].size() == 15) << r[1];
    }
    yearOnly += r[6].size() == 4;
    blankRelation += r[3].empty();
    EXPECT_TRUE(r[5] == "M" || r[5] == "F");
    EXPECT_TRUE(r[3].empty() || r[3] == "s/o" || r[3] == "d/o" || r[3] == "w/o") << r[3];
  }
  ASSERT_GT(records, 3000);
  auto near = [&](double observed, double n, CorruptionKind kind) {
    const double t = hard[static_cast<std::size_t>(kind)];
    EXPECT_NEAR(observed / n, t, 4 * std::sqrt(t * (1 - t) / n) + 0.002) << corruptionKindName(kind);
  };
  near(blankCnic, records, CorruptionKind::kCnicMissing);
  near(noDashes, withCnic, CorruptionKind::kCnicNoDashes);
  near(yearOnly, records, CorruptionKind::kDobYearOnly);
  near(blankRelation, records, CorruptionKind::kRelationMissing);
}

TEST(SynthRun, RegistryIsCleanestAndProgrammesHoldPeopleOutsideIt) {
  nser::testing::TempDir dir;
  runSynth(testing::geography(), options(dir.path(), 30000, Profile::kRealistic));
  const schemas::JsonNode root = schemas::JsonNode::parseFile((dir / "stats.json").string());
  const auto sources = root.field("sources").asArray();
  ASSERT_EQ(sources[0].field("name").asString(), "nser");
  EXPECT_GT(sources[0].field("records").asInt(), 28000);
  for (std::size_t i = 1; i < sources.size(); ++i) {
    EXPECT_GT(sources[i].field("records").asInt(), 0) << sources[i].field("name").asString();
    EXPECT_GT(sources[i].field("people_not_in_registry").asInt(), 0) << sources[i].field("name").asString();
  }
  const auto overlap = root.field("overlap").field("people").asArray();
  const auto first = overlap[0].asArray();
  EXPECT_EQ(first[0].asInt(), sources[0].field("records").asInt());
  EXPECT_GT(first[5].asInt(), 0) << "kafaalat overlaps the registry";
  EXPECT_LT(root.field("corruption").field("nser").field("cnic.missing").field("rate").asNumber(0, 1),
            root.field("corruption").field("punjab").field("cnic.missing").field("rate").asNumber(0, 1));
}

}  // namespace
}  // namespace nser::synth
