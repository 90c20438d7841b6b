#include "protocol/random_uuid.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace nser::protocol {
namespace {

TEST(RandomUuid, HasTheCanonicalVersion4Form) {
  for (int i = 0; i < 200; ++i) {
    const std::string id = randomUuid();
    ASSERT_EQ(id.size(), 36u) << id;
    for (std::size_t k = 0; k < id.size(); ++k) {
      if (k == 8 || k == 13 || k == 18 || k == 23) {
        EXPECT_EQ(id[k], '-') << id;
      } else {
        EXPECT_TRUE((id[k] >= '0' && id[k] <= '9') || (id[k] >= 'a' && id[k] <= 'f')) << id;
      }
    }
    EXPECT_EQ(id[14], '4') << id;                                  // version
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // variant
  }
}

TEST(RandomUuid, DoesNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) EXPECT_TRUE(seen.insert(randomUuid()).second);
}

}  // namespace
}  // namespace nser::protocol
