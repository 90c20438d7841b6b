#include "linkage/entity_clustering.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <iostream>
#include <set>

namespace nser::linkage {
namespace {

RecordRef rec(std::uint32_t source, std::uint64_t record) { return {source, record}; }

ClusteringOptions options(double threshold, double share = 0.5, std::vector<std::uint32_t> dedup = {}) {
  ClusteringOptions o;
  o.threshold = threshold;
  o.minLinkShare = share;
  o.deduplicateSources = std::move(dedup);
  return o;
}

bool together(const Clustering& c, RecordRef a, RecordRef b) { return c.entityOfRecord(a) == c.entityOfRecord(b); }

TEST(EntityClustering, LinksAboveThresholdAndLeavesTheRestAlone) {
  const std::vector<ScoredPair> pairs{{rec(0, 0), rec(1, 0), 0.9}, {rec(0, 1), rec(1, 1), 0.4}};
  const Clustering c = clusterEntities({2, 2}, pairs, options(0.5));
  EXPECT_TRUE(together(c, rec(0, 0), rec(1, 0)));
  EXPECT_FALSE(together(c, rec(0, 1), rec(1, 1)));
  EXPECT_EQ(c.entityCount, 3u);
  EXPECT_EQ(c.stats.pairsBelowThreshold, 1u);
  EXPECT_EQ(c.stats.pairsKept, 1u);
  // Entities are numbered in order of their smallest record.
  EXPECT_EQ(c.entityOfRecord(rec(0, 0)), 0u);
  EXPECT_EQ(c.entityOfRecord(rec(0, 1)), 1u);
  EXPECT_EQ(c.entityOfRecord(rec(1, 1)), 2u);
}

TEST(EntityClustering, KeepsAtMostOneRecordPerSourceAndPrefersTheBestLink) {
  // p0 and p1 (source 1) both link to n0; n0 takes its strongest link.
  const std::vector<ScoredPair> pairs{{rec(0, 0), rec(1, 0), 0.8}, {rec(0, 0), rec(1, 1), 0.95}};
  const Clustering c = clusterEntities({1, 2}, pairs, options(0.5));
  EXPECT_TRUE(together(c, rec(0, 0), rec(1, 1)));
  EXPECT_FALSE(together(c, rec(0, 0), rec(1, 0)));
  EXPECT_EQ(c.stats.mergesRejectedBySource, 1u);
}

TEST(EntityClustering, SourceConflictAlsoBlocksIndirectMerges) {
  // n0-p0 and n1-p1 are entities; p0-m0 and n1-m0 would bridge them through
  // m0 into an entity holding two NSER and two programme records.
  const std::vector<ScoredPair> pairs{{rec(0, 0), rec(1, 0), 0.95}, {rec(0, 1), rec(1, 1), 0.95},
                                      {rec(1, 0), rec(2, 0), 0.9},  {rec(0, 1), rec(2, 0), 0.85}};
  const Clustering c = clusterEntities({2, 2, 1}, pairs, options(0.5, 0.0));
  for (const auto& members : c.members()) {
    std::set<std::uint32_t> sources;
    for (const RecordRef& r : members) EXPECT_TRUE(sources.insert(r.source).second) << "two records of source " << r.source;
  }
  EXPECT_TRUE(together(c, rec(1, 0), rec(2, 0)));
  EXPECT_FALSE(together(c, rec(0, 1), rec(2, 0)));
}

TEST(EntityClustering, DeduplicationWithinASourceIsOptIn) {
  const std::vector<ScoredPair> pairs{{rec(0, 0), rec(0, 1), 0.9}, {rec(0, 1), rec(1, 0), 0.9}};
  const Clustering strict = clusterEntities({2, 1}, pairs, options(0.5));
  EXPECT_FALSE(together(strict, rec(0, 0), rec(0, 1)));
  EXPECT_EQ(strict.stats.pairsWithinSource, 1u);
  const Clustering dedup = clusterEntities({2, 1}, pairs, options(0.5, 0.5, {0}));
  EXPECT_TRUE(together(dedup, rec(0, 0), rec(0, 1)));
  EXPECT_TRUE(together(dedup, rec(0, 0), rec(1, 0)));
}

// Two strong triangles over sources 0-2 and 3-5, joined by one bridge above
// the threshold. Connected components would make one entity of six.
std::vector<ScoredPair> twoTrianglesAndABridge() {
  std::vector<ScoredPair> pairs;
  for (std::uint32_t base : {0u, 3u}) {
    pairs.push_back({rec(base, 0), rec(base + 1, 0), 0.95});
    pairs.push_back({rec(base, 0), rec(base + 2, 0), 0.93});
    pairs.push_back({rec(base + 1, 0), rec(base + 2, 0), 0.94});
  }
  pairs.push_back({rec(2, 0), rec(3, 0), 0.6});  // the bridge: above the threshold, weaker than the triangles
  return pairs;
}

TEST(EntityClustering, AWeakBridgeDoesNotMergeTwoStrongClusters) {
  const auto pairs = twoTrianglesAndABridge();
  const Clustering c = clusterEntities(std::vector<std::uint64_t>(6, 1), pairs, options(0.5));
  EXPECT_TRUE(together(c, rec(0, 0), rec(1, 0)));
  EXPECT_TRUE(together(c, rec(0, 0), rec(2, 0)));
  EXPECT_TRUE(together(c, rec(3, 0), rec(5, 0)));
  EXPECT_FALSE(together(c, rec(0, 0), rec(5, 0)));
  EXPECT_GE(c.stats.mergesRejectedBySupport, 1u);
  // The support rule is what cuts it: with no required share it is connected components.
  const Clustering cc = clusterEntities(std::vector<std::uint64_t>(6, 1), pairs, options(0.5, 0.0));
  EXPECT_EQ(cc.entityCount, 1u);
}

TEST(EntityClustering, TwoOfThreeLinksAcrossThreeSourcesFormOneEntity) {
  // NSER links both programmes; the programmes missed each other.
  const std::vector<ScoredPair> pairs{{rec(0, 0), rec(1, 0), 0.9}, {rec(0, 0), rec(2, 0), 0.8}};
  EXPECT_EQ(clusterEntities({1, 1, 1}, pairs, options(0.5)).entityCount, 1u);
  // Asking for three quarters of the pairs keeps the third record out.
  EXPECT_EQ(clusterEntities({1, 1, 1}, pairs, options(0.5, 0.75)).entityCount, 2u);
}

TEST(EntityClustering, TiesAreBrokenByRecordIds) {
  const std::vector<ScoredPair> forward{{rec(0, 0), rec(1, 0), 0.9}, {rec(0, 1), rec(1, 0), 0.9}};
  const std::vector<ScoredPair> backward{{rec(1, 0), rec(0, 1), 0.9}, {rec(1, 0), rec(0, 0), 0.9}};
  for (const auto& pairs : {forward, backward}) {
    const Clustering c = clusterEntities({2, 1}, pairs, options(0.5));
    EXPECT_TRUE(together(c, rec(0, 0), rec(1, 0)));
    EXPECT_FALSE(together(c, rec(0, 1), rec(1, 0)));
  }
}

TEST(EntityClustering, InvalidPairsAreReportedNotThrown) {
  EntityClusterer clusterer({2, 2}, options(0.5));
  EXPECT_EQ(clusterer.addPair(rec(0, 0), rec(1, 2), 0.9), PairStatus::Invalid);  // record out of range
  EXPECT_EQ(clusterer.addPair(rec(2, 0), rec(1, 0), 0.9), PairStatus::Invalid);  // source out of range
  EXPECT_EQ(clusterer.addPair(rec(1, 1), rec(1, 1), 0.9), PairStatus::Invalid);  // self pair
  EXPECT_EQ(clusterer.addPair(rec(0, 0), rec(1, 0), std::nan("")), PairStatus::Invalid);
  EXPECT_EQ(clusterer.addPair(rec(0, 0), rec(1, 0), 0.2), PairStatus::BelowThreshold);
  EXPECT_EQ(clusterer.addPair(rec(0, 0), rec(0, 1), 0.9), PairStatus::WithinSource);
  EXPECT_EQ(clusterer.addPair(rec(0, 0), rec(1, 0), 0.9), PairStatus::Kept);
  EXPECT_EQ(clusterer.addPair(rec(1, 0), rec(0, 0), 0.7), PairStatus::Kept);  // duplicate, lower score
  const Clustering c = clusterer.cluster();
  EXPECT_EQ(c.stats.pairsInvalid, 4u);
  EXPECT_EQ(c.stats.pairsDuplicate, 1u);
  EXPECT_EQ(c.stats.pairsKept, 1u);
  EXPECT_EQ(c.entityCount, 3u);
}

TEST(EntityClustering, InvalidOptionsThrowNamingTheOption) {
  EXPECT_THROW(EntityClusterer({1}, options(std::nan(""))), ClusteringConfigError);
  try {
    EntityClusterer({1, 1}, options(0.5, 1.5));
    FAIL() << "expected ClusteringConfigError";
  } catch (const ClusteringConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("minLinkShare"), std::string::npos) << e.what();
  }
  EXPECT_THROW(EntityClusterer({1, 1}, options(0.5, 0.5, {2})), ClusteringConfigError);
}

// A random multi-source graph: true people appear in several sources and
// link strongly, plus random noise links of every strength.
std::vector<ScoredPair> randomGraph(std::uint32_t sources, std::uint64_t perSource, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> strong(0.7, 1.0);
  std::uniform_real_distribution<double> any(0.0, 1.0);
  std::uniform_int_distribution<std::uint64_t> pick(0, perSource - 1);
  std::vector<ScoredPair> pairs;
  for (std::uint64_t person = 0; person < perSource; ++person) {
    for (std::uint32_t s = 0; s < sources; ++s) {
      for (std::uint32_t t = s + 1; t < sources; ++t) {
        if (any(rng) < 0.8) pairs.push_back({rec(s, person), rec(t, person), strong(rng)});
      }
    }
  }
  for (std::uint64_t k = 0; k < perSource * sources; ++k) {
    const std::uint32_t s = static_cast<std::uint32_t>(pick(rng) % sources);
    const std::uint32_t t = static_cast<std::uint32_t>(pick(rng) % sources);
    pairs.push_back({rec(s, pick(rng)), rec(t, pick(rng)), any(rng)});
  }
  // Some exact ties, to exercise tie-breaking.
  for (std::size_t k = 0; k + 1 < pairs.size(); k += 7) pairs[k + 1].score = pairs[k].score;
  return pairs;
}

TEST(EntityClustering, ResultDoesNotDependOnPairOrderOrOrientation) {
  const std::vector<std::uint64_t> sizes(4, 300);
  auto pairs = randomGraph(4, 300, 7);
  const Clustering reference = clusterEntities(sizes, pairs, options(0.5));
  std::mt19937 rng(11);
  for (int round = 0; round < 3; ++round) {
    std::shuffle(pairs.begin(), pairs.end(), rng);
    for (std::size_t k = 0; k < pairs.size(); k += 2) std::swap(pairs[k].a, pairs[k].b);
    const Clustering shuffled = clusterEntities(sizes, pairs, options(0.5));
    EXPECT_EQ(shuffled.entityOf, reference.entityOf);
  }
}

TEST(EntityClustering, InvariantsHoldOnRandomGraphs) {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    const std::uint32_t sources = 5;
    const std::vector<std::uint64_t> sizes(sources, 400);
    const auto pairs = randomGraph(sources, 400, seed);
    const std::vector<std::uint32_t> dedup{4};
    const Clustering c = clusterEntities(sizes, pairs, options(0.5, 0.5, dedup));
    // Adjacency of the kept graph, to check each entity is internally connected.
    std::map<RecordRef, std::vector<RecordRef>> adjacent;
    for (const ScoredPair& p : pairs) {
      if (p.score < 0.5 || (p.a.source == p.b.source && p.a.source != 4) || p.a == p.b) continue;
      adjacent[p.a].push_back(p.b);
      adjacent[p.b].push_back(p.a);
    }
    std::size_t multi = 0;
    for (const auto& members : c.members()) {
      ASSERT_FALSE(members.empty());
      std::map<std::uint32_t, int> perSource;
      for (const RecordRef& r : members) ++perSource[r.source];
      for (const auto& [source, count] : perSource) {
        if (source != 4) {
          EXPECT_EQ(count, 1) << "source " << source;
        }
      }
      if (members.size() < 2) continue;
      ++multi;
      const std::set<RecordRef> inEntity(members.begin(), members.end());
      std::set<RecordRef> reached{members.front()};
      std::vector<RecordRef> stack{members.front()};
      while (!stack.empty()) {
        const RecordRef r = stack.back();
        stack.pop_back();
        for (const RecordRef& n : adjacent[r]) {
          if (inEntity.count(n) != 0 && reached.insert(n).second) stack.push_back(n);
        }
      }
      EXPECT_EQ(reached.size(), members.size()) << "entity not connected by its own links";
    }
    EXPECT_GT(multi, 300u);  // the true people were found
  }
}

// Records of different people put in one entity (false pairs) and true pairs found.
std::pair<std::size_t, std::size_t> pairCounts(const Clustering& c) {
  std::size_t falsePairs = 0;
  std::size_t truePairs = 0;
  for (const auto& members : c.members()) {
    for (std::size_t i = 0; i < members.size(); ++i) {
      for (std::size_t j = i + 1; j < members.size(); ++j) {
        ++(members[i].record == members[j].record ? truePairs : falsePairs);
      }
    }
  }
  return {falsePairs, truePairs};
}

double pairwiseF1(std::size_t falsePairs, std::size_t truePairs, std::size_t plantedPairs) {
  const double precision = static_cast<double>(truePairs) / static_cast<double>(truePairs + falsePairs);
  const double recall = static_cast<double>(truePairs) / static_cast<double>(plantedPairs);
  return 2 * precision * recall / (precision + recall);
}

TEST(EntityClustering, BeatsConnectedComponentsOnANoisyGraph) {
  // Noise links are uniform in [0,1], so above the threshold they compete with the true links.
  const auto pairs = randomGraph(3, 500, 5);
  const std::size_t planted = 500 * 3;
  const auto [falseOurs, trueOurs] = pairCounts(clusterEntities({500, 500, 500}, pairs, options(0.6)));
  // No source constraint and no support rule: plain connected components.
  const auto [falseCc, trueCc] = pairCounts(clusterEntities({500, 500, 500}, pairs, options(0.6, 0.0, {0, 1, 2})));
  const double ours = pairwiseF1(falseOurs, trueOurs, planted);
  const double cc = pairwiseF1(falseCc, trueCc, planted);
  std::cout << "pairwise F1 " << ours << " (connected components " << cc << ")\n";
  EXPECT_GT(ours, 0.75);
  EXPECT_GT(ours, 10 * cc);
}

}  // namespace
}  // namespace nser::linkage
