#include "policy/policy_identifier.h"

#include <algorithm>
#include <set>

namespace nser::policy {

bool validIdentifier(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdentifierLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

bool validSubjectId(std::string_view id) {
  if (id.empty() || id.size() > kMaxSubjectIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c <= '~'; });
}

std::string identifierFrom(const schemas::JsonNode& node) {
  std::string id = node.asString();
  if (!validIdentifier(id)) node.fail("must be 1-64 characters of [a-z0-9._-]");
  return id;
}

std::vector<std::string> identifierListFrom(const schemas::JsonNode& node) {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const schemas::JsonNode& item : node.asArray()) {
    std::string id = identifierFrom(item);
    if (!seen.insert(id).second) item.fail("duplicate '" + id + "'");
    ids.push_back(std::move(id));
  }
  if (ids.empty()) node.fail("must list at least one entry");
  return ids;
}

std::string subjectIdFrom(const schemas::JsonNode& node) {
  std::string id = node.asString();
  if (!validSubjectId(id)) node.fail("must be 1-256 printable ASCII characters without spaces");
  return id;
}

}  // namespace nser::policy
