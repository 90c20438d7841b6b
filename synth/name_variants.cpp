#include "synth/name_variants.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "synth/name_lists.h"

namespace nser::synth {
namespace {

using Tokens = std::vector<std::string>;

void splitTokens(const std::string& name, Tokens& tokens) {
  tokens.clear();
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t space = name.find(' ', start);
    const std::size_t end = space == std::string::npos ? name.size() : space;
    if (end > start) tokens.emplace_back(name, start, end - start);
    if (space == std::string::npos) break;
    start = space + 1;
  }
}

std::string joinTokens(const Tokens& tokens) {
  std::string out;
  for (const std::string& t : tokens) {
    if (!out.empty()) out.push_back(' ');
    out += t;
  }
  return out;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
bool isVowel(char c) {
  c = lower(c);
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}
bool isLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isConsonant(char c) { return isLetter(c) && !isVowel(c); }

std::string lowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}
std::string capitalised(std::string s) {
  if (!s.empty()) s[0] = upper(s[0]);
  return s;
}

// Whole-word spellings seen for the same name (both directions listed where both occur).
constexpr std::pair<std::string_view, std::string_view> kWordVariants[] = {
    {"Muhammad", "Mohammad"}, {"Muhammad", "Muhammed"}, {"Muhammad", "Mohd"},     {"Muhammad", "M."},
    {"Muhammad", "Mohammed"}, {"Muhammad", "Muhamad"},  {"Rehman", "Rahman"},     {"Rahman", "Rehman"},
    {"Hussain", "Husain"},    {"Hussain", "Hussein"},   {"Hassan", "Hasan"},      {"Ahmed", "Ahmad"},
    {"Usman", "Osman"},       {"Yousaf", "Yusuf"},      {"Yousaf", "Yousuf"},     {"Younis", "Yunus"},
    {"Yaqoob", "Yakub"},      {"Yaqoob", "Yaqub"},      {"Fatima", "Fatimah"},    {"Fatima", "Fatma"},
    {"Zainab", "Zaineb"},     {"Ayesha", "Aisha"},      {"Ayesha", "Aysha"},      {"Nasreen", "Nasrin"},
    {"Khadija", "Khadijah"},  {"Qasim", "Kasim"},       {"Siddique", "Siddiq"},   {"Mehmood", "Mahmood"},
    {"Mehmood", "Mahmud"},    {"Iqbal", "Ikbal"},       {"Zulfiqar", "Zulfikar"}, {"Chaudhry", "Chaudhary"},
    {"Chaudhry", "Ch."},      {"Sheikh", "Shaikh"},     {"Syed", "Sayed"},        {"Syed", "Sayyed"},
    {"Ghulam", "Gulam"},      {"Ramzan", "Ramazan"},    {"Ramzan", "Ramzaan"},    {"Bux", "Bakhsh"},
    {"Bux", "Baksh"},         {"Khatoon", "Khatun"},    {"Begum", "Begam"},       {"Kulsoom", "Kulsum"},
    {"Parveen", "Perveen"},   {"Parveen", "Parvin"},    {"Abdul", "Abdal"},       {"Ali", "Aly"},
    {"Umar", "Umer"},         {"Zahid", "Zahed"},       {"Haider", "Hyder"},      {"Mushtaq", "Mushtak"},
    {"Ishaq", "Ishak"},       {"Raza", "Rza"},          {"Noor", "Nur"},          {"Sughra", "Sughran"},
    {"Razia", "Raziya"},      {"Shah", "Sha"},          {"Bibi", "Bb."},          {"Mai", "Maai"},
};

// Roman-Urdu spelling rules, applied at the first place they match.
constexpr std::pair<std::string_view, std::string_view> kRules[] = {
    {"q", "k"}, {"z", "zh"}, {"z", "dh"}, {"dh", "z"}, {"aa", "a"}, {"ee", "i"},
    {"oo", "u"}, {"ou", "u"}, {"w", "v"}, {"v", "w"}, {"ph", "f"}, {"kh", "k"},
};

// With `firstOnly`, stops at the first candidate (an applicability check in the hot loop).
void transliterationCandidates(const std::string& token, std::vector<std::string>& out, bool& hasWord,
                               bool firstOnly = false) {
  out.clear();
  hasWord = false;
  for (const auto& [from, to] : kWordVariants) {
    if (token == from) {
      out.emplace_back(to);
      hasWord = true;
    }
  }
  if (token.size() < 3 || token.back() == '.' || (firstOnly && !out.empty())) return;
  const std::string lt = lowerCopy(token);
  for (const auto& [from, to] : kRules) {
    const std::size_t at = lt.find(from);
    if (at != std::string::npos) {
      out.push_back(capitalised(std::string(lt).replace(at, from.size(), to)));
      if (firstOnly) return;
    }
  }
  for (std::size_t i = 1; i + 1 < lt.size(); ++i) {
    const char c = lt[i];
    if (isConsonant(c) && lt[i + 1] == c) {  // Abbas -> Abas
      out.push_back(capitalised(std::string(lt).erase(i, 1)));
      break;
    }
  }
  for (std::size_t i = 1; i + 1 < lt.size(); ++i) {
    const char c = lt[i];
    if (isConsonant(c) && c != 'h' && isVowel(lt[i - 1]) && isVowel(lt[i + 1])) {  // Sadiq -> Saddiq
      out.push_back(capitalised(std::string(lt).insert(i, 1, c)));
      break;
    }
  }
  for (std::size_t i = 1; i + 1 < lt.size(); ++i) {
    const char c = lt[i];
    if ((c == 'a' || c == 'i' || c == 'u') && !isVowel(lt[i - 1]) && !isVowel(lt[i + 1])) {
      const char* longer = c == 'a' ? "aa" : c == 'i' ? "ee" : "oo";  // Nasir -> Naseer
      out.push_back(capitalised(std::string(lt).replace(i, 1, longer)));
      break;
    }
  }
  for (std::size_t i = 1; i + 1 < lt.size(); ++i) {
    if ((lt[i] == 'e' || lt[i] == 'a') && !isVowel(lt[i - 1]) && !isVowel(lt[i + 1])) {  // Rehman -> Rahman
      std::string v = lt;
      v[i] = lt[i] == 'e' ? 'a' : 'e';
      out.push_back(capitalised(std::move(v)));
      break;
    }
  }
  if (lt.size() >= 2 && lt.back() == 'a' && !isVowel(lt[lt.size() - 2])) out.push_back(capitalised(lt + "h"));
  if (lt.size() >= 4 && lt.compare(lt.size() - 2, 2, "ah") == 0) out.push_back(capitalised(lt.substr(0, lt.size() - 1)));
}

constexpr std::string_view kJoinFirst[] = {"Abdul", "Ghulam", "Allah", "Noor", "Gul", "Fazal", "Khuda", "Mola",
                                          "Sain", "Nabi", "Karim", "Pir", "Dad", "Jan", "Dost", "Zar", "Mir",
                                          "Sher", "Wahid"};
constexpr std::string_view kJoinSecond[] = {"Bux", "Ullah", "Din", "Zada", "Bano", "Jan", "Muhammad", "Bibi"};

template <typename Range>
bool among(const Range& range, std::string_view s) {
  return std::find(std::begin(range), std::end(range), s) != std::end(range);
}

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// QWERTY neighbours of each lowercase letter.
constexpr std::string_view kNeighbours[26] = {
    "qwsz", "vghn", "xdfv", "serfcx", "wsdr", "drtgvc", "ftyhbv", "gyujnb", "ujko", "huikmn", "jiolm", "kop",
    "njk", "bhjm", "iklp", "ol", "wa", "edft", "awedxz", "rfgy", "yhji", "cfgb", "qase", "zsdc", "tghu", "asx"};

}  // namespace

bool transliterate(std::string& name, RandomStream* rng) {
  thread_local Tokens tokens;  // reused: this runs for every record of every source
  thread_local std::vector<std::string> candidates;
  thread_local std::vector<std::size_t> usable;
  splitTokens(name, tokens);
  usable.clear();
  bool hasWord = false;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    transliterationCandidates(tokens[i], candidates, hasWord, rng == nullptr);
    if (!candidates.empty()) {
      if (rng == nullptr) return true;  // applicability only: one usable token suffices
      usable.push_back(i);
    }
  }
  if (usable.empty()) return false;
  if (rng == nullptr) return true;
  const std::size_t which = usable[rng->below(usable.size())];
  transliterationCandidates(tokens[which], candidates, hasWord);
  // Whole-word variants are what clerks actually write; prefer them.
  const std::size_t words = hasWord ? static_cast<std::size_t>(std::count_if(
                                          std::begin(kWordVariants), std::end(kWordVariants),
                                          [&](const auto& p) { return p.first == tokens[which]; }))
                                    : 0;
  const std::size_t pick = (words > 0 && rng->chance(0.7)) ? rng->below(words) : rng->below(candidates.size());
  tokens[which] = candidates[pick];
  name = joinTokens(tokens);
  return true;
}

bool toggleHonorific(std::string& name, bool male, NameRegion region, RandomStream* rng) {
  thread_local Tokens tokens;
  splitTokens(name, tokens);
  if (tokens.empty()) return false;
  std::vector<std::size_t> honorifics;
  for (std::size_t i = 0; i < tokens.size(); ++i)
    if (isHonorificToken(tokens[i])) honorifics.push_back(i);
  if (honorifics.size() == tokens.size()) return false;
  if (rng == nullptr) return true;
  if (!honorifics.empty()) {
    tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(honorifics[rng->below(honorifics.size())]));
  } else if (male) {
    tokens.insert(tokens.begin(), std::string(pickMaleTitle(region, *rng)));
  } else {
    tokens.emplace_back(pickFemaleSuffix(region, *rng));
  }
  name = joinTokens(tokens);
  return true;
}

bool reorderTokens(std::string& name, RandomStream* rng) {
  thread_local Tokens tokens;
  splitTokens(name, tokens);
  if (tokens.size() < 2) return false;
  if (rng == nullptr) return true;
  const std::size_t i = rng->below(tokens.size() - 1);
  std::swap(tokens[i], tokens[i + 1]);
  name = joinTokens(tokens);
  return true;
}

bool joinOrSplit(std::string& name, RandomStream* rng) {
  Tokens tokens;
  splitTokens(name, tokens);
  std::vector<std::string> variants;
  auto withReplaced = [&](std::size_t first, std::size_t count, const std::string& replacement) {
    Tokens copy(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(first));
    copy.push_back(replacement);
    copy.insert(copy.end(), tokens.begin() + static_cast<std::ptrdiff_t>(first + count), tokens.end());
    variants.push_back(joinTokens(copy));
  };
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    const std::string& a = tokens[i];
    const std::string& b = tokens[i + 1];
    if (among(kJoinFirst, a) || among(kJoinSecond, b)) withReplaced(i, 2, a + lowerCopy(b));
    // Abdul + sun letter assimilates: Abdul Rehman -> Abdur Rehman, Abdul Sattar -> Abdus Sattar.
    if (a == "Abdul" && !b.empty() && std::string_view("RSTZND").find(b[0]) != std::string_view::npos)
      withReplaced(i, 1, std::string("Abdu") + lower(b[0]));
  }
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    for (std::string_view suffix : {std::string_view("ullah"), std::string_view("bux"), std::string_view("din")}) {
      if (endsWith(t, suffix) && t.size() >= suffix.size() + 3) {
        const std::string head = t.substr(0, t.size() - suffix.size());
        withReplaced(i, 1, head + " " + capitalised(std::string(suffix)));
      }
    }
    if (t.size() > 6 && t.compare(0, 5, "Abdul") == 0) withReplaced(i, 1, "Abdul " + capitalised(t.substr(5)));
  }
  if (variants.empty()) return false;
  if (rng == nullptr) return true;
  name = variants[rng->below(variants.size())];
  return true;
}

bool keyboardTypo(std::string& name, RandomStream* rng) {
  thread_local Tokens tokens;
  splitTokens(name, tokens);
  std::vector<std::size_t> usable;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (t.size() >= 3 && std::all_of(t.begin(), t.end(), isLetter)) usable.push_back(i);
  }
  if (usable.empty()) return false;
  if (rng == nullptr) return true;
  std::string& t = tokens[usable[rng->below(usable.size())]];
  const std::string before = t;
  // Position 0 keeps its capital; the typo lands inside the word.
  const std::size_t p = 1 + rng->below(t.size() - 1);
  switch (rng->below(4)) {
    case 0: {
      const char c = lower(t[p]);
      const std::string_view near = kNeighbours[c - 'a'];
      t[p] = near[rng->below(near.size())];
      break;
    }
    case 1:
      t.erase(p, 1);
      break;
    case 2:
      t.insert(p, 1, lower(t[p]));
      break;
    default:
      if (p >= 2) {
        std::swap(t[p], t[p - 1]);
      } else {
        std::swap(t[1], t[2]);
      }
      break;
  }
  if (t == before) t.erase(p, 1);  // swapping equal letters changes nothing; delete instead
  name = joinTokens(tokens);
  return true;
}

bool dropToken(std::string& name, RandomStream* rng) {
  thread_local Tokens tokens;
  splitTokens(name, tokens);
  if (tokens.size() < 2) return false;
  if (rng == nullptr) return true;
  const auto muhammad = std::find(tokens.begin(), tokens.end(), "Muhammad");
  if (muhammad != tokens.end() && rng->chance(0.5)) {
    tokens.erase(muhammad);
  } else {
    tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(rng->below(tokens.size())));
  }
  name = joinTokens(tokens);
  return true;
}

}  // namespace nser::synth
