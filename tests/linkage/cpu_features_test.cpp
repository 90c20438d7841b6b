#include "linkage/cpu_features.h"

#include <gtest/gtest.h>

namespace nser::linkage {
namespace {

TEST(CpuFeatures, DetectionIsStableAndConsistent) {
  const CpuFeatures& a = cpuFeatures();
  const CpuFeatures& b = cpuFeatures();
  EXPECT_EQ(&a, &b) << "detected once";
  // AVX-512 extensions imply the foundation; none of them exist without AVX2 on real CPUs.
  if (a.avx512vpopcntdq || a.avx512bw) {
    EXPECT_TRUE(a.avx512f);
  }
  if (a.avx512f) {
    EXPECT_TRUE(a.avx2);
  }
}

TEST(CpuFeatures, DescribeListsPresentFeaturesOnly) {
  CpuFeatures none;
  EXPECT_EQ(none.describe(), "none");
  CpuFeatures some;
  some.popcnt = true;
  some.avx2 = true;
  EXPECT_EQ(some.describe(), "popcnt avx2");
  some.avx512f = some.avx512vpopcntdq = true;
  EXPECT_EQ(some.describe(), "popcnt avx2 avx512f avx512vpopcntdq");
}

}  // namespace
}  // namespace nser::linkage
