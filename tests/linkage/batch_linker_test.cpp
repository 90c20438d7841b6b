// BatchLinker on a small synthetic world built from tokens and filters
// directly (no secret, no encoder): thread-count independence, the
// best-links bound, the prior estimated with candidate-based u, and
// linkage quality against the known truth.
#include "linkage/batch_linker.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <tuple>

#include "linkage/link_settings.h"
#include "tests/linkage/blocking_test_records.h"

namespace nser::linkage {
namespace {

using blocking_test::flipBits;
using blocking_test::randomFilter;
using blocking_test::token;

const std::vector<std::string> kFields = {"name", "relation_name", "district", "phone"};

// A filter that is a pure function of (field, value): equal values give
// Dice 1, different values about 0.5 (independent random filters).
FilterWords valueFilter(int field, std::uint64_t value) {
  std::mt19937_64 rng(value * 131 + static_cast<std::uint64_t>(field));
  return randomFilter(512, 0.3, rng);
}

struct Person {
  std::uint64_t name, relation, district, year, month, day, household;
};

enum class Corruption { None, CnicTypo, Name };

// One record of `person` (record id = person id). A CNIC typo keeps one of
// the 13 deletion tokens and no exact token; a name corruption changes the
// name's phonetic key and filter. Relation filters are always a little noisy.
EncodedRecord recordOf(std::uint64_t id, const Person& p, Corruption corrupt, std::mt19937_64& rng) {
  EncodedRecord r;
  r.id = std::to_string(id);
  const std::uint64_t name = corrupt == Corruption::Name ? p.name + 1000 : p.name;
  r.fieldFilters = {valueFilter(0, name), flipBits(valueFilter(1, p.relation), 4, rng), valueFilter(2, p.district),
                    valueFilter(3, p.household)};
  const bool typo = corrupt == Corruption::CnicTypo;
  if (!typo) r.tokens.push_back(token(TokenKind::Cnic, id));
  for (std::uint64_t d = 0; d < (typo ? 1u : 13u); ++d) r.tokens.push_back(token(TokenKind::CnicDeletion, id * 16 + d));
  r.tokens.push_back(token(TokenKind::NamePhonetic, name));
  r.tokens.push_back(token(TokenKind::NamePhoneticDistrict, name * 100 + p.district));
  r.tokens.push_back(token(TokenKind::RelationPhonetic, p.relation));
  r.tokens.push_back(token(TokenKind::BirthYear, p.year));
  r.tokens.push_back(token(TokenKind::BirthYearMonth, p.year * 100 + p.month));
  r.tokens.push_back(token(TokenKind::BirthDate, (p.year * 100 + p.month) * 100 + p.day));
  r.tokens.push_back(token(TokenKind::Phone, p.household));
  return r;
}

struct World {
  std::vector<LinkSource> sources;
  std::set<std::pair<std::uint64_t, std::uint64_t>> truePairs;  // (index in A, index in B)
};

// Source A holds 90% of the people; B 80% of them (10% of those corrupted),
// including people A lacks. Common names, shared households and districts make the
// candidate pairs mostly non-matches, as in real blocking.
World makeWorld(std::size_t people) {
  std::mt19937_64 rng(42);
  std::vector<Person> persons(people);
  for (std::size_t i = 0; i < people; ++i) {
    persons[i] = {rng() % 12, rng() % 30, rng() % 3, 1950 + rng() % 12, 1 + rng() % 12, 1 + rng() % 28, i / 4};
  }
  World world;
  world.sources.push_back({"a", {}});
  world.sources.push_back({"b", {}});
  std::map<std::uint64_t, std::uint64_t> positionInA;
  for (std::size_t i = 0; i < people; ++i) {
    if (i % 10 == 9) continue;  // in B only
    positionInA[i] = world.sources[0].records.size();
    world.sources[0].records.push_back(recordOf(i, persons[i], Corruption::None, rng));
  }
  for (std::size_t i = 0; i < people; ++i) {
    if (i % 10 == 3 || i % 10 == 6) continue;  // in A only
    if (positionInA.count(i)) world.truePairs.insert({positionInA[i], world.sources[1].records.size()});
    const Corruption corrupt = i % 20 == 1 ? Corruption::CnicTypo : i % 20 == 11 ? Corruption::Name : Corruption::None;
    world.sources[1].records.push_back(recordOf(i, persons[i], corrupt, rng));
  }
  return world;
}

LinkSettings defaultSettings() {
  return loadLinkSettings(std::string(NSER_SOURCE_DIR) + "/schemas/linkage/nser-person-v1.link.json");
}

struct LinkRun {
  FellegiSunterModel model;
  LinkResult result;
};

LinkRun linkWith(const World& world, const LinkSettings& settings, unsigned threads) {
  BatchLinker linker(settings, 0, kFields, threads);
  FellegiSunterModel model = linker.train(world.sources);
  LinkResult result = linker.link(world.sources, model);
  return {std::move(model), std::move(result)};
}

TEST(BatchLinker, ResultsDoNotDependOnThreadCount) {
  const World world = makeWorld(3000);
  const LinkRun one = linkWith(world, defaultSettings(), 1);
  const LinkRun three = linkWith(world, defaultSettings(), 3);
  EXPECT_EQ(one.model.toJson(), three.model.toJson());
  ASSERT_EQ(one.result.pairs.size(), three.result.pairs.size());
  for (std::size_t i = 0; i < one.result.pairs.size(); ++i) {
    EXPECT_EQ(one.result.pairs[i].a, three.result.pairs[i].a);
    EXPECT_EQ(one.result.pairs[i].b, three.result.pairs[i].b);
    EXPECT_EQ(one.result.pairs[i].score, three.result.pairs[i].score);
  }
  EXPECT_EQ(one.result.clustering.entityOf, three.result.clustering.entityOf);
  EXPECT_EQ(one.result.counters.candidatePairs, three.result.counters.candidatePairs);
  EXPECT_EQ(one.result.counters.pairsAboveThreshold, three.result.counters.pairsAboveThreshold);
}

TEST(BatchLinker, KeepsAtMostTheBestLinksOfEachRecord) {
  const World world = makeWorld(3000);
  for (std::uint32_t k : {1u, 2u}) {
    LinkSettings settings = defaultSettings();
    settings.maxLinksPerRecord = k;
    settings.threshold = 0.0;  // every candidate is above it, so the bound binds
    const LinkRun run = linkWith(world, settings, 2);
    const auto& pairs = run.result.pairs;
    EXPECT_EQ(run.result.counters.pairsKept, pairs.size());
    EXPECT_LT(pairs.size(), run.result.counters.pairsAboveThreshold);
    // Each record keeps at most k links of its own (a record may also be
    // among the k best of several records of the other source).
    EXPECT_LE(pairs.size(), k * (world.sources[0].records.size() + world.sources[1].records.size()));
    for (std::size_t i = 1; i < pairs.size(); ++i) {
      EXPECT_TRUE(std::tie(pairs[i - 1].a, pairs[i - 1].b) < std::tie(pairs[i].a, pairs[i].b)) << "sorted, unique";
    }
  }
}

TEST(BatchLinker, CandidateUCalibratesThePrior) {
  const World world = makeWorld(3000);
  LinkSettings settings = defaultSettings();
  ASSERT_TRUE(settings.training.uFromCandidates);
  const LinkRun run = linkWith(world, settings, 2);
  ASSERT_TRUE(run.model.training().u);
  EXPECT_TRUE(run.model.training().u->fromCandidates);
  EXPECT_GT(run.model.training().u->candidatePairs, 0u);
  // The share of true pairs among the candidates, which lambda estimates.
  const double share = static_cast<double>(world.truePairs.size()) /
                       static_cast<double>(run.result.counters.candidatePairs);
  EXPECT_GT(run.model.parameters().lambda, share / 1.5);
  EXPECT_LT(run.model.parameters().lambda, share * 1.5);

}

TEST(BatchLinker, FindsTheTruePairs) {
  const World world = makeWorld(3000);
  const LinkRun run = linkWith(world, defaultSettings(), 2);
  std::uint64_t truePositives = 0, predicted = 0;
  const Clustering& clustering = run.result.clustering;
  for (const auto& pair : run.result.pairs) {
    if (clustering.entityOfRecord(pair.a) != clustering.entityOfRecord(pair.b)) continue;
    ++predicted;
    truePositives += world.truePairs.count({pair.a.record, pair.b.record});
  }
  const double precision = static_cast<double>(truePositives) / static_cast<double>(predicted);
  const double recall = static_cast<double>(truePositives) / static_cast<double>(world.truePairs.size());
  EXPECT_GE(precision, 0.97);
  EXPECT_GE(recall, 0.95);
}

}  // namespace
}  // namespace nser::linkage
