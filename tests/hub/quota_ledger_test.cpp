#include "hub/quota_ledger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

using namespace nser::hub;

namespace {

constexpr std::int64_t kNoon = 1795003200;          // 2026-11-18 12:00:00 UTC
constexpr std::int64_t kDayStart = 1794960000;      // 2026-11-18 00:00:00 UTC
constexpr std::int64_t kLastSecond = kDayStart + 86399;
constexpr std::int64_t kNextDay = kDayStart + 86400;

}  // namespace

TEST(QuotaLedger, DaysAreUtcCalendarDays) {
  EXPECT_EQ(QuotaLedger::utcDay(kNoon), "2026-11-18");
  EXPECT_EQ(QuotaLedger::utcDay(kDayStart), "2026-11-18");
  EXPECT_EQ(QuotaLedger::utcDay(kLastSecond), "2026-11-18");
  EXPECT_EQ(QuotaLedger::utcDay(kNextDay), "2026-11-19");
  EXPECT_EQ(QuotaLedger::utcDay(0), "1970-01-01");
}

TEST(QuotaLedger, PermitsUpToTheLimitPerAgreementAndDay) {
  nser::testing::TempDir dir;
  HubStore store((dir / "db").string());
  QuotaLedger ledger(store);
  EXPECT_EQ(ledger.used("k1", kNoon), 0u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(ledger.consumeIfAvailable("k1", 3, kDayStart + i));
  EXPECT_FALSE(ledger.consumeIfAvailable("k1", 3, kLastSecond));
  EXPECT_EQ(ledger.used("k1", kNoon), 3u);  // a refusal counts nothing
  // Another agreement has its own count; a raised limit permits again.
  EXPECT_TRUE(ledger.consumeIfAvailable("k2", 3, kNoon));
  EXPECT_EQ(ledger.used("k2", kNoon), 1u);
  EXPECT_TRUE(ledger.consumeIfAvailable("k1", 4, kNoon));
  EXPECT_FALSE(ledger.consumeIfAvailable("k1", 4, kNoon));
  // The next UTC day starts from zero; the spent day stays recorded.
  EXPECT_TRUE(ledger.consumeIfAvailable("k1", 3, kNextDay));
  EXPECT_EQ(ledger.used("k1", kNextDay), 1u);
  EXPECT_EQ(ledger.used("k1", kNoon), 4u);
}

TEST(QuotaLedger, ZeroMeansUnlimitedButStillCounts) {
  nser::testing::TempDir dir;
  HubStore store((dir / "db").string());
  QuotaLedger ledger(store);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(ledger.consumeIfAvailable("k1", 0, kNoon));
  EXPECT_EQ(ledger.used("k1", kNoon), 1000u);
  EXPECT_FALSE(ledger.consumeIfAvailable("k1", 1000, kNoon));
}

TEST(QuotaLedger, CountsSurviveReopeningTheStore) {
  nser::testing::TempDir dir;
  {
    HubStore store((dir / "db").string());
    QuotaLedger ledger(store);
    ledger.consumeIfAvailable("k1", 2, kNoon);
    ledger.consumeIfAvailable("k1", 2, kNoon);
    ledger.consumeIfAvailable("k1", 2, kNextDay);
  }
  HubStore store((dir / "db").string());
  QuotaLedger ledger(store);
  EXPECT_EQ(ledger.used("k1", kNoon), 2u);
  EXPECT_EQ(ledger.used("k1", kNextDay), 1u);
  EXPECT_FALSE(ledger.consumeIfAvailable("k1", 2, kNoon));
  EXPECT_TRUE(ledger.consumeIfAvailable("k1", 2, kNextDay));
  EXPECT_EQ(ledger.used("k1", kNextDay), 2u);
}

TEST(QuotaLedger, ConcurrentConsumersNeverExceedTheLimit) {
  nser::testing::TempDir dir;
  HubStore store((dir / "db").string());
  QuotaLedger ledger(store);
  constexpr std::uint32_t kLimit = 250;
  constexpr int kThreads = 8;
  constexpr int kAttemptsEach = 100;  // 800 attempts at 250 units
  std::atomic<int> granted{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kAttemptsEach; ++i) {
        if (ledger.consumeIfAvailable("k1", kLimit, kNoon)) granted.fetch_add(1);
        // Readers run alongside the writers.
        EXPECT_LE(ledger.used("k1", kNoon), kLimit);
      }
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), static_cast<int>(kLimit));
  EXPECT_EQ(ledger.used("k1", kNoon), kLimit);
  // And what was persisted agrees.
  QuotaLedger reopened(store);
  EXPECT_EQ(reopened.used("k1", kNoon), kLimit);
}
