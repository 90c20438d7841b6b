#include "linkage/honorifics.h"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <utility>

#include "linkage/roman_urdu_rules.h"

namespace nser::linkage {
namespace {

struct TitleSpelling {
  std::string_view text;  // folded token
  Title title;
};

// Spellings seen in registry data; folded (lowercase, punctuation removed,
// so "Ch." is "ch" and "Al-Haj" arrives as "al" "haj", handled separately).
constexpr auto kSpellings = std::to_array<TitleSpelling>({
    {"syed", Title::syed},         {"sayed", Title::syed},         {"sayyed", Title::syed},
    {"sayyid", Title::syed},       {"seyyed", Title::syed},        {"syyed", Title::syed},
    {"sayyad", Title::syed},       {"syeda", Title::syed},         {"sayeda", Title::syed},
    {"syedah", Title::syed},       {"haji", Title::haji},          {"hajji", Title::haji},
    {"hajee", Title::haji},        {"alhaj", Title::haji},         {"alhaaj", Title::haji},
    {"alhajj", Title::haji},       {"hajiani", Title::haji},       {"hajjan", Title::haji},
    {"hafiz", Title::hafiz},       {"hafez", Title::hafiz},        {"hafiza", Title::hafiz},
    {"mian", Title::mian},         {"miyan", Title::mian},
    {"malik", Title::malik},       {"malick", Title::malik},       {"chaudhry", Title::chaudhry},
    {"chaudhary", Title::chaudhry}, {"chaudhri", Title::chaudhry}, {"chaudri", Title::chaudhry},
    {"chaudhari", Title::chaudhry}, {"choudhry", Title::chaudhry}, {"choudhary", Title::chaudhry},
    {"chowdhury", Title::chaudhry}, {"choudhury", Title::chaudhry}, {"chohdry", Title::chaudhry},
    {"chaudary", Title::chaudhry}, {"ch", Title::chaudhry},        {"sheikh", Title::sheikh},
    {"shaikh", Title::sheikh},     {"shiekh", Title::sheikh},      {"shekh", Title::sheikh},
    {"sh", Title::sheikh},         {"rana", Title::rana},          {"raja", Title::raja},
    {"rajah", Title::raja},        {"khawaja", Title::khawaja},    {"khwaja", Title::khawaja},
    {"khowaja", Title::khawaja},   {"khuwaja", Title::khawaja},    {"khwajah", Title::khawaja},
    {"khaja", Title::khawaja},     {"kh", Title::khawaja},         {"pir", Title::pir},
    {"peer", Title::pir},          {"makhdoom", Title::makhdoom},  {"makhdum", Title::makhdoom},
    {"sardar", Title::sardar},     {"sirdar", Title::sardar},      {"sardaar", Title::sardar},
    {"mir", Title::mir},           {"mirza", Title::mirza},        {"nawab", Title::nawab},
    {"nawabzada", Title::nawab},   {"sahibzada", Title::sahibzada}, {"sahabzada", Title::sahibzada},
    {"sahebzada", Title::sahibzada}, {"agha", Title::agha},        {"aga", Title::agha},
    {"qazi", Title::qazi},         {"kazi", Title::qazi},          {"qazee", Title::qazi},
    {"maulana", Title::maulana},   {"molana", Title::maulana},     {"moulana", Title::maulana},
    {"mulana", Title::maulana},    {"maulvi", Title::maulvi},      {"molvi", Title::maulvi},
    {"moulvi", Title::maulvi},     {"mufti", Title::mufti},        {"qari", Title::qari},
    {"allama", Title::allama},     {"sufi", Title::sufi},          {"dr", Title::doctor},
    {"doctor", Title::doctor},     {"engr", Title::engineer},      {"engineer", Title::engineer},
    {"prof", Title::professor},    {"professor", Title::professor}, {"mr", Title::mister},
    {"janab", Title::mister},      {"mrs", Title::mrs},            {"mohtarma", Title::mrs},
    {"ms", Title::miss},           {"miss", Title::miss},          {"mst", Title::mussammat},
    {"mussammat", Title::mussammat}, {"musammat", Title::mussammat}, {"mussamat", Title::mussammat},
    {"mosammat", Title::mussammat}, {"bibi", Title::bibi},         {"begum", Title::begum},
    {"begam", Title::begum},       {"khatoon", Title::khatoon},    {"khatun", Title::khatoon},
    {"mai", Title::mai},           {"sahib", Title::sahib},        {"wadera", Title::wadera},
    {"wadero", Title::wadera},     {"vadero", Title::wadera},      {"waderu", Title::wadera},
    {"bb", Title::bibi},           {"maai", Title::mai},
});

constexpr auto kTrailingOnlySpellings = std::to_array<TitleSpelling>({
    {"sahab", Title::sahib}, {"saheb", Title::sahib},    {"sb", Title::sahib},
    {"khatoun", Title::khatoon},
});

// Women's markers written onto the name: "Abidabibi", "Nusratbegum".
constexpr auto kJoinedTrailingSpellings = std::to_array<TitleSpelling>({
    {"bibi", Title::bibi}, {"begum", Title::begum}, {"khatoon", Title::khatoon},
});

// Trailing markers by Roman-Urdu canonical form, so misspellings the rules
// absorb ("Bibbi", "Beggum", "Maai", "Khatun") are recognised. Only for the
// trailing position: leading titles are matched exactly, because canonical
// forms of given names collide with titles there ("Hafeez" ~ "hafiz").
const std::vector<std::pair<std::string, Title>>& canonicalTrailingTitles() {
  static const std::vector<std::pair<std::string, Title>> table = [] {
    std::vector<std::pair<std::string, Title>> entries;
    for (const TitleSpelling& spelling : kSpellings) {
      if (spelling.title == Title::bibi || spelling.title == Title::begum ||
          spelling.title == Title::khatoon || spelling.title == Title::mai) {
        entries.emplace_back(canonicaliseToken(spelling.text), spelling.title);
      }
    }
    return entries;
  }();
  return table;
}

bool isCourtesyPrefix(Title title) {
  switch (title) {
    case Title::doctor: case Title::engineer: case Title::professor: case Title::mister:
    case Title::mrs: case Title::miss: case Title::mussammat:
      return true;
    default:
      return false;
  }
}

bool isTrailingTitle(Title title) {
  return title == Title::bibi || title == Title::begum || title == Title::khatoon ||
         title == Title::mai || title == Title::sahib;
}

std::optional<Title> lookupTrailing(std::string_view token) {
  if (auto title = lookupTitle(token); title && isTrailingTitle(*title)) return title;
  for (const TitleSpelling& spelling : kTrailingOnlySpellings) {
    if (spelling.text == token) return spelling.title;
  }
  // The canonical forms of the women's markers start with b, k or m.
  if (token.empty() || (token[0] != 'b' && token[0] != 'k' && token[0] != 'm')) return std::nullopt;
  const std::string canonical = canonicaliseToken(token);
  for (const auto& [form, title] : canonicalTrailingTitles()) {
    if (form == canonical) return title;
  }
  return std::nullopt;
}

}  // namespace

std::string_view titleName(Title title) {
  static constexpr std::array<std::string_view, 38> kNames = {
      "syed",     "haji",   "hafiz",   "mian",   "malik",     "chaudhry", "sheikh",  "rana",
      "raja",     "khawaja", "pir",    "makhdoom", "sardar",  "mir",      "mirza",   "nawab",
      "sahibzada", "agha",  "qazi",    "maulana", "maulvi",   "mufti",    "qari",    "allama",
      "sufi",     "doctor", "engineer", "professor", "mister", "mrs",     "miss",    "mussammat",
      "bibi",     "begum",  "khatoon", "mai",    "sahib",    "wadera"};
  return kNames[static_cast<std::size_t>(title)];
}

bool titleIsAlsoName(Title title) {
  switch (title) {
    case Title::syed: case Title::mian: case Title::malik: case Title::chaudhry:
    case Title::sheikh: case Title::rana: case Title::raja: case Title::khawaja: case Title::pir:
    case Title::sardar: case Title::mir: case Title::mirza: case Title::nawab: case Title::agha:
    case Title::qazi: case Title::sufi: case Title::hafiz: case Title::bibi: case Title::wadera:
      return true;
    default:
      return false;
  }
}

bool titleIsFemale(Title title) {
  return title == Title::bibi || title == Title::begum || title == Title::khatoon ||
         title == Title::mai || title == Title::mussammat || title == Title::mrs ||
         title == Title::miss;
}

std::optional<Title> lookupTitle(std::string_view foldedToken) {
  // Hash lookup: this runs for the first and last token of every name.
  static const std::unordered_map<std::string_view, Title> table = [] {
    std::unordered_map<std::string_view, Title> map;
    for (const TitleSpelling& spelling : kSpellings) map.emplace(spelling.text, spelling.title);
    return map;
  }();
  const auto it = table.find(foldedToken);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

void separateTitles(std::vector<std::string_view>& tokens, std::vector<Title>& titles) {
  std::size_t begin = 0;
  std::size_t end = tokens.size();
  // Leading titles.
  while (begin < end) {
    std::size_t width = 1;
    std::optional<Title> title;
    if (begin + 1 < end && tokens[begin] == "al" &&
        (tokens[begin + 1] == "haj" || tokens[begin + 1] == "haaj" || tokens[begin + 1] == "hajj")) {
      title = Title::haji;
      width = 2;
    } else {
      title = lookupTitle(tokens[begin]);
    }
    if (!title) break;
    const bool nameRemains = begin + width < end;
    if (!nameRemains && !isCourtesyPrefix(*title)) break;
    titles.push_back(*title);
    begin += width;
  }
  // Trailing titles (women's markers and Sahib), collected then appended in order.
  std::vector<Title> trailing;
  while (end > begin + 1) {
    const std::optional<Title> title = lookupTrailing(tokens[end - 1]);
    if (!title) break;
    trailing.insert(trailing.begin(), *title);
    --end;
  }
  // A marker joined onto the last name token ("Abidabibi"): split it off.
  if (end > begin) {
    std::string_view& last = tokens[end - 1];
    for (const TitleSpelling& spelling : kJoinedTrailingSpellings) {
      if (last.size() >= spelling.text.size() + 3 && last.ends_with(spelling.text)) {
        last = last.substr(0, last.size() - spelling.text.size());
        trailing.insert(trailing.begin(), spelling.title);
        break;
      }
    }
  }
  titles.insert(titles.end(), trailing.begin(), trailing.end());
  if (begin > 0 || end < tokens.size()) {
    tokens.erase(tokens.begin() + static_cast<std::ptrdiff_t>(end), tokens.end());
    tokens.erase(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(begin));
  }
}

}  // namespace nser::linkage
