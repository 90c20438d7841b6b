#include "linkage/name_parse_memo.h"

#include <sodium.h>

#include <bit>
#include <functional>

namespace nser::linkage {

namespace {

// Wipes the whole buffer (resize exposes the full capacity as characters,
// so the write stays within the string; resize itself zero-fills).
void wipeString(std::string& text) {
  text.resize(text.capacity());
  sodium_memzero(text.data(), text.size());
  text.clear();
}

}  // namespace

void ParsedNameFields::wipe() {
  for (std::string* text : {&canonical, &joined, &phonetic, &titles, &relationCanonical, &relationPhonetic, &reason}) {
    wipeString(*text);
  }
  relation = RelationType::none;
  nameEmpty = false;
  flags = 0;
}

NameParseMemo::NameParseMemo(std::size_t slots) : mask_(std::bit_ceil(slots < 16 ? std::size_t{16} : slots) - 1) {}

NameParseMemo::~NameParseMemo() { wipeAll(); }

NameParseMemo& NameParseMemo::operator=(NameParseMemo&& other) noexcept {
  if (this != &other) {
    wipeAll();
    mask_ = other.mask_;
    slots_ = std::move(other.slots_);
    lookups_ = other.lookups_;
    hits_ = other.hits_;
  }
  return *this;
}

void NameParseMemo::wipeAll() noexcept {
  for (Slot& slot : slots_) {
    if (!slot.used) continue;
    wipeString(slot.raw);
    slot.fields.wipe();
    slot.used = false;
  }
}

std::size_t NameParseMemo::slotOf(std::string_view raw) const {
  return std::hash<std::string_view>{}(raw) & mask_;
}

const ParsedNameFields* NameParseMemo::find(std::string_view raw) const {
  ++lookups_;
  if (slots_.empty() || raw.size() > kMaxRawBytes) return nullptr;
  const Slot& slot = slots_[slotOf(raw)];
  if (!slot.used || slot.raw != raw) return nullptr;
  ++hits_;
  return &slot.fields;
}

void NameParseMemo::prefetch(std::string_view raw) const {
  if (slots_.empty() || raw.size() > kMaxRawBytes) return;
  const auto* slot = reinterpret_cast<const char*>(&slots_[slotOf(raw)]);
  for (std::size_t offset = 0; offset < sizeof(Slot); offset += 64) __builtin_prefetch(slot + offset);
}

void NameParseMemo::store(std::string_view raw, const ParsedNameFields& fields) {
  if (raw.size() > kMaxRawBytes) return;
  if (slots_.empty()) {
    if (lookups_ < kWarmupLookups) return;
    slots_.resize(mask_ + 1);
  }
  Slot& slot = slots_[slotOf(raw)];
  if (slot.used) {
    // Wipe the evicted entry; the buffers are then reused.
    wipeString(slot.raw);
    slot.fields.wipe();
  }
  slot.used = true;
  slot.raw.assign(raw);
  slot.fields.canonical.assign(fields.canonical);
  slot.fields.joined.assign(fields.joined);
  slot.fields.phonetic.assign(fields.phonetic);
  slot.fields.titles.assign(fields.titles);
  slot.fields.nameEmpty = fields.nameEmpty;
  slot.fields.relation = fields.relation;
  slot.fields.relationCanonical.assign(fields.relationCanonical);
  slot.fields.relationPhonetic.assign(fields.relationPhonetic);
  slot.fields.flags = fields.flags;
  slot.fields.reason.assign(fields.reason);
}

}  // namespace nser::linkage
