#include "linkage/blocking_posting_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

namespace nser::linkage {
namespace {

using Add = BlockPostingTable::AddOutcome;
using Remove = BlockPostingTable::RemoveOutcome;

std::set<std::uint32_t> membersOf(const BlockPostingTable& table, std::uint64_t key) {
  auto block = table.find(key);
  return {block.members.begin(), block.members.end()};
}

TEST(BlockPostingTable, SingletonsListsAndRemoval) {
  BlockPostingTable table;
  EXPECT_EQ(table.find(42).size, 0u);
  EXPECT_EQ(table.add(42, 7, 10).outcome, Add::Stored);
  EXPECT_EQ(membersOf(table, 42), (std::set<std::uint32_t>{7}));
  EXPECT_EQ(table.add(42, 8, 10).outcome, Add::Stored);
  EXPECT_EQ(table.add(42, 9, 10).blockSize, 3u);
  EXPECT_EQ(membersOf(table, 42), (std::set<std::uint32_t>{7, 8, 9}));
  EXPECT_EQ(table.blocks(), 1u);

  EXPECT_EQ(table.remove(42, 100).outcome, Remove::NotFound);
  EXPECT_EQ(table.remove(43, 7).outcome, Remove::NotFound);
  EXPECT_EQ(table.remove(42, 7).outcome, Remove::Removed);
  EXPECT_EQ(table.remove(42, 9).outcome, Remove::Removed);
  EXPECT_EQ(membersOf(table, 42), (std::set<std::uint32_t>{8}));
  auto last = table.remove(42, 8);
  EXPECT_EQ(last.outcome, Remove::Removed);
  EXPECT_TRUE(last.blockDeleted);
  EXPECT_EQ(table.find(42).size, 0u);
  EXPECT_EQ(table.blocks(), 0u);
}

TEST(BlockPostingTable, BlocksOverTheCapAreCountedNotStored) {
  BlockPostingTable table;
  for (std::uint32_t m = 0; m < 3; ++m) EXPECT_EQ(table.add(5, m, 3).outcome, Add::Stored);
  auto over = table.add(5, 3, 3);
  EXPECT_EQ(over.outcome, Add::BecameOversize);
  EXPECT_EQ(over.blockSize, 4u);
  auto block = table.find(5);
  EXPECT_TRUE(block.oversize);
  EXPECT_EQ(block.size, 4u);
  EXPECT_TRUE(block.members.empty());
  EXPECT_EQ(table.add(5, 4, 3).outcome, Add::CountedInOversize);
  EXPECT_EQ(table.find(5).size, 5u);

  // Sticky until empty: members cannot be recovered once freed.
  for (std::uint32_t m = 0; m < 4; ++m) {
    auto removed = table.remove(5, m);
    EXPECT_EQ(removed.outcome, Remove::RemovedFromOversize);
    EXPECT_FALSE(removed.blockDeleted);
  }
  EXPECT_TRUE(table.find(5).oversize);
  EXPECT_TRUE(table.remove(5, 4).blockDeleted);
  EXPECT_EQ(table.find(5).size, 0u);
  EXPECT_EQ(table.add(5, 1, 3).outcome, Add::Stored) << "an emptied block starts afresh";
}

TEST(BlockPostingTable, CapOfOneMakesAnySecondMemberOversize) {
  BlockPostingTable table;
  EXPECT_EQ(table.add(1, 1, 1).outcome, Add::Stored);
  EXPECT_EQ(table.add(1, 2, 1).outcome, Add::BecameOversize);
}

// Random adds and removes against a std::map model, with keys chosen to
// collide in the low and high bits so probe runs and backward shifts happen.
TEST(BlockPostingTable, AgreesWithAModelUnderRandomOperations) {
  std::mt19937_64 rng(3);
  BlockPostingTable table;
  const std::uint32_t cap = 6;
  std::map<std::uint64_t, std::set<std::uint32_t>> model;  // stored members or counted ones
  std::map<std::uint64_t, bool> oversize;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> live;
  for (int step = 0; step < 60000; ++step) {
    bool doAdd = live.empty() || rng() % 100 < 55;
    if (doAdd) {
      std::uint64_t key = (rng() % 3000) * 0x9e3779b97f4a7c15ULL;
      std::uint32_t member = static_cast<std::uint32_t>(rng() % 5000);
      if (model[key].count(member)) continue;
      auto result = table.add(key, member, cap);
      bool wasOversize = oversize[key];
      model[key].insert(member);
      live.push_back({key, member});
      if (wasOversize) {
        ASSERT_EQ(result.outcome, Add::CountedInOversize);
      } else if (model[key].size() > cap) {
        ASSERT_EQ(result.outcome, Add::BecameOversize);
        oversize[key] = true;
      } else {
        ASSERT_EQ(result.outcome, Add::Stored);
      }
      ASSERT_EQ(result.blockSize, model[key].size());
    } else {
      std::size_t at = rng() % live.size();
      auto [key, member] = live[at];
      live[at] = live.back();
      live.pop_back();
      auto result = table.remove(key, member);
      model[key].erase(member);
      ASSERT_EQ(result.outcome, oversize[key] ? Remove::RemovedFromOversize : Remove::Removed);
      ASSERT_EQ(result.blockDeleted, model[key].empty());
      if (model[key].empty()) {
        model.erase(key);
        oversize.erase(key);
      }
    }
    if (step % 997 == 0) {
      std::size_t blocks = 0;
      for (const auto& [key, members] : model) {
        auto block = table.find(key);
        ASSERT_EQ(block.size, members.size());
        ASSERT_EQ(block.oversize, oversize[key]);
        if (!block.oversize) {
          ASSERT_EQ(membersOf(table, key), members);
        }
        ++blocks;
      }
      ASSERT_EQ(table.blocks(), blocks);
    }
  }
  EXPECT_GT(table.memoryBytes(), 0u);
}

TEST(BlockPostingTable, ReserveKeepsContents) {
  BlockPostingTable table;
  for (std::uint64_t k = 1; k <= 100; ++k) table.add(k * 0x100000001ULL, static_cast<std::uint32_t>(k), 10);
  table.reserve(100000);
  for (std::uint64_t k = 1; k <= 100; ++k) {
    EXPECT_EQ(membersOf(table, k * 0x100000001ULL), (std::set<std::uint32_t>{static_cast<std::uint32_t>(k)}));
  }
}

}  // namespace
}  // namespace nser::linkage
