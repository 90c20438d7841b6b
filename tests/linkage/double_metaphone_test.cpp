#include "linkage/double_metaphone.h"

#include <gtest/gtest.h>

namespace nser::linkage {
namespace {

void expectCode(const char* word, const char* primary, const char* alternate,
                std::size_t maxLength = 4) {
  const DoubleMetaphoneCode code = doubleMetaphone(word, maxLength);
  EXPECT_EQ(code.primary, primary) << word;
  EXPECT_EQ(code.alternate, alternate) << word;
}

TEST(DoubleMetaphone, PublishedExamples) {
  expectCode("Smith", "SM0", "XMT");
  expectCode("Schmidt", "XMT", "SMT");
  expectCode("Thomas", "TMS", "TMS");
  expectCode("Jose", "HS", "HS");
  expectCode("Xavier", "SF", "SFR");
  expectCode("Arnow", "ARN", "ARNF");
  expectCode("Michael", "MKL", "MXL");
  expectCode("Knight", "NT", "NT");
  expectCode("Wasserman", "ASRM", "FSRM");
  expectCode("Filipowicz", "FLPT", "FLPF");
  expectCode("Caesar", "SSR", "SSR");
  expectCode("Edge", "AJ", "AJ");
  expectCode("Dumb", "TM", "TM");
  expectCode("Hugh", "H", "H");
  expectCode("Laugh", "LF", "LF");
  expectCode("Czerny", "SRN", "XRN");
  expectCode("Gallegos", "KLKS", "KKS");
  expectCode("Cabrillo", "KPRL", "KPR");
  expectCode("Accident", "AKST", "AKST");
  expectCode("Bacchus", "PKS", "PKS");
  expectCode("Focaccia", "FKX", "FKX");
  expectCode("Zhao", "J", "J");
  expectCode("Rogier", "RJ", "RJR");
  expectCode("Sugar", "XKR", "SKR");
  expectCode("Schooner", "SKNR", "SKNR");
  expectCode("Breaux", "PR", "PR");
}

TEST(DoubleMetaphone, FullLengthCodes) {
  expectCode("Schermerhorn", "XRMRRN", "SKRMRRN", 16);
  expectCode("Psychology", "SXLJ", "SKLK", 16);
  expectCode("Orchestra", "ARKSTR", "ARKSTR", 16);
  expectCode("Muhammad", "MHMT", "MHMT", 16);
  expectCode("Chaudhry", "XTR", "XTR", 16);
}

TEST(DoubleMetaphone, EdgeCases) {
  expectCode("", "", "");
  expectCode("smith", "SM0", "XMT");
  expectCode("  Smith  ", "SM0", "XMT");
  expectCode("Aaaa", "A", "A");
  expectCode("Gnome", "NM", "NM");
  expectCode("Raj", "RJ", "R");  // word-final J: no space appended to the alternate
}

}  // namespace
}  // namespace nser::linkage
