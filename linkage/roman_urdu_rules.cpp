#include "linkage/roman_urdu_rules.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace nser::linkage {
namespace {

// Step 2 (and step 4, wordEndOnly). Order matters only where two rules
// could start at the same position: longer, more specific patterns first.
constexpr auto kSpellingRules = std::to_array<SpellingRule>({
    {"ph", "f", false, "Mustapha > mustafa"},
    {"dh", "z", false, "Dhulfiqar > zulfikar (Arabic dhal is said z in Urdu)"},
    {"zh", "z", false, "Zhahir > zahir"},
    {"ck", "k", false, "Sadick > sadik"},
    {"q", "k", false, "Qasim > kasim, Farooq > faruk"},
    {"w", "v", false, "Rizwan > rizvan"},
    {"iya", "ia", false, "Raziya > razia"},
    {"aa", "a", false, "Aamir > amir"},
    {"ee", "i", false, "Nasreen > nasrin"},
    {"oo", "u", false, "Mehmood > mahmud"},
    {"ou", "u", false, "Yousuf > yusuf"},
    {"ei", "ai", false, "Hussein > husain, Sheikh > shaikh"},
    {"eh", "ah", false, "Rehman > rahman, Ehsan > ahsan"},
    // step 3 (doubled letters) runs between these two groups
    {"ah", "a", true, "Fatimah > fatima"},
});
constexpr std::size_t kFirstWordEndRule = 13;

// Step 5. Variants rules 2-4 cannot merge, grouped by canonical name.
constexpr auto kLexicon = std::to_array<LexiconEntry>({
    // The Muhammad family (and its abbreviations).
    {"mohammad", "muhammad"}, {"mohammed", "muhammad"}, {"muhammed", "muhammad"},
    {"mohamed", "muhammad"},  {"mohamad", "muhammad"},  {"muhamed", "muhammad"},
    {"mohammd", "muhammad"},  {"muhammd", "muhammad"},  {"mohmmad", "muhammad"},
    {"mohmad", "muhammad"},   {"mohd", "muhammad"},     {"muhd", "muhammad"},
    {"md", "muhammad"},       {"mhd", "muhammad"},      {"mohammod", "muhammad"},
    {"mahomed", "muhammad"},  {"mahammad", "muhammad"}, {"mohummad", "muhammad"},
    {"muhamud", "muhammad"},  {"mohamud", "muhammad"},  {"muhmmad", "muhammad"},
    // e/a and i/e vowel variants at the end of common names.
    {"ahmed", "ahmad"},       {"ahmet", "ahmad"},       {"khaled", "khalid"},
    {"hamed", "hamid"},       {"rashed", "rashid"},     {"majed", "majid"},
    {"sajed", "sajid"},       {"zahed", "zahid"},       {"shahed", "shahid"},
    {"asem", "asim"},         {"kasem", "kasim"},       {"qader", "qadir"},
    {"nader", "nadir"},       {"naser", "nasir"},       {"nasser", "nasir"},
    {"yaser", "yasir"},       {"yasser", "yasir"},      {"tarik", "tariq"},
    {"tareq", "tariq"},       {"zafer", "zafar"},       {"jafer", "jafar"},
    {"asgher", "asghar"},     {"akber", "akbar"},       {"anver", "anwar"},
    // o/u and initial vowel variants.
    {"osman", "usman"},       {"othman", "usman"},      {"uthman", "usman"},
    {"umer", "umar"},         {"omer", "umar"},         {"omar", "umar"},
    {"yousaf", "yusuf"},      {"yusaf", "yusuf"},       {"yousef", "yusuf"},
    {"yusef", "yusuf"},       {"yousif", "yusuf"},      {"yosuf", "yusuf"},
    {"emran", "imran"},       {"erfan", "irfan"},       {"ebrahim", "ibrahim"},
    {"esmail", "ismail"},     {"ismael", "ismail"},     {"sohail", "suhail"},
    {"zobair", "zubair"},     {"zubeir", "zubair"},     {"zuber", "zubair"},
    {"shuaib", "shoaib"},     {"shoeb", "shoaib"},      {"dawood", "daud"},
    {"dawud", "daud"},        {"daood", "daud"},        {"gulam", "ghulam"},
    {"golam", "ghulam"},      {"javaid", "javed"},      {"jawaid", "javed"},
    // Women's names.
    {"zaineb", "zainab"},     {"zenab", "zainab"},      {"zeenab", "zainab"},
    {"zainub", "zainab"},     {"zaenab", "zainab"},     {"ayesha", "aisha"},
    {"ayisha", "aisha"},      {"aysha", "aisha"},       {"aesha", "aisha"},
    {"mariam", "maryam"},     {"maryum", "maryam"},     {"meryem", "maryam"},
    {"kulsoom", "kulsum"},    {"kalsoom", "kulsum"},    {"kalsum", "kulsum"},
    {"kulthum", "kulsum"},    {"perveen", "parveen"},   {"parvin", "parveen"},
    {"fatma", "fatima"},      {"hajira", "hajra"},      {"saeeda", "saida"},
    {"sayeed", "saeed"},      {"saeid", "saeed"},       {"rubeena", "rubina"},
});

bool isAsciiLowerWord(std::string_view token) {
  if (token.empty()) return false;
  for (char c : token) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

// Step 2 never lengthens a token (every rule's replacement is at most as
// long as its pattern), so its output fits in the input's length.
constexpr bool stepTwoNeverLengthens() {
  for (std::size_t r = 0; r < kFirstWordEndRule; ++r) {
    if (kSpellingRules[r].to.size() > kSpellingRules[r].from.size()) return false;
  }
  return true;
}
static_assert(stepTwoNeverLengthens());

// The step-2 rules by the first letter of their pattern, in table order, so
// each position tries only the rules that can match there.
struct RulesByFirstLetter {
  std::array<std::array<std::uint8_t, kFirstWordEndRule>, 256> rules{};
  std::array<std::uint8_t, 256> count{};
};

constexpr RulesByFirstLetter buildRulesByFirstLetter() {
  RulesByFirstLetter index;
  for (std::size_t r = 0; r < kFirstWordEndRule; ++r) {
    const auto first = static_cast<unsigned char>(kSpellingRules[r].from[0]);
    index.rules[first][index.count[first]++] = static_cast<std::uint8_t>(r);
  }
  return index;
}
constexpr RulesByFirstLetter kRulesByFirstLetter = buildRulesByFirstLetter();

// Steps 2-4 (no lexicon). Step 3 runs on the fly: a letter equal to the
// last one written is skipped, which is the same as collapsing afterwards.
void applySpellingRules(std::string_view token, std::string& out) {
  out.resize(token.size());  // enough: step 2 never lengthens (asserted above)
  char* const begin = out.data();
  std::size_t length = 0;
  auto put = [begin, &length](char c) {
    if (length == 0 || begin[length - 1] != c) begin[length++] = c;
  };
  for (std::size_t i = 0; i < token.size();) {
    const char c = token[i];
    const auto first = static_cast<unsigned char>(c);
    bool matched = false;
    for (std::size_t k = 0; k < kRulesByFirstLetter.count[first]; ++k) {
      const SpellingRule& rule = kSpellingRules[kRulesByFirstLetter.rules[first][k]];
      if (token.substr(i, rule.from.size()) == rule.from) {
        for (char t : rule.to) put(t);
        i += rule.from.size();
        matched = true;
        break;
      }
    }
    if (!matched) {
      put(c);
      ++i;
    }
  }
  out.resize(length);
  for (std::size_t r = kFirstWordEndRule; r < kSpellingRules.size(); ++r) {  // step 4
    const SpellingRule& rule = kSpellingRules[r];
    if (!rule.wordEndOnly) continue;
    if (out.size() > rule.from.size() && out.ends_with(rule.from)) {
      out.resize(out.size() - rule.from.size());
      out.append(rule.to);
    }
  }
}

// The lexicon compiled into rule space, sorted and without duplicate keys.
// Built once.
const std::vector<std::pair<std::string, std::string>>& compiledLexicon() {
  static const std::vector<std::pair<std::string, std::string>> table = [] {
    std::vector<std::pair<std::string, std::string>> entries;
    entries.reserve(kLexicon.size());
    for (const LexiconEntry& entry : kLexicon) {
      std::string key;
      std::string value;
      applySpellingRules(entry.variant, key);
      applySpellingRules(entry.canonical, value);
      if (key != value) entries.emplace_back(std::move(key), std::move(value));
    }
    std::sort(entries.begin(), entries.end());
    entries.erase(std::unique(entries.begin(), entries.end(),
                              [](const auto& a, const auto& b) { return a.first == b.first; }),
                  entries.end());
    return entries;
  }();
  return table;
}

// The same entries by key, for the lookup of every name token: one hash of
// the token instead of a binary search's dozen string comparisons. The views
// point into compiledLexicon()'s static table.
const std::unordered_map<std::string_view, std::string_view>& lexiconIndex() {
  static const std::unordered_map<std::string_view, std::string_view> index = [] {
    std::unordered_map<std::string_view, std::string_view> byKey;
    const auto& lexicon = compiledLexicon();
    byKey.reserve(lexicon.size());
    for (const auto& [key, value] : lexicon) byKey.emplace(key, value);
    return byKey;
  }();
  return index;
}

// --- Step 1: particles ------------------------------------------------------

// Arabic article forms after "abd" and between two names ("ul", assimilated
// to the next sun letter: "ur rahman", "us salam", "ud din", ...).
constexpr std::array<std::string_view, 17> kInfixParticles = {
    "ul", "ur", "us", "uz", "ud", "un", "ut", "ush", "al", "el", "ar", "as",
    "az", "ad", "an", "at", "ash"};

// Second elements that follow an infix particle in joined compounds.
constexpr std::array<std::string_view, 26> kCompoundElements = {
    "din",    "deen",  "rahman", "rehman", "rahim", "raheem", "haq",    "haque", "hak",
    "zaman",  "nisa",  "nissa",  "nisaa",  "islam", "hassan", "hasan",  "hussain", "ain",
    "amin",   "ameen", "rab",    "nabi",   "qadir", "aziz",   "karim",  "kareem"};

// Spellings of "ullah"/"allah" as the end of a compound ("Ahsanullah") or as
// a token of its own ("Ahsan Ullah").
constexpr std::array<std::string_view, 6> kAllahForms = {"ullah", "ulla",  "ulah",
                                                         "allah", "illah", "ullha"};

// First elements of compound names that are written joined or apart
// ("Allah Ditta"/"Allahditta", "Ghulam Mustafa"/"Ghulammustafa", "Khuda
// Bakhsh"/"Khudabakhsh"). Both spellings become canon(first) + canon(rest)
// as one token. Only elements that never stand alone as a given name:
// "Gul" and "Noor" do ("Gul Afridi"), so they are left to NameParts::joined().
constexpr auto kCompoundPrefixes = std::to_array<std::string_view>({
    "allah", "alla", "ghulam", "gulam", "khuda"});

// The prefix length if `token` starts with a compound prefix followed by at
// least three letters, else 0.
std::size_t compoundPrefixLength(std::string_view token) {
  for (std::string_view prefix : kCompoundPrefixes) {
    if (token.size() >= prefix.size() + 3 && token[0] == prefix[0] && token.starts_with(prefix)) {
      return prefix.size();
    }
  }
  return 0;
}

bool isCompoundPrefix(std::string_view token) {
  if (token.size() < 4 || (token[0] != 'a' && token[0] != 'g' && token[0] != 'k')) return false;
  return std::find(kCompoundPrefixes.begin(), kCompoundPrefixes.end(), token) !=
         kCompoundPrefixes.end();
}

bool isInfixParticle(std::string_view token) {
  if (token.size() < 2 || token.size() > 3) return false;
  return std::find(kInfixParticles.begin(), kInfixParticles.end(), token) != kInfixParticles.end();
}

bool isAllahForm(std::string_view token) {
  if (token.size() < 4 || (token[0] != 'u' && token[0] != 'a' && token[0] != 'i')) return false;
  return std::find(kAllahForms.begin(), kAllahForms.end(), token) != kAllahForms.end();
}

// Tokens that are an "abd" + particle with the name still to come.
bool isAbdPrefixToken(std::string_view token) {
  static constexpr std::array<std::string_view, 13> kForms = {
      "abd", "abdu", "abdul", "abdur", "abdus", "abduz", "abdush", "abdun", "abdut", "abdud",
      "abdal", "abdel", "abdil"};
  if (!token.starts_with("abd")) return false;
  return std::find(kForms.begin(), kForms.end(), token) != kForms.end();
}

// For a joined "abd..." token, the name after the particle ("abdurrahman"
// -> "rahman"); empty when `token` is not such a compound.
std::string_view abdRemainder(std::string_view token) {
  if (token.size() <= 5 || !token.starts_with("abd")) return {};
  std::string_view rest = token.substr(3);
  if (rest.starts_with("ul") || rest.starts_with("al") || rest.starts_with("el") ||
      rest.starts_with("il")) {
    rest.remove_prefix(2);
  } else if (rest.front() == 'u' || rest.front() == 'a' || rest.front() == 'e') {
    rest.remove_prefix(1);  // assimilated: the particle's consonant starts the name
    if (rest.size() >= 2 && rest[0] == rest[1]) rest.remove_prefix(1);  // "urrahman"
  }
  return rest;
}

// Splits a joined compound "X<particle><element>" ("ziauddin",
// "habiburrehman", "ahsanullah"): returns the length of X, or 0.
// `elementStart` receives where the element begins (for allah forms, the
// whole suffix "ullah" is the element).
std::size_t splitCompound(std::string_view token, std::size_t& elementStart) {
  for (std::string_view allah : kAllahForms) {
    if (token.size() >= allah.size() + 3 && token.back() == allah.back() && token.ends_with(allah)) {
      elementStart = token.size() - allah.size();
      return elementStart;
    }
  }
  for (std::string_view element : kCompoundElements) {
    if (token.size() < element.size() + 3 || token.back() != element.back() ||
        !token.ends_with(element)) {
      continue;
    }
    const std::size_t at = token.size() - element.size();
    const std::string_view head = token.substr(0, at);
    std::size_t particleLength = 0;
    // "ul" only: names ending in "al" ("Kamaldin") are too often X + element.
    if (head.ends_with("ul")) {
      particleLength = 2;
    } else if (head.size() >= 2 && head[head.size() - 2] == 'u' && head.back() == element.front()) {
      particleLength = 2;  // assimilated and written double: "ud" + "din"
    } else if (head.back() == 'u') {
      particleLength = 1;  // assimilated, written single: "u" + "din"
    }
    if (particleLength == 0 || head.size() < particleLength + 2) continue;
    elementStart = at;
    return head.size() - particleLength;
  }
  return 0;
}

// A compound in canonical form: canon(X + "ul" + element) as one token,
// so "Zia ud Din", "Zia-ud-Din", "Ziauddin" and "Zia Uddin" agree.
std::string joinCompound(std::string_view head, std::string_view element) {
  std::string joined;
  joined.reserve(head.size() + element.size() + 2);
  joined.append(head);
  if (isAllahForm(element)) {
    joined.append("ullah");
  } else {
    joined.append("ul").append(element);
  }
  return canonicaliseToken(joined);
}

}  // namespace

std::span<const SpellingRule> spellingRules() {
  return kSpellingRules;
}

std::span<const LexiconEntry> nameLexicon() { return kLexicon; }

void canonicaliseToken(std::string_view foldedToken, std::string& out) {
  if (!isAsciiLowerWord(foldedToken)) {
    out.assign(foldedToken);
    return;
  }
  applySpellingRules(foldedToken, out);
  const auto& index = lexiconIndex();
  if (const auto it = index.find(std::string_view(out)); it != index.end()) out.assign(it->second);
}

std::string canonicaliseToken(std::string_view foldedToken) {
  std::string out;
  canonicaliseToken(foldedToken, out);
  return out;
}

std::vector<std::string> canonicaliseNameTokens(std::span<const std::string_view> tokens) {
  std::vector<std::string> out;
  out.reserve(tokens.size());
  std::string scratch;
  const std::size_t n = tokens.size();
  for (std::size_t i = 0; i < n;) {
    const std::string_view token = tokens[i];

    // A leading "m" initial before more names: "M. Aslam".
    if (i == 0 && token == "m" && n >= 2) {
      out.push_back(canonicaliseToken("muhammad"));
      ++i;
      continue;
    }
    // "Abd" written apart from its name: "Abdul Rehman", "Abd ul Rehman".
    if (isAbdPrefixToken(token) && i + 1 < n) {
      std::size_t next = i + 1;
      if (isInfixParticle(tokens[next]) && next + 1 < n) ++next;
      const std::string_view name = tokens[next];
      if (isAllahForm(name)) {
        out.push_back(canonicaliseToken("abdullah"));
      } else {
        out.push_back(canonicaliseToken(std::string("abdul").append(name)));
      }
      i = next + 1;
      continue;
    }
    // "Abd" joined to its name: "Abdulrehman", "Abdurrahman".
    if (const std::string_view rest = abdRemainder(token); !rest.empty()) {
      canonicaliseToken(rest, scratch);
      if (scratch.size() < 3) {
        out.push_back(canonicaliseToken(token));  // Abdullah, Abdulla: one name
      } else {
        out.push_back(canonicaliseToken(std::string("abdul").append(rest)));
      }
      ++i;
      continue;
    }
    // Izafat "e" between two names: "Noor-e-Jahan" is "Noorjahan".
    if (i + 2 < n && tokens[i + 1] == "e" && token != "e") {
      out.push_back(canonicaliseToken(std::string(token).append(tokens[i + 2])));
      i += 3;
      continue;
    }
    // Infix particle between two names: "Zia ud Din", "Habib ur Rehman".
    if (i + 2 < n && isInfixParticle(tokens[i + 1]) && !isInfixParticle(token)) {
      out.push_back(joinCompound(token, tokens[i + 2]));
      i += 3;
      continue;
    }
    // Compound prefix apart or joined: "Allah Ditta", "Allahditta".
    if (isCompoundPrefix(token) && i + 1 < n && !isInfixParticle(tokens[i + 1]) &&
        !isAllahForm(tokens[i + 1])) {
      out.push_back(canonicaliseToken(token) + canonicaliseToken(tokens[i + 1]));
      i += 2;
      continue;
    }
    if (const std::size_t prefix = compoundPrefixLength(token); prefix > 0) {
      out.push_back(canonicaliseToken(token.substr(0, prefix)) +
                    canonicaliseToken(token.substr(prefix)));
      ++i;
      continue;
    }
    // "Ahsan Ullah", "Zia Uddin": a particle+element token joins the name before it.
    if (i + 1 < n && !isInfixParticle(token)) {
      const std::string_view next = tokens[i + 1];
      std::size_t elementStart = 0;
      if (isAllahForm(next)) {
        out.push_back(joinCompound(token, next));
        i += 2;
        continue;
      }
      if (splitCompound(std::string("xx").append(next), elementStart) == 2) {
        out.push_back(joinCompound(token, next.substr(elementStart - 2)));
        i += 2;
        continue;
      }
    }
    // Joined compounds: "Ziauddin", "Ahsanullah", "Habiburrehman".
    std::size_t elementStart = 0;
    if (const std::size_t headLength = splitCompound(token, elementStart); headLength > 0) {
      out.push_back(joinCompound(token.substr(0, headLength), token.substr(elementStart)));
      ++i;
      continue;
    }
    out.push_back(canonicaliseToken(token));
    ++i;
  }
  return out;
}

}  // namespace nser::linkage
