#include "linkage/gender.h"

#include <array>
#include <string>
#include <utility>

#include "linkage/text_folding.h"

namespace nser::linkage {
namespace {

struct Spelling {
  std::string_view text;  // folded form
  Gender gender;
};

// Folded spellings; foldText removes Arabic harakat, so the Urdu words are
// listed without them.
constexpr auto kSpellings = std::to_array<Spelling>({
    {"m", Gender::male},          {"male", Gender::male},
    {"man", Gender::male},        {"boy", Gender::male},
    {"mard", Gender::male},       {"larka", Gender::male},
    {"larkaa", Gender::male},     {"aadmi", Gender::male},
    {"admi", Gender::male},       {"1", Gender::male},
    {"muzakkar", Gender::male},   {"\u0645\u0631\u062f", Gender::male},
    {"\u0645\u0630\u06a9\u0631", Gender::male},
    {"f", Gender::female},        {"female", Gender::female},
    {"woman", Gender::female},    {"girl", Gender::female},
    {"aurat", Gender::female},    {"larki", Gender::female},
    {"khatoon", Gender::female},  {"2", Gender::female},
    {"muannas", Gender::female},  {"\u0639\u0648\u0631\u062a", Gender::female},
    {"\u0645\u0624\u0646\u062b", Gender::female},
    {"x", Gender::other},         {"3", Gender::other},
    {"other", Gender::other},     {"transgender", Gender::other},
    {"khwaja sira", Gender::other}, {"khawaja sira", Gender::other},
    {"khunsa", Gender::other},    {"u", Gender::unknown},
    {"unknown", Gender::unknown}, {"na", Gender::unknown},
    {"n a", Gender::unknown},     {"0", Gender::unknown},
    {"9", Gender::unknown},       {"nil", Gender::unknown},
    {"not stated", Gender::unknown},
});

}  // namespace

GenderValue parseGender(std::string_view raw) {
  std::string folded;
  foldText(raw, folded);
  if (folded.empty()) return {Gender::unknown, true};
  for (const Spelling& spelling : kSpellings) {
    if (spelling.text == folded) return {spelling.gender, true};
  }
  return {Gender::unknown, false};
}

std::string_view genderName(Gender gender) {
  switch (gender) {
    case Gender::male: return "male";
    case Gender::female: return "female";
    case Gender::other: return "other";
    case Gender::unknown: break;
  }
  return "unknown";
}

}  // namespace nser::linkage
