#include "linkage/roman_urdu_rules.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "linkage/text_folding.h"

namespace nser::linkage {
namespace {

// Canonical tokens of a raw name (folded first), joined by ' '.
std::string canon(const std::string& raw) {
  const std::string folded = foldText(raw);
  std::vector<std::string_view> tokens;
  splitFoldedTokens(folded, [&](std::string_view t) { tokens.push_back(t); });
  std::string joined;
  for (const std::string& token : canonicaliseNameTokens(tokens)) {
    if (!joined.empty()) joined.push_back(' ');
    joined += token;
  }
  return joined;
}

// All spellings in `group` must share one canonical form.
void expectSame(const std::vector<std::string>& group) {
  const std::string first = canon(group.front());
  for (const std::string& spelling : group) {
    EXPECT_EQ(canon(spelling), first) << spelling << " vs " << group.front();
  }
}

TEST(RomanUrduRules, EachSpellingRule) {
  EXPECT_EQ(canonicaliseToken("mustapha"), "mustafa");   // ph > f
  EXPECT_EQ(canonicaliseToken("dhakir"), "zakir");       // dh > z
  EXPECT_EQ(canonicaliseToken("zhahir"), "zahir");       // zh > z
  EXPECT_EQ(canonicaliseToken("sadick"), "sadik");       // ck > k
  EXPECT_EQ(canonicaliseToken("qasim"), "kasim");        // q > k
  EXPECT_EQ(canonicaliseToken("rizwan"), "rizvan");      // w > v
  EXPECT_EQ(canonicaliseToken("raziya"), "razia");       // iya > ia
  EXPECT_EQ(canonicaliseToken("aamir"), "amir");         // aa > a
  EXPECT_EQ(canonicaliseToken("nasreen"), "nasrin");     // ee > i
  EXPECT_EQ(canonicaliseToken("mehmood"), "mahmud");     // oo > u, eh > ah
  EXPECT_EQ(canonicaliseToken("yousuf"), "yusuf");       // ou > u
  EXPECT_EQ(canonicaliseToken("hussein"), "husain");     // ei > ai, doubled s
  EXPECT_EQ(canonicaliseToken("rehman"), "rahman");      // eh > ah
  EXPECT_EQ(canonicaliseToken("fatimah"), "fatima");     // final ah > a
  EXPECT_EQ(canonicaliseToken("hassan"), "hasan");       // doubled letters
  EXPECT_EQ(canonicaliseToken("farooq"), "faruk");       // q > k and oo > u
}

TEST(RomanUrduRules, EveryTableRuleHasAWorkingExample) {
  // The documented example of each rule must hold: "Spelling > canonical".
  for (const SpellingRule& rule : spellingRules()) {
    const std::string_view example = rule.example;
    const std::size_t arrow = example.find(" > ");
    ASSERT_NE(arrow, std::string_view::npos) << rule.from;
    const std::string source = foldText(example.substr(0, arrow));
    std::string_view target = example.substr(arrow + 3);
    target = target.substr(0, target.find_first_of(" ,"));
    EXPECT_EQ(canonicaliseToken(source), target) << rule.from << " > " << rule.to;
  }
}

TEST(RomanUrduRules, RulesApplyInOnePassWithoutRescanning) {
  EXPECT_EQ(canonicaliseToken("qq"), "k");      // q>k twice, then doubled collapse
  EXPECT_EQ(canonicaliseToken("saarah"), "sara");  // aa>a then final ah>a
  EXPECT_EQ(canonicaliseToken("shah"), "sha");
  EXPECT_EQ(canonicaliseToken("khan"), "khan"); // kh is not touched
  EXPECT_EQ(canonicaliseToken("ah"), "ah") << "a bare ending is not stripped to nothing";
}

TEST(RomanUrduRules, NonAsciiTokensPassThrough) {
  EXPECT_EQ(canonicaliseToken("\u0639\u0644\u06CC"), "\u0639\u0644\u06CC");
  EXPECT_EQ(canonicaliseToken("ali2"), "ali2");
}

TEST(RomanUrduRules, MuhammadFamily) {
  expectSame({"Muhammad", "Mohammad", "Muhammed", "Mohammed", "Mohamed", "Mohamad", "Mohd",
              "Muhd", "Md", "Mhd", "Mohd.", "MUHAMMAD"});
  EXPECT_EQ(canon("M. Aslam"), canon("Muhammad Aslam"));
  EXPECT_EQ(canon("M"), "m") << "a lone initial is not expanded";
  EXPECT_EQ(canon("Ali M"), "ali m") << "only a leading initial is expanded";
}

TEST(RomanUrduRules, BriefVariantGroups) {
  expectSame({"Qasim", "Kasim"});
  expectSame({"Zainab", "Zaineb", "Zeinab"});
  expectSame({"Fatima", "Fatimah"});
  expectSame({"Nasreen", "Nasrin"});
  expectSame({"Rehman", "Rahman"});
  expectSame({"Hussain", "Husain", "Hussein"});
  expectSame({"Zulfiqar", "Zulfikar", "Dhulfiqar"});
  expectSame({"Rizwan", "Rizvan"});
  expectSame({"Shahzad", "Shehzad"});
}

TEST(RomanUrduRules, EveryLexiconEntry) {
  for (const LexiconEntry& entry : nameLexicon()) {
    EXPECT_EQ(canonicaliseToken(entry.variant), canonicaliseToken(entry.canonical))
        << entry.variant << " -> " << entry.canonical;
  }
  EXPECT_EQ(canonicaliseToken("ahmed"), "ahmad");
  EXPECT_EQ(canonicaliseToken("yousaf"), "yusuf");
}

TEST(RomanUrduRules, AbdParticle) {
  expectSame({"Abdul Rehman", "Abdulrehman", "Abdur Rahman", "Abd-ul-Rehman", "Abdurrahman",
              "Abd ur Rahman", "Abdurehman", "Abdul-Rahman"});
  EXPECT_EQ(canon("Abdul Rehman"), "abdulrahman");
  expectSame({"Abdus Salam", "Abdussalam", "Abdul Salam"});
  expectSame({"Abdullah", "Abdulla", "Abd Allah"});
  EXPECT_EQ(canon("Abdullah"), "abdula");
  EXPECT_EQ(canon("Abdul"), "abdul") << "a lone Abdul stays";
}

TEST(RomanUrduRules, InfixParticlesAndJoinedCompounds) {
  expectSame({"Zia ud Din", "Ziauddin", "Zia-ud-Din", "Zia Uddin", "Zia ud Deen", "Ziaudin"});
  EXPECT_EQ(canon("Zia ud Din"), "ziauldin");
  expectSame({"Habib ur Rehman", "Habiburrehman", "Habib-ur-Rahman", "Habib ul Rehman"});
  expectSame({"Zia ul Haq", "Ziaulhaq", "Zia-ul-Haq"});
  expectSame({"Qurat ul Ain", "Quratulain"});
  expectSame({"Ahsan Ullah", "Ahsanullah", "Ahsan Ulla"});
  expectSame({"Noor-e-Jahan", "Noorjahan", "Nur e Jahan"});
}

TEST(RomanUrduRules, CompoundPrefixes) {
  expectSame({"Allah Ditta", "Allahditta", "Alla Ditta"});
  EXPECT_EQ(canon("Allah Ditta"), "aladita");
  expectSame({"Ghulam Mustafa", "Ghulammustafa", "Gulam Mustapha"});
  expectSame({"Khuda Bakhsh", "Khudabakhsh"});
  EXPECT_EQ(canon("Ghulam Mohd"), "ghulammuhamad") << "each part keeps its own lexicon";
  EXPECT_EQ(canon("Gul Afridi"), "gul afridi") << "Gul stands alone as a given name";
  EXPECT_EQ(canon("Ahsan Allah"), canon("Ahsanullah")) << "a trailing Allah joins backwards";
}

TEST(RomanUrduRules, OrdinaryNamesAreNotSplit) {
  EXPECT_EQ(canon("Kamaldin"), "kamaldin") << "al-ending names are not particle compounds";
  EXPECT_EQ(canon("Hussain"), "husain");
  EXPECT_EQ(canon("Abdali"), "abdali");
  EXPECT_EQ(canon("Mulla"), "mula");
  EXPECT_EQ(canon("Ali Raza Khan"), "ali raza khan");
}

TEST(RomanUrduRules, CanonicalFormsAreFixedPoints) {
  // Canonicalising a canonical token changes nothing: the rules are idempotent.
  const std::set<std::string> samples = {"muhammad", "zainab", "abdulrehman", "nasreen",
                                         "hussein", "mehmood", "farooq", "khalid", "rizwan"};
  for (const std::string& sample : samples) {
    const std::string once = canonicaliseToken(sample);
    EXPECT_EQ(canonicaliseToken(once), once) << sample;
  }
}

}  // namespace
}  // namespace nser::linkage
