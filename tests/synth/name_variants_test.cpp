#include "synth/name_variants.h"

#include <gtest/gtest.h>

#include <set>

namespace nser::synth {
namespace {

// Every variant a function produces over many draws.
template <typename F>
std::set<std::string> variants(const std::string& name, F f, int draws = 400) {
  std::set<std::string> out;
  for (int i = 0; i < draws; ++i) {
    RandomStream rng(1, 2, static_cast<std::uint64_t>(i));
    std::string n = name;
    EXPECT_TRUE(f(n, &rng));
    EXPECT_NE(n, name);
    out.insert(n);
  }
  return out;
}

TEST(NameVariants, TransliterationKnowsMuhammadAndRomanUrduRules) {
  const auto v = variants("Muhammad Qasim", [](std::string& n, RandomStream* r) { return transliterate(n, r); });
  for (const char* expected : {"Mohammad Qasim", "Muhammed Qasim", "Mohd Qasim", "M. Qasim", "Muhammad Kasim"})
    EXPECT_TRUE(v.count(expected)) << expected;
  const auto f = variants("Fatima", [](std::string& n, RandomStream* r) { return transliterate(n, r); });
  EXPECT_TRUE(f.count("Fatimah"));
  const auto d = variants("Nasreen", [](std::string& n, RandomStream* r) { return transliterate(n, r); });
  EXPECT_TRUE(d.count("Nasrin"));
  std::string initial = "M.";
  EXPECT_FALSE(transliterate(initial, nullptr));
}

TEST(NameVariants, JoinAndSplitCompounds) {
  const auto v = variants("Abdul Rehman", [](std::string& n, RandomStream* r) { return joinOrSplit(n, r); });
  EXPECT_TRUE(v.count("Abdulrehman"));
  EXPECT_TRUE(v.count("Abdur Rehman"));
  const auto s = variants("Samiullah Khan", [](std::string& n, RandomStream* r) { return joinOrSplit(n, r); });
  EXPECT_TRUE(s.count("Sami Ullah Khan"));
  std::string plain = "Imran";
  EXPECT_FALSE(joinOrSplit(plain, nullptr));
}

TEST(NameVariants, HonorificsComeAndGo) {
  const auto dropped =
      variants("Syed Muhammad Ali Shah", [](std::string& n, RandomStream* r) { return toggleHonorific(n, true, NameRegion::kPunjabi, r); });
  EXPECT_EQ(dropped, std::set<std::string>{"Muhammad Ali Shah"});
  const auto added = variants("Zainab", [](std::string& n, RandomStream* r) { return toggleHonorific(n, false, NameRegion::kSindhi, r); });
  for (const std::string& name : added) EXPECT_EQ(name.rfind("Zainab ", 0), 0u) << name;
  EXPECT_TRUE(added.count("Zainab Mai"));
}

TEST(NameVariants, OrderDropAndTypo) {
  EXPECT_EQ(variants("Asif Khan", [](std::string& n, RandomStream* r) { return reorderTokens(n, r); }),
            std::set<std::string>{"Khan Asif"});
  const auto dropped = variants("Muhammad Asif Khan", [](std::string& n, RandomStream* r) { return dropToken(n, r); });
  EXPECT_TRUE(dropped.count("Asif Khan"));
  EXPECT_TRUE(dropped.count("Muhammad Khan"));
  std::string single = "Kiran";
  EXPECT_FALSE(dropToken(single, nullptr));
  EXPECT_FALSE(reorderTokens(single, nullptr));
  const auto typos = variants("Rukhsana", [](std::string& n, RandomStream* r) { return keyboardTypo(n, r); });
  for (const std::string& t : typos) {
    EXPECT_EQ(t[0], 'R') << t;
    EXPECT_LE(t.size(), 9u);
    EXPECT_GE(t.size(), 7u);
  }
  EXPECT_GT(typos.size(), 10u);
}

TEST(NameVariants, CheckingApplicabilityLeavesTheNameAlone) {
  std::string name = "Haji Muhammad Abdul Rehman";
  EXPECT_TRUE(transliterate(name, nullptr));
  EXPECT_TRUE(toggleHonorific(name, true, NameRegion::kPashtun, nullptr));
  EXPECT_TRUE(joinOrSplit(name, nullptr));
  EXPECT_TRUE(keyboardTypo(name, nullptr));
  EXPECT_EQ(name, "Haji Muhammad Abdul Rehman");
}

}  // namespace
}  // namespace nser::synth
