#include "policy/policy_identifier.h"

#include <gtest/gtest.h>

#include <string>

namespace nser::policy {
namespace {

TEST(PolicyIdentifier, AcceptsLowercaseDigitsDotUnderscoreDash) {
  EXPECT_TRUE(validIdentifier("a"));
  EXPECT_TRUE(validIdentifier("bisp-kafaalat.2026_v2"));
  EXPECT_TRUE(validIdentifier(std::string(64, 'x')));
  EXPECT_FALSE(validIdentifier(""));
  EXPECT_FALSE(validIdentifier(std::string(65, 'x')));
  EXPECT_FALSE(validIdentifier("Upper"));
  EXPECT_FALSE(validIdentifier("with space"));
  EXPECT_FALSE(validIdentifier("slash/"));
}

TEST(PolicyIdentifier, SubjectIdsArePrintableAsciiWithoutSpaces) {
  EXPECT_TRUE(validSubjectId("E-000123"));
  EXPECT_TRUE(validSubjectId("ref:Ab+/="));
  EXPECT_TRUE(validSubjectId(std::string(256, 'r')));
  EXPECT_FALSE(validSubjectId(""));
  EXPECT_FALSE(validSubjectId(std::string(257, 'r')));
  EXPECT_FALSE(validSubjectId("a b"));
  EXPECT_FALSE(validSubjectId("tab\t"));
  EXPECT_FALSE(validSubjectId("\xc3\xa9"));
}

TEST(PolicyIdentifier, ListReaderRejectsEmptyDuplicatesAndBadEntries) {
  const auto doc = schemas::JsonNode::parseText(R"({"ok": ["a", "b"], "empty": [], "dup": ["a", "a"], "bad": ["a", "B"]})",
                                                "doc");
  EXPECT_EQ(identifierListFrom(doc.field("ok")), (std::vector<std::string>{"a", "b"}));
  EXPECT_THROW(identifierListFrom(doc.field("empty")), schemas::DocumentError);
  EXPECT_THROW(identifierListFrom(doc.field("dup")), schemas::DocumentError);
  try {
    identifierListFrom(doc.field("bad"));
    FAIL();
  } catch (const schemas::DocumentError& error) {
    EXPECT_NE(std::string(error.what()).find("doc: bad[1]:"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace nser::policy
