#include "cli/arguments.h"

#include <gtest/gtest.h>

namespace nser::cli {
namespace {

const std::vector<OptionSpec> kSpecs = {
    {"people", true, false}, {"out", true, false}, {"quiet", false, false}, {"source", true, true}};

TEST(Arguments, ParsesValuesFlagsAndPositionals) {
  auto args = Arguments::parse({"--people", "100", "--out=dir", "--quiet", "a.csv", "b.csv"}, kSpecs);
  EXPECT_EQ(args.required("people"), "100");
  EXPECT_EQ(args.required("out"), "dir");
  EXPECT_TRUE(args.has("quiet"));
  EXPECT_EQ(args.positionals(), (std::vector<std::string>{"a.csv", "b.csv"}));
  EXPECT_EQ(args.integerOr("people", 5, 1, 1000), 100);
  EXPECT_EQ(args.valueOr("missing", "x"), "x");
}

TEST(Arguments, RepeatableOptionsCollectEveryValue) {
  auto args = Arguments::parse({"--source", "a", "--source", "b"}, kSpecs);
  EXPECT_EQ(args.all("source"), (std::vector<std::string>{"a", "b"}));
}

TEST(Arguments, DoubleDashEndsOptions) {
  auto args = Arguments::parse({"--", "--people", "-x"}, kSpecs);
  EXPECT_EQ(args.positionals(), (std::vector<std::string>{"--people", "-x"}));
  EXPECT_FALSE(args.has("people"));
}

TEST(Arguments, ErrorsNameTheOption) {
  auto expectError = [](const std::vector<std::string>& argv, const std::string& needle) {
    try {
      Arguments::parse(argv, kSpecs);
      FAIL() << "expected a UsageError containing " << needle;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expectError({"--nope"}, "unknown option '--nope'");
  expectError({"-n"}, "unknown option '-n'");
  expectError({"--people"}, "'--people' needs a value");
  expectError({"--quiet=yes"}, "'--quiet' takes no value");
  expectError({"--out", "a", "--out", "b"}, "'--out' given more than once");
}

TEST(Arguments, NumericValidationNamesOptionAndRange) {
  auto args = Arguments::parse({"--people", "12x"}, kSpecs);
  EXPECT_THROW(args.integerOr("people", 0, 0, 10), UsageError);
  auto big = Arguments::parse({"--people", "5000"}, kSpecs);
  try {
    big.integerOr("people", 0, 1, 1000);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("between 1 and 1000"), std::string::npos);
  }
  auto real = Arguments::parse({"--people", "0.75"}, kSpecs);
  EXPECT_DOUBLE_EQ(real.realOr("people", 0, 0, 1), 0.75);
  EXPECT_THROW(real.realOr("people", 0, 0.8, 1), UsageError);
  EXPECT_THROW(Arguments().required("people"), UsageError);
}

}  // namespace
}  // namespace nser::cli
