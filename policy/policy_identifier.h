// The identifier rule of policy documents: agreement ids, consent ids,
// programme and custodian party ids, purpose codes and attribute names are
// 1-64 characters of [a-z0-9._-] (a superset of the party id rule of
// pki/party_id.h, so every party id qualifies).
//
// Subject identifiers (entity ids, pseudonymous references) are opaque to
// the policy: 1-256 printable ASCII characters without spaces.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schemas/json_document.h"

namespace nser::policy {

inline constexpr std::size_t kMaxIdentifierLength = 64;
inline constexpr std::size_t kMaxSubjectIdLength = 256;

bool validIdentifier(std::string_view id);
bool validSubjectId(std::string_view id);

// Document readers: fail (schemas::DocumentError naming the key path) unless
// the node is a valid identifier / a non-empty array of distinct identifiers.
std::string identifierFrom(const schemas::JsonNode& node);
std::vector<std::string> identifierListFrom(const schemas::JsonNode& node);
std::string subjectIdFrom(const schemas::JsonNode& node);

}  // namespace nser::policy
