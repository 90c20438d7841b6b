#include "service/log_redaction.h"

namespace nser::service {

namespace {
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isJoiner(char c) { return c == '-' || c == ' '; }
constexpr int kMinDigitsToRedact = 11;
}  // namespace

std::string redactIdentifiers(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (!isDigit(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    // Scan a digit group sequence: digits, possibly joined by single '-' or ' '.
    std::size_t end = i;
    std::size_t lastDigitEnd = i;
    int digits = 0;
    while (end < text.size()) {
      if (isDigit(text[end])) {
        ++digits;
        lastDigitEnd = ++end;
      } else if (isJoiner(text[end]) && end + 1 < text.size() && isDigit(text[end + 1])) {
        ++end;
      } else {
        break;
      }
    }
    if (digits >= kMinDigitsToRedact) {
      out.append(kRedactedMarker);
    } else {
      out.append(text.substr(i, lastDigitEnd - i));
    }
    i = lastDigitEnd;
  }
  return out;
}

}  // namespace nser::service
