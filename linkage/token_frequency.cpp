#include "linkage/token_frequency.h"

#include <algorithm>
#include <cstring>

namespace nser::linkage {

namespace {

bool tokenLess(const KeyedToken& x, const KeyedToken& y) {
  if (x.kind != y.kind) return x.kind < y.kind;
  return std::memcmp(x.digest.data(), y.digest.data(), x.digest.size()) < 0;
}

}  // namespace

TokenFrequencyTable::TokenFrequencyTable(std::span<const TokenKind> kinds) {
  for (TokenKind kind : kinds) counted_[static_cast<std::uint8_t>(kind)] = true;
}

void TokenFrequencyTable::add(const EncodedRecord& record) {
  std::array<bool, 256> seenKind{};
  const auto& tokens = record.tokens;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const KeyedToken& token = tokens[i];
    if (!counts(token.kind)) continue;
    // A record's token list is short; a quadratic check beats a set here.
    bool repeated = false;
    for (std::size_t j = 0; j < i && !repeated; ++j) repeated = tokens[j] == token;
    if (repeated) continue;
    pending_.push_back(token);
    seenKind[static_cast<std::uint8_t>(token.kind)] = true;
  }
  for (std::size_t k = 0; k < seenKind.size(); ++k) recordsWithKind_[k] += seenKind[k] ? 1 : 0;
}

void TokenFrequencyTable::finish() {
  if (pending_.empty()) return;
  std::sort(pending_.begin(), pending_.end(), tokenLess);
  std::vector<Entry> merged;
  merged.reserve(entries_.size() + pending_.size());
  auto old = entries_.begin();
  for (std::size_t i = 0; i < pending_.size();) {
    std::size_t j = i;
    while (j < pending_.size() && pending_[j] == pending_[i]) ++j;
    while (old != entries_.end() && tokenLess(old->token, pending_[i])) merged.push_back(*old++);
    Entry entry{pending_[i], j - i};
    if (old != entries_.end() && old->token == pending_[i]) entry.count += (old++)->count;
    merged.push_back(entry);
    i = j;
  }
  merged.insert(merged.end(), old, entries_.end());
  entries_ = std::move(merged);
  pending_.clear();
  pending_.shrink_to_fit();
}

std::uint64_t TokenFrequencyTable::count(const KeyedToken& token) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), token,
                             [](const Entry& entry, const KeyedToken& t) { return tokenLess(entry.token, t); });
  return it != entries_.end() && it->token == token ? it->count : 0;
}

double TokenFrequencyTable::frequency(const KeyedToken& token) const {
  const std::uint64_t n = count(token);
  if (n == 0) return 0.0;
  return static_cast<double>(n) / static_cast<double>(recordsWithKind(token.kind));
}

}  // namespace nser::linkage
