// Party ids name the parties of a deployment (custodians, programmes, admins,
// auditors, the hub itself). A party's certificate carries its id as the
// subject common name, and file names are derived from it, so the alphabet is
// deliberately small: lowercase ASCII letters, digits, '-' and '.', 1 to 64
// characters, not starting with '.' or '-' (no hidden files, no options).
#pragma once

#include <string>
#include <string_view>

namespace nser::pki {

// Empty when `id` is a valid party id, otherwise the reason (without the id).
std::string partyIdProblem(std::string_view id);

inline bool isValidPartyId(std::string_view id) { return partyIdProblem(id).empty(); }

// Throws PkiError("party id: <reason>") when `id` is not a valid party id.
void validatePartyId(std::string_view id);

}  // namespace nser::pki
