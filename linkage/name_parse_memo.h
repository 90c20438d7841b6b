// NameParseMemo: a per-thread memo from a raw name column (as written in the
// source) to what PersonNormaliser derives from it: canonical name, joined
// form, phonetic key, titles and an embedded relation. Names repeat heavily
// in a national register (a few thousand name tokens make up most names), and
// parsing one (folding, titles, relation markers, Roman-Urdu rules, phonetic
// key) is the largest part of normalisation. A hit returns exactly what
// parsing computes (the normaliser's output does not depend on the memo).
//
// Direct-mapped, fixed capacity, overwrite on collision; raw values longer
// than kMaxRawBytes are never memoised. Slots are allocated once
// kWarmupLookups lookups have been made (a workspace that normalises one
// query never allocates them). The entries are personal data: every string is wiped
// (sodium_memzero over its whole capacity) when the memo is destroyed or a
// slot is overwritten. Not thread-safe: one per thread (it lives in the
// encoder's workspace). Movable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "linkage/person_name.h"

namespace nser::linkage {

// What the normaliser takes from one name column.
struct ParsedNameFields {
  std::string canonical;  // canonical tokens joined by spaces
  std::string joined;     // ... without spaces
  std::string phonetic;   // Roman-Urdu phonetic key per token
  std::string titles;     // title names, space-separated
  bool nameEmpty = false; // no name token left after titles and relation
  RelationType relation = RelationType::none;  // a relation marker inside the name
  std::string relationCanonical;               // the name after that marker
  std::string relationPhonetic;
  std::uint32_t flags = 0;  // NameFlag bits
  std::string reason;       // words for `flags`

  void wipe();
};

class NameParseMemo {
 public:
  static constexpr std::size_t kMaxRawBytes = 64;
  static constexpr std::size_t kWarmupLookups = 32;

  // `slots` is rounded up to a power of two (at least 16).
  explicit NameParseMemo(std::size_t slots = 4096);
  ~NameParseMemo();
  NameParseMemo(NameParseMemo&&) noexcept = default;
  NameParseMemo& operator=(NameParseMemo&& other) noexcept;
  NameParseMemo(const NameParseMemo&) = delete;
  NameParseMemo& operator=(const NameParseMemo&) = delete;

  // The fields stored for `raw`, or null. The pointer is valid until the
  // next store().
  const ParsedNameFields* find(std::string_view raw) const;
  // Starts loading the slot `raw` maps to into the cache (see ValueMemo).
  void prefetch(std::string_view raw) const;
  // Stores (a copy of) the fields for `raw` unless it is too long or the
  // memo is still warming up.
  void store(std::string_view raw, const ParsedNameFields& fields);

  std::size_t hits() const { return hits_; }
  std::size_t lookups() const { return lookups_; }

 private:
  struct Slot {
    bool used = false;
    std::string raw;
    ParsedNameFields fields;
  };
  std::size_t slotOf(std::string_view raw) const;
  void wipeAll() noexcept;

  std::size_t mask_ = 0;
  std::vector<Slot> slots_;  // empty until the first store
  mutable std::size_t lookups_ = 0;
  mutable std::size_t hits_ = 0;
};

// The memos PersonNormaliser::normalise can use: one per name column.
struct NormaliserMemo {
  NameParseMemo names;
  NameParseMemo relationNames;
};

}  // namespace nser::linkage
