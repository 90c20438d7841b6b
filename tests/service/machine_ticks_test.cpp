// MachineTicks: the machine's CPU ticks and steal from /proc/stat, and the
// share of time stolen between two readings.
#include "service/machine_ticks.h"

#include <gtest/gtest.h>

namespace nser::service {
namespace {

TEST(MachineTicks, ReadsTheMachinesTicksWhichOnlyGrow) {
  const MachineTicks first = readMachineTicks();
  EXPECT_GT(first.total, 0) << "/proc/stat's cpu line was not read";
  EXPECT_GE(first.steal, 0);
  EXPECT_LE(first.steal, first.total);
  const MachineTicks second = readMachineTicks();
  EXPECT_GE(second.total, first.total);
  EXPECT_GE(second.steal, first.steal);
}

TEST(MachineTicks, StealPercentIsTheStolenShareOfTheTicksBetweenTwoReadings) {
  EXPECT_DOUBLE_EQ(stealPercent({1000, 40}, {1200, 70}), 15.0);
  EXPECT_DOUBLE_EQ(stealPercent({1000, 40}, {1200, 40}), 0.0);
  EXPECT_DOUBLE_EQ(stealPercent({1000, 40}, {1000, 40}), 0.0) << "no time passed";
}

}  // namespace
}  // namespace nser::service
