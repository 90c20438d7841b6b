// Expected outcomes are what Python 3.11's int(s, 10) and float(s) return.
#include "linkage/python_number.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nser::linkage {
namespace {

TEST(PythonInt, AcceptsWhatPythonAccepts) {
  EXPECT_EQ(parsePythonInt("+013").value, 13);
  EXPECT_EQ(parsePythonInt(" 1_000 ").value, 1000);
  EXPECT_EQ(parsePythonInt("۱۲۳").value, 123);  // Extended Arabic-Indic digits
  EXPECT_EQ(parsePythonInt("\u20031\u2003").value, 1);  // em spaces around
  EXPECT_EQ(parsePythonInt("-9223372036854775808").value, INT64_MIN);
  EXPECT_EQ(parsePythonInt("-0").status, NumberStatus::Ok);
}

TEST(PythonInt, RejectsWhatPythonRejects) {
  for (const char* text : {"1__0", "_1", "1_", "1 2", "", "  ", "12a", "0x10", "1.0", "+", "- 5"}) {
    EXPECT_EQ(parsePythonInt(text).status, NumberStatus::Invalid) << text;
  }
}

TEST(PythonInt, ReportsValuesBeyondInt64InsteadOfWrapping) {
  EXPECT_EQ(parsePythonInt("9223372036854775808").status, NumberStatus::OutOfRange);
  EXPECT_EQ(parsePythonInt("99999999999999999999x").status, NumberStatus::Invalid);
}

TEST(PythonFloat, AcceptsWhatPythonAccepts) {
  EXPECT_EQ(parsePythonFloat("1e3").value, 1000.0);
  EXPECT_EQ(parsePythonFloat(".5").value, 0.5);
  EXPECT_EQ(parsePythonFloat("5.").value, 5.0);
  EXPECT_EQ(parsePythonFloat("1_0.5").value, 10.5);
  EXPECT_EQ(parsePythonFloat(" +2.5e-3 ").value, 0.0025);
  EXPECT_TRUE(std::isinf(parsePythonFloat("inf").value));
  EXPECT_LT(parsePythonFloat("-Infinity").value, 0);
  EXPECT_TRUE(std::isnan(parsePythonFloat("NaN").value));
  EXPECT_TRUE(std::isinf(parsePythonFloat("1e999").value));
  EXPECT_EQ(parsePythonFloat("1e-999").value, 0.0);
}

TEST(PythonFloat, RejectsWhatPythonRejects) {
  for (const char* text : {"nan(1)", "0x10", "1._5", ".", "e5", "1e", "", "1,5", "infinit"}) {
    EXPECT_EQ(parsePythonFloat(text).status, NumberStatus::Invalid) << text;
  }
}

}  // namespace
}  // namespace nser::linkage
