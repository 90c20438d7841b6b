#include "pki/signing_bytes.h"

#include <gtest/gtest.h>

namespace nser::pki {
namespace {

TEST(SigningBytes, LengthPrefixedFieldsAndSortedLists) {
  SigningBytes bytes("nser-test-v1");
  bytes.field("name", "value").field("empty", "").field("number", std::int64_t{-42}).list("items", {"b", "a", "c="});
  EXPECT_EQ(bytes.bytes(),
            "nser-test-v1\n"
            "name=5:value\n"
            "empty=0:\n"
            "number=3:-42\n"
            "items.count=1:3\n"
            "items[0]=1:a\n"
            "items[1]=1:b\n"
            "items[2]=2:c=\n");
}

TEST(SigningBytes, ValuesCannotImpersonateFieldBoundaries) {
  // Without the length prefix these two would serialise identically.
  SigningBytes first("t");
  first.field("a", "x\nb=1:y").field("c", "z");
  SigningBytes second("t");
  second.field("a", "x").field("b", "y\nc=1:z");
  EXPECT_NE(first.bytes(), second.bytes());
  SigningBytes third("t");
  third.list("l", {"ab"});
  SigningBytes fourth("t");
  fourth.list("l", {"a", "b"});
  EXPECT_NE(third.bytes(), fourth.bytes());
  EXPECT_NE(SigningBytes("t1").bytes(), SigningBytes("t2").bytes());
}

}  // namespace
}  // namespace nser::pki
