#include "pki/party_id.h"

#include "pki/pki_error.h"

namespace nser::pki {

namespace {
constexpr std::size_t kMaxPartyIdLength = 64;

bool allowed(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'; }
}  // namespace

std::string partyIdProblem(std::string_view id) {
  if (id.empty()) return "must not be empty";
  if (id.size() > kMaxPartyIdLength) {
    return "must be at most " + std::to_string(kMaxPartyIdLength) + " characters, got " + std::to_string(id.size());
  }
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (!allowed(id[i])) {
      return "character " + std::to_string(i + 1) + " is not allowed (use lowercase letters, digits, '-' and '.')";
    }
  }
  if (id.front() == '.' || id.front() == '-') return "must start with a lowercase letter or a digit";
  return {};
}

void validatePartyId(std::string_view id) {
  const std::string problem = partyIdProblem(id);
  if (!problem.empty()) throw PkiError("party id: " + problem);
}

}  // namespace nser::pki
