#include "linkage/phone_number.h"

namespace nser::linkage {

PhoneNumber canonicalisePhone(std::string_view raw) {
  PhoneNumber result;
  std::string digits;
  digits.reserve(raw.size());
  for (char c : raw) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c != ' ' && c != '-' && c != '+' && c != '(' && c != ')' && c != '.') {
      result.flags |= kPhoneNonDigit;
    }
  }
  if (digits.empty()) {
    result.flags |= kPhoneMissing;
    return result;
  }
  // International prefixes: 0092XXXXXXXXXX and 92XXXXXXXXXX (12 digits) become 0XXXXXXXXXX.
  if (digits.size() == 14 && digits.compare(0, 4, "0092") == 0) {
    digits.erase(0, 3);  // "0092 3xx..." -> "2 3xx..."
    digits[0] = '0';     // -> "0 3xx..."
  } else if (digits.size() == 12 && digits.compare(0, 2, "92") == 0) {
    digits[1] = '0';
    digits.erase(0, 1);  // "92 3xx..." -> "0 3xx..."
  } else if (digits.size() == 10 && digits[0] == '3') {
    digits.insert(digits.begin(), '0');  // mobile written without the trunk zero
  }
  if (digits.size() < 10 || digits.size() > 11) result.flags |= kPhoneBadLength;
  result.digits = std::move(digits);
  return result;
}

}  // namespace nser::linkage
