#include "linkage/cnic.h"

#include <array>

namespace nser::linkage {
namespace {

constexpr std::size_t kCnicLength = 13;

bool isPlaceholder(std::string_view digits) {
  if (digits.size() != kCnicLength) return false;
  bool allSame = true;
  bool ascending = true;
  bool descending = true;
  for (std::size_t i = 1; i < digits.size(); ++i) {
    const int step = digits[i] - digits[i - 1];
    allSame = allSame && step == 0;
    ascending = ascending && (step == 1 || step == -9);
    descending = descending && (step == -1 || step == 9);
  }
  return allSame || ascending || descending;
}

}  // namespace

CnicResult canonicaliseCnic(std::string_view raw, Gender statedGender) {
  CnicResult result;
  result.digits.reserve(kCnicLength);

  // Trim ASCII whitespace and one leading apostrophe (spreadsheet text marker).
  while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r' ||
                          raw.back() == '\n')) {
    raw.remove_suffix(1);
  }
  if (!raw.empty() && raw.front() == '\'') raw.remove_prefix(1);
  if (raw.empty()) {
    result.flags = kCnicMissing;
    result.reason = describeCnicFlags(result.flags);
    return result;
  }

  // Digit counts at which a separator appeared, to check the 5-7-1 grouping.
  std::array<std::size_t, 4> separatorsAt{};
  std::size_t separatorCount = 0;
  bool lastWasSeparator = false;
  auto noteSeparator = [&] {
    if (lastWasSeparator) return;  // "- " counts once
    lastWasSeparator = true;
    if (separatorCount < separatorsAt.size()) separatorsAt[separatorCount] = result.digits.size();
    ++separatorCount;
  };

  for (std::size_t i = 0; i < raw.size();) {
    const auto byte = static_cast<unsigned char>(raw[i]);
    if (byte >= '0' && byte <= '9') {
      result.digits.push_back(static_cast<char>(byte));
      lastWasSeparator = false;
      ++i;
      continue;
    }
    if (byte == '-' || byte == ' ' || byte == '.' || byte == '\t') {
      noteSeparator();
      ++i;
      continue;
    }
    // Two-byte Arabic-Indic digits U+0660..0669 (D9 A0..A9) and Extended
    // Arabic-Indic U+06F0..06F9 (DB B0..B9), as typed on Urdu keyboards.
    if (i + 1 < raw.size()) {
      const auto next = static_cast<unsigned char>(raw[i + 1]);
      if ((byte == 0xD9 && next >= 0xA0 && next <= 0xA9) ||
          (byte == 0xDB && next >= 0xB0 && next <= 0xB9)) {
        result.digits.push_back(static_cast<char>('0' + (next & 0x0F)));
        lastWasSeparator = false;
        i += 2;
        continue;
      }
    }
    // U+2010..2015 dashes (E2 80 90..95) and U+2212 minus (E2 88 92).
    if (i + 2 < raw.size() && byte == 0xE2) {
      const auto b1 = static_cast<unsigned char>(raw[i + 1]);
      const auto b2 = static_cast<unsigned char>(raw[i + 2]);
      if ((b1 == 0x80 && b2 >= 0x90 && b2 <= 0x95) || (b1 == 0x88 && b2 == 0x92)) {
        noteSeparator();
        i += 3;
        continue;
      }
    }
    result.flags |= kCnicNonDigit;
    ++i;
  }

  if (result.digits.size() != kCnicLength) {
    result.flags |= kCnicBadLength;
  }
  if (separatorCount > 0 && result.digits.size() == kCnicLength) {
    const bool standard = separatorCount == 2 && separatorsAt[0] == 5 && separatorsAt[1] == 12;
    if (!standard) result.flags |= kCnicUnusualGrouping;
  }
  if (!result.digits.empty()) {
    const char first = result.digits.front();
    if (first >= '1' && first <= '7') {
      result.province = static_cast<Province>(first - '0');
    } else {
      result.flags |= kCnicUnknownProvince;
    }
  }
  if (result.digits.size() == kCnicLength) {
    const int last = result.digits.back() - '0';
    result.genderFromDigit = (last % 2 == 1) ? Gender::male : Gender::female;
    if ((statedGender == Gender::male || statedGender == Gender::female) &&
        statedGender != result.genderFromDigit) {
      result.flags |= kCnicGenderMismatch;
    }
    if (isPlaceholder(result.digits)) result.flags |= kCnicPlaceholder;
  }
  if (result.flags != 0) result.reason = describeCnicFlags(result.flags);
  return result;
}

std::string formatCnic(std::string_view digits) {
  if (digits.size() != kCnicLength) return std::string(digits);
  std::string out;
  out.reserve(15);
  out.append(digits.substr(0, 5)).push_back('-');
  out.append(digits.substr(5, 7)).push_back('-');
  out.append(digits.substr(12, 1));
  return out;
}

std::string_view provinceName(Province province) {
  switch (province) {
    case Province::khyber_pakhtunkhwa: return "khyber_pakhtunkhwa";
    case Province::fata: return "fata";
    case Province::punjab: return "punjab";
    case Province::sindh: return "sindh";
    case Province::balochistan: return "balochistan";
    case Province::islamabad: return "islamabad";
    case Province::gilgit_baltistan: return "gilgit_baltistan";
    case Province::unknown: break;
  }
  return "unknown";
}

std::string describeCnicFlags(std::uint32_t flags) {
  std::string text;
  auto add = [&](std::uint32_t bit, std::string_view what) {
    if ((flags & bit) == 0) return;
    if (!text.empty()) text += "; ";
    text += what;
  };
  add(kCnicMissing, "CNIC missing");
  add(kCnicNonDigit, "CNIC contains a character that is not a digit or separator");
  add(kCnicBadLength, "CNIC must have 13 digits");
  add(kCnicUnknownProvince, "CNIC province digit is not 1-7");
  add(kCnicGenderMismatch, "CNIC gender digit disagrees with the stated gender");
  add(kCnicPlaceholder, "CNIC is a placeholder (repeated or sequential digits)");
  add(kCnicUnusualGrouping, "CNIC separators are not in the 5-7-1 layout");
  return text;
}

}  // namespace nser::linkage
