#include "linkage/record_encoder.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace nser::linkage {

namespace {

std::string describeHardening(const NserSchemaExtension* ext) {
  if (ext == nullptr) return "none";
  std::string out;
  auto add = [&out](const std::string& part) { out += (out.empty() ? "" : "+") + part; };
  if (ext->recordSalt) add("salt:" + std::string(personFieldName(*ext->recordSalt)));
  if (ext->hardening.balance) add("balance");
  if (ext->hardening.xorFolds > 0) add("xor" + std::to_string(ext->hardening.xorFolds));
  if (ext->hardening.rule90) add("rule90");
  if (ext->hardening.blipFlipProbability > 0) {
    char probability[32];
    std::snprintf(probability, sizeof(probability), "%g", ext->hardening.blipFlipProbability);
    add(std::string("blip:") + probability);
  }
  return out.empty() ? "none" : out;
}

// to[i] |= from[i]. The two never overlap (the record's filter, a feature's
// filter or memo entry), and four words per step let the compiler OR them
// two at a time in vector registers.
[[gnu::always_inline]] inline void orInto(std::uint64_t* __restrict to, const std::uint64_t* __restrict from,
                                          std::size_t words) {
  std::size_t i = 0;
  for (; i + 4 <= words; i += 4) {
    to[i] |= from[i];
    to[i + 1] |= from[i + 1];
    to[i + 2] |= from[i + 2];
    to[i + 3] |= from[i + 3];
  }
  for (; i < words; ++i) to[i] |= from[i];
}

// OR-folds `wide` down to `bits` (a divisor of its length): bit i of the
// result is the OR of bits i, i + bits, i + 2*bits, ...
void orFold(std::span<const std::uint64_t> source, std::size_t bits, BloomFilter& out) {
  if (out.bits() != bits) out = BloomFilter(bits);
  std::span<std::uint64_t> dest = out.mutableWords();
  for (std::size_t i = 0; i < dest.size(); ++i) dest[i] = source[i];
  if (dest.empty()) return;
  // Chunk by chunk: word i of the source lands on word i % dest.size().
  for (std::size_t offset = dest.size(); offset < source.size(); offset += dest.size()) {
    orInto(dest.data(), source.data() + offset, std::min(dest.size(), source.size() - offset));
  }
}

// Slots per memo: a few thousand distinct values cover most repeats of a
// national register's names, places and dates (see docs/performance.md).
constexpr std::size_t kFeatureMemoSlots = 4096;
constexpr std::size_t kTokenMemoSlots = 4096;
constexpr std::size_t kTokenKinds = static_cast<std::size_t>(TokenKind::Phone) + 1;
constexpr std::size_t kDigestWords = sizeof(KeyedToken::digest) / sizeof(std::uint64_t);
static_assert(kDigestWords * sizeof(std::uint64_t) == sizeof(KeyedToken::digest));

}  // namespace

std::size_t EncoderWorkspace::memoLookups() const {
  std::size_t total =
      normaliserMemo ? normaliserMemo->names.lookups() + normaliserMemo->relationNames.lookups() : 0;
  for (const auto& memo : featureMemos) total += memo.lookups();
  for (const auto& memo : tokenMemos) total += memo.lookups();
  return total;
}

std::size_t EncoderWorkspace::memoHits() const {
  std::size_t total = normaliserMemo ? normaliserMemo->names.hits() + normaliserMemo->relationNames.hits() : 0;
  for (const auto& memo : featureMemos) total += memo.hits();
  for (const auto& memo : tokenMemos) total += memo.hits();
  return total;
}

RecordEncoder::RecordEncoder(LinkageSchema schema, const LinkageSecret& secret, CivilDate today)
    : schema_(std::move(schema)), clkEncoder_(schema_.clk, secret), normaliser_(today) {
  const NserSchemaExtension* ext = schema_.nser ? &*schema_.nser : nullptr;
  header_.schemaId = schema_.schemaId;
  header_.schemaDigest = schema_.digest;
  header_.keyEpoch = secret.epoch();
  header_.keyFingerprint = secret.fingerprint();
  header_.hardening = describeHardening(ext);
  if (ext == nullptr) {
    header_.clkBits = static_cast<std::uint32_t>(clkEncoder_.clkBits());
    return;
  }
  const bool hardenAny = ext->hardening.any() || ext->recordSalt.has_value();
  if (hardenAny) clkHardener_ = std::make_unique<FilterHardener>(secret, ext->hardening, clkEncoder_.clkBits());
  header_.clkBits = static_cast<std::uint32_t>(clkHardener_ ? clkHardener_->outputBits() : clkEncoder_.clkBits());
  fieldSlot_.assign(schema_.clk.features.size(), -1);
  if (ext->fieldFilterBits > 0) {
    if (clkEncoder_.hashBits() % ext->fieldFilterBits != 0) {
      throw EncoderSetupError(schema_.source + ": nser.fieldFilterBits (" + std::to_string(ext->fieldFilterBits) +
                              ") must divide the CLK's hashing length (" + std::to_string(clkEncoder_.hashBits()) + ")");
    }
    fieldFilterBits_ = ext->fieldFilterBits;
    if (hardenAny) fieldHardener_ = std::make_unique<FilterHardener>(secret, ext->hardening, ext->fieldFilterBits);
    for (std::size_t f = 0; f < schema_.clk.features.size(); ++f) {
      if (schema_.clk.features[f].ignored) continue;
      const auto& wanted = ext->fieldFilterFeatures;
      if (!wanted.empty() &&
          std::find(wanted.begin(), wanted.end(), schema_.clk.features[f].identifier) == wanted.end()) {
        continue;
      }
      fieldSlot_[f] = static_cast<int>(header_.fieldNames.size());
      header_.fieldNames.push_back(schema_.clk.features[f].identifier);
      header_.fieldBits.push_back(
          static_cast<std::uint32_t>(fieldHardener_ ? fieldHardener_->outputBits() : ext->fieldFilterBits));
    }
  }
  if (!ext->tokens.empty()) tokenizer_ = std::make_unique<KeyedTokenizer>(secret);
}

RecordEncoder::~RecordEncoder() = default;

EncoderWorkspace RecordEncoder::makeWorkspace(bool memoise) const {
  EncoderWorkspace workspace;
  workspace.clk = clkEncoder_.makeWorkspace();
  workspace.filter = BloomFilter(clkEncoder_.hashBits());
  workspace.featureFilter = BloomFilter(clkEncoder_.hashBits());
  if (memoise && schema_.nser) {
    // Memos allocate their tables lazily (value_memo.h): cheap to create here.
    workspace.featureMemos.reserve(schema_.clk.features.size());
    for (std::size_t f = 0; f < schema_.clk.features.size(); ++f) {
      workspace.featureMemos.emplace_back(kFeatureMemoSlots, featureMemoWords(f));
    }
    workspace.normaliserMemo = std::make_unique<NormaliserMemo>();
    workspace.tokenMemos.resize(kTokenKinds);
    for (std::size_t kind = 0; kind < kTokenKinds; ++kind) {
      const auto tokenKind = static_cast<TokenKind>(kind);
      if (kind == 0 || tokenKind == TokenKind::Cnic || tokenKind == TokenKind::CnicDeletion) continue;
      workspace.tokenMemos[kind] = ValueMemo(kTokenMemoSlots, kDigestWords);
    }
  }
  return workspace;
}

std::size_t RecordEncoder::featureMemoWords(std::size_t feature) const {
  std::size_t words = clkEncoder_.hashBits() / 64;
  // With a record salt the field filter depends on more than the value.
  if (fieldSlot_[feature] >= 0 && !schema_.nser->recordSalt) {
    words += (fieldHardener_ ? fieldHardener_->outputBits() : fieldFilterBits_) / 64;
  }
  return words;
}

ColumnBinding RecordEncoder::bind(const std::vector<std::string>& headerRow) const {
  CsvHeader header(headerRow);
  ColumnBinding binding;
  std::string missing;
  auto need = [&](const std::string& column) -> std::optional<std::size_t> {
    auto index = header.find(column);
    if (!index) missing += (missing.empty() ? "" : ", ") + column;
    return index;
  };
  if (!schema_.nser) {
    // Plain clkhash: columns are the features, in order (as clkhash requires).
    binding.width = schema_.clk.features.size();
    if (headerRow.size() != binding.width) {
      throw EncoderSetupError(schema_.source + ": the schema has " + std::to_string(binding.width) +
                              " features but the CSV header has " + std::to_string(headerRow.size()) + " columns");
    }
    for (std::size_t f = 0; f < schema_.clk.features.size(); ++f) {
      if (schema_.clk.features[f].ignored && !binding.id) binding.id = f;
    }
    return binding;
  }
  const auto& ext = *schema_.nser;
  binding.id = need(ext.idColumn);
  for (const auto& role : identityRoles()) {
    auto it = ext.columns.find(role);
    binding.roles.push_back(it == ext.columns.end() ? std::nullopt : need(it->second));
  }
  if (!missing.empty()) {
    throw EncoderSetupError("CSV header lacks the column(s) the schema " + schema_.source + " maps: " + missing);
  }
  binding.width = headerRow.size();
  return binding;
}

EncodeOutcome RecordEncoder::encodeRow(const std::vector<std::string>& row, const ColumnBinding& binding,
                                       std::uint64_t rowNumber, EncoderWorkspace& workspace,
                                       EncodedRecord& out) const {
  if (row.size() != binding.width) {
    return {false, "expected " + std::to_string(binding.width) + " columns, found " + std::to_string(row.size())};
  }
  out.id = binding.id ? row[*binding.id] : "row-" + std::to_string(rowNumber);
  if (binding.id && out.id.empty()) return {false, "the id column is empty"};
  if (!schema_.nser) {
    workspace.values.assign(row.begin(), row.end());
    out.fieldFilters.clear();
    out.tokens.clear();
    out.flags = 0;
    ClkEncodeResult result = clkEncoder_.encode(workspace.values, workspace.clk, workspace.filter);
    if (!result.ok) return {false, result.reason};
    out.clk.assign(workspace.filter.words().begin(), workspace.filter.words().end());
    return {};
  }
  auto column = [&](std::size_t roleIndex) -> std::string_view {
    const auto& index = binding.roles[roleIndex];
    return index ? std::string_view(row[*index]) : std::string_view();
  };
  // Order of identityRoles(): name, relation_type, relation_name, cnic, gender, dob, district, tehsil, phone.
  PersonIdentity identity{column(0), column(1), column(2), column(3), column(4),
                          column(5), column(6), column(7), column(8)};
  NormalisedPerson person = normaliser_.normalise(identity, workspace.normaliserMemo.get());
  return encodeNormalised(person, workspace, out);
}

EncodeOutcome RecordEncoder::encodeIdentity(std::string id, const PersonIdentity& identity, EncoderWorkspace& workspace,
                                            EncodedRecord& out) const {
  if (!schema_.nser) return {false, "queries need an nser linkage schema"};
  out.id = std::move(id);
  return encodeNormalised(normaliser_.normalise(identity, workspace.normaliserMemo.get()), workspace, out);
}

EncodeOutcome RecordEncoder::encodeNormalised(const NormalisedPerson& person, EncoderWorkspace& workspace,
                                              EncodedRecord& out) const {
  if (!person.usable) return {false, person.reason};
  const auto& ext = *schema_.nser;
  out.flags = person.flags;
  workspace.values.clear();
  for (PersonField field : ext.featureFields) workspace.values.push_back(person[field]);
  const std::string_view salt = ext.recordSalt ? std::string_view(person[*ext.recordSalt]) : std::string_view();

  // One hashing pass per feature feeds both the CLK and the field filter.
  BloomFilter& clk = workspace.filter;
  clk.clear();
  out.fieldFilters.resize(header_.fieldNames.size());
  const std::size_t hashWords = clk.words().size();
  // Memo slots are mostly out of cache: request them all now, so the
  // misses overlap instead of stalling one feature after another.
  if (!workspace.featureMemos.empty()) {
    for (std::size_t f = 0; f < schema_.clk.features.size(); ++f) {
      workspace.featureMemos[f].prefetch(workspace.values[f]);
    }
    const auto prefetchToken = [&](TokenKind kind, PersonField field) {
      workspace.tokenMemos[static_cast<std::size_t>(kind)].prefetch(person[field]);
    };
    prefetchToken(TokenKind::NamePhonetic, PersonField::NamePhonetic);
    prefetchToken(TokenKind::RelationPhonetic, PersonField::RelationPhonetic);
    prefetchToken(TokenKind::BirthDate, PersonField::BirthDate);
    prefetchToken(TokenKind::Phone, PersonField::Phone);
  }
  for (std::size_t f = 0; f < schema_.clk.features.size(); ++f) {
    if (schema_.clk.features[f].ignored) continue;
    const std::string_view value = workspace.values[f];
    ValueMemo* memo = workspace.featureMemos.empty() ? nullptr : &workspace.featureMemos[f];
    const std::span<const std::uint64_t> memoised =
        memo != nullptr ? memo->find(value) : std::span<const std::uint64_t>();
    std::span<const std::uint64_t> featureWords = memoised.first(memoised.empty() ? 0 : hashWords);
    if (memoised.empty()) {
      workspace.featureFilter.clear();
      ClkEncodeResult result = clkEncoder_.encodeFeature(f, value, workspace.clk, workspace.featureFilter);
      if (!result.ok) return {false, result.reason};
      featureWords = workspace.featureFilter.words();
    }
    orInto(clk.mutableWords().data(), featureWords.data(), hashWords);
    FilterWords* field = fieldSlot_[f] >= 0 ? &out.fieldFilters[static_cast<std::size_t>(fieldSlot_[f])] : nullptr;
    if (field != nullptr) {
      if (memoised.size() > hashWords) {
        field->assign(memoised.begin() + static_cast<std::ptrdiff_t>(hashWords), memoised.end());
      } else {
        orFold(featureWords, fieldFilterBits_, workspace.fieldFilter);
        finishFilter(workspace.fieldFilter.words(), fieldHardener_.get(), salt, *field);
      }
    }
    if (memo != nullptr && memoised.empty()) {
      workspace.memoEntry.assign(featureWords.begin(), featureWords.end());
      if (memo->words() > hashWords) {
        workspace.memoEntry.insert(workspace.memoEntry.end(), field->begin(), field->end());
      }
      memo->store(value, workspace.memoEntry);
    }
  }
  // clkhash folds the whole filter after hashing every feature.
  if (schema_.clk.clk.xorFolds > 0) {
    workspace.foldedClk = clk.xorFolded(schema_.clk.clk.xorFolds);
    finishFilter(workspace.foldedClk.words(), clkHardener_.get(), salt, out.clk);
  } else {
    finishFilter(clk.words(), clkHardener_.get(), salt, out.clk);
  }
  out.tokens.clear();
  if (tokenizer_) appendTokens(person, workspace, out);
  return {};
}

void RecordEncoder::finishFilter(std::span<const std::uint64_t> filter, const FilterHardener* hardener,
                                 std::string_view salt, FilterWords& out) const {
  // `out` is the previous record's vector: assigning into it reuses its
  // capacity, so a record costs no allocation here.
  if (hardener == nullptr) {
    out.assign(filter.begin(), filter.end());
    return;
  }
  // A missing value stays an all-zero filter, so comparisons can tell
  // "missing" from "disagrees" (balancing would otherwise set half the bits).
  if (std::all_of(filter.begin(), filter.end(), [](std::uint64_t word) { return word == 0; })) {
    out.assign(hardener->outputBits() / 64, 0);
    return;
  }
  if (salt.empty()) {
    hardener->hardenInto(filter, out);
  } else {
    hardener->hardenInto(hardener->saltPermute(filter, salt), out);
  }
}

KeyedToken RecordEncoder::keyedToken(TokenKind kind, std::string_view value, EncoderWorkspace& workspace) const {
  const auto index = static_cast<std::size_t>(kind);
  ValueMemo* memo = index < workspace.tokenMemos.size() ? &workspace.tokenMemos[index] : nullptr;
  if (memo != nullptr) {
    const std::span<const std::uint64_t> memoised = memo->find(value);
    if (!memoised.empty()) {
      KeyedToken token;
      token.kind = kind;
      std::memcpy(token.digest.data(), memoised.data(), token.digest.size());
      return token;
    }
  }
  KeyedToken token = tokenizer_->token(kind, value);
  if (memo != nullptr) {
    std::uint64_t words[kDigestWords];
    std::memcpy(words, token.digest.data(), sizeof(words));
    memo->store(value, words);
    sodium_memzero(words, sizeof(words));
  }
  return token;
}

void RecordEncoder::appendTokens(const NormalisedPerson& person, EncoderWorkspace& workspace,
                                 EncodedRecord& out) const {
  // Composite inputs are built in the workspace's string: no allocation.
  auto joined = [&workspace](const std::string& first, char separator, const std::string& second) {
    workspace.tokenInput.assign(first);
    workspace.tokenInput.push_back(separator);
    workspace.tokenInput.append(second);
    return std::string_view(workspace.tokenInput);
  };
  for (TokenFamily family : schema_.nser->tokens) {
    switch (family) {
      case TokenFamily::Cnic:
        if (!person[PersonField::Cnic].empty()) tokenizer_->appendCnicTokens(person[PersonField::Cnic], out.tokens);
        break;
      case TokenFamily::NamePhonetic:
        if (!person[PersonField::NamePhonetic].empty()) {
          out.tokens.push_back(keyedToken(TokenKind::NamePhonetic, person[PersonField::NamePhonetic], workspace));
        }
        break;
      case TokenFamily::NamePhoneticDistrict:
        if (!person[PersonField::NamePhonetic].empty() && !person[PersonField::District].empty()) {
          out.tokens.push_back(keyedToken(TokenKind::NamePhoneticDistrict,
                                          joined(person[PersonField::NamePhonetic], '|', person[PersonField::District]),
                                          workspace));
        }
        break;
      case TokenFamily::RelationPhonetic:
        if (!person[PersonField::RelationPhonetic].empty()) {
          out.tokens.push_back(
              keyedToken(TokenKind::RelationPhonetic, person[PersonField::RelationPhonetic], workspace));
        }
        break;
      case TokenFamily::BirthYear:
        if (!person[PersonField::BirthYear].empty()) {
          out.tokens.push_back(keyedToken(TokenKind::BirthYear, person[PersonField::BirthYear], workspace));
        }
        break;
      case TokenFamily::BirthYearMonth:
        if (!person[PersonField::BirthMonth].empty()) {
          out.tokens.push_back(keyedToken(
              TokenKind::BirthYearMonth, joined(person[PersonField::BirthYear], '-', person[PersonField::BirthMonth]),
              workspace));
        }
        break;
      case TokenFamily::BirthDate:
        if (!person[PersonField::BirthDay].empty()) {
          out.tokens.push_back(keyedToken(TokenKind::BirthDate, person[PersonField::BirthDate], workspace));
        }
        break;
      case TokenFamily::Phone:
        if (!person[PersonField::Phone].empty()) {
          out.tokens.push_back(keyedToken(TokenKind::Phone, person[PersonField::Phone], workspace));
        }
        break;
    }
  }
}

}  // namespace nser::linkage
