// Titles and honorifics in Pakistani names (Syed, Haji, Hafiz, Chaudhry,
// Bibi, Begum, Mst, ...): recognised in folded tokens, separated from the
// name proper and kept as their own feature (a list of canonical titles).
//
// Position rule (documented in docs/roman-urdu-normalisation.md):
//  - Leading titles: while the first remaining token is a title spelling and
//    at least one name token would remain, it is a title ("Malik Riaz" ->
//    title malik, name riaz; "Haji Hafiz Ahmad" -> haji, hafiz; "ahmad").
//    Pure courtesy prefixes that are never names (Dr, Engr, Prof, Mr, Mrs, Ms,
//    Mst/Mussammat, Janab, Mohtarma) are stripped even if nothing remains.
//  - Trailing titles: only the women's markers (Bibi/Bb, Begum, Khatoon,
//    Mai/Maai) and "Sahib"/"Sb", again only if a name token remains
//    ("Zainab Bibi" -> zainab + bibi; "Bibi" alone stays a name). Trailing
//    markers are also recognised by their Roman-Urdu canonical form
//    ("Bibbi", "Beggum") and when written onto the last name ("Abidabibi"
//    -> abida + bibi, "Nusratbegum" -> nusrat + begum).
//  - Tokens that are also family or caste names (Malik, Sheikh, Mirza, Mir,
//    Rana, Raja, Chaudhry, Syed, Qazi, Khawaja, Pir, Sardar, Mian) are titles
//    only in leading position; elsewhere they stay in the name
//    ("Riaz Malik" keeps malik). Khan and Shah are never titles: they are
//    family names wherever they stand.
// Thread-safe; tables are static.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace nser::linkage {

enum class Title : unsigned char {
  syed, haji, hafiz, mian, malik, chaudhry, sheikh, rana, raja, khawaja, pir, makhdoom,
  sardar, mir, mirza, nawab, sahibzada, agha, qazi, maulana, maulvi, mufti, qari, allama,
  sufi, doctor, engineer, professor, mister, mrs, miss, mussammat, bibi, begum, khatoon,
  mai, sahib, wadera,
};

// Canonical lowercase name of a title: "syed", "chaudhry", "mussammat".
std::string_view titleName(Title title);

// Whether a title is also common as a family/caste name (leading only).
bool titleIsAlsoName(Title title);

// Whether a title marks a woman (bibi, begum, khatoon, mai, mussammat, mrs, miss).
bool titleIsFemale(Title title);

// The title a single folded token spells, if any, regardless of position.
std::optional<Title> lookupTitle(std::string_view foldedToken);

// Removes titles from `tokens` (folded name tokens, in order) following the
// position rule above and appends them, in order of appearance, to `titles`.
// Two-token titles ("al haj") are recognised. `tokens` keeps the name proper.
void separateTitles(std::vector<std::string_view>& tokens, std::vector<Title>& titles);

}  // namespace nser::linkage
