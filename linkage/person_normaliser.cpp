#include "linkage/person_normaliser.h"

#include <functional>
#include <string>
#include <unordered_map>

#include "linkage/cnic.h"
#include "linkage/encoded_record.h"
#include "linkage/gender.h"
#include "linkage/honorifics.h"
#include "linkage/person_name.h"
#include "linkage/phone_number.h"
#include "linkage/roman_urdu_phonetic.h"
#include "linkage/roman_urdu_rules.h"
#include "linkage/text_folding.h"

namespace nser::linkage {

namespace {

constexpr std::array<std::string_view, kPersonFieldCount> kFieldNames = {
    "name",       "name_joined", "titles",     "name_phonetic", "relation_type", "relation_name",
    "relation_phonetic", "cnic", "gender",     "birth_date",    "birth_year",    "birth_month",
    "birth_day",  "district",    "tehsil",     "phone"};

void appendReason(std::string& reason, std::string_view what) {
  if (what.empty()) return;
  if (!reason.empty()) reason += "; ";
  reason += what;
}

std::string phoneticOf(const NameParts& parts) {
  std::string key;
  std::string tokenKey;
  for (const auto& token : parts.canonicalTokens) {
    romanUrduKeyOfCanonical(token, tokenKey);
    if (tokenKey.empty()) continue;
    if (!key.empty()) key += ' ';
    key += tokenKey;
  }
  return key;
}

// Place names: folded, each token Roman-Urdu canonical, no title removal
// ("Mian Channu" is a tehsil, not a title and a name).
std::string computeCanonicalPlace(std::string_view raw) {
  std::string folded = foldText(raw);
  std::string out;
  std::string token;
  splitFoldedTokens(folded, [&](std::string_view t) {
    canonicaliseToken(t, token);
    if (!out.empty()) out += ' ';
    out += token;
  });
  return out;
}

struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

// The same, memoised per thread: a registry has a few hundred districts and
// tehsils, each spelt a few ways, and every record names two. Place names are
// public gazetteer values, not personal data. Bounded: once full, new
// spellings are computed without being stored.
std::string canonicalPlace(std::string_view raw) {
  constexpr std::size_t kMaxEntries = 8192;
  thread_local std::unordered_map<std::string, std::string, TransparentHash, std::equal_to<>> memo;
  if (const auto it = memo.find(raw); it != memo.end()) return it->second;
  std::string place = computeCanonicalPlace(raw);
  if (memo.size() < kMaxEntries) memo.emplace(std::string(raw), place);
  return place;
}

// Month or day (1-31) as two digits.
std::string twoDigits(int value) {
  return {static_cast<char>('0' + value / 10), static_cast<char>('0' + value % 10)};
}

// What normalise() takes from the name column.
void parseNameColumn(std::string_view raw, ParsedNameFields& out) {
  PersonName parsed = parsePersonName(raw);
  out.canonical = parsed.name.canonical();
  out.joined = parsed.name.joined();
  out.phonetic = phoneticOf(parsed.name);
  out.titles.clear();
  for (Title title : parsed.name.titles) {
    if (!out.titles.empty()) out.titles += ' ';
    out.titles += titleName(title);
  }
  out.nameEmpty = parsed.name.empty();
  out.relation = parsed.relation;
  out.relationCanonical = parsed.relationName.canonical();
  out.relationPhonetic = phoneticOf(parsed.relationName);
  out.flags = parsed.flags;
  out.reason = std::move(parsed.reason);
}

// ... and from the relation name column (canonical and phonetic only).
void parseRelationColumn(std::string_view raw, ParsedNameFields& out) {
  NameParts parts = parseNameParts(raw);
  out.canonical = parts.canonical();
  out.phonetic = phoneticOf(parts);
}

// Looks `raw` up in `memo` (if any), else parses it into `scratch` and
// memoises the result.
const ParsedNameFields& parsedColumn(std::string_view raw, NameParseMemo* memo, ParsedNameFields& scratch,
                                     void (*parse)(std::string_view, ParsedNameFields&)) {
  if (memo != nullptr) {
    if (const ParsedNameFields* found = memo->find(raw)) return *found;
  }
  parse(raw, scratch);
  if (memo != nullptr) memo->store(raw, scratch);
  return scratch;
}

}  // namespace

std::string_view personFieldName(PersonField field) { return kFieldNames[static_cast<std::size_t>(field)]; }

std::optional<PersonField> personFieldByName(std::string_view name) {
  for (std::size_t i = 0; i < kFieldNames.size(); ++i) {
    if (kFieldNames[i] == name) return static_cast<PersonField>(i);
  }
  return std::nullopt;
}

PersonNormaliser::PersonNormaliser(CivilDate today) { dateOptions_.reference = today; }

NormalisedPerson PersonNormaliser::normalise(const PersonIdentity& identity) const {
  return normalise(identity, nullptr);
}

NormalisedPerson PersonNormaliser::normalise(const PersonIdentity& identity, NormaliserMemo* memo) const {
  NormalisedPerson out;
  if (memo != nullptr) {
    // Both lookups' slots load in parallel.
    memo->names.prefetch(identity.name);
    memo->relationNames.prefetch(identity.relationName);
  }

  // Name, titles and an embedded relation.
  ParsedNameFields nameScratch;
  const ParsedNameFields& name =
      parsedColumn(identity.name, memo != nullptr ? &memo->names : nullptr, nameScratch, parseNameColumn);
  if (name.flags != 0) appendReason(out.reason, "name: " + name.reason);
  if (name.nameEmpty) {
    out.flags |= kFlagNameMissing;
    out.usable = false;
    appendReason(out.reason, "name: no name left after removing titles and relation");
  }
  out[PersonField::Name] = name.canonical;
  out[PersonField::NameJoined] = name.joined;
  out[PersonField::NamePhonetic] = name.phonetic;
  out[PersonField::Titles] = name.titles;

  // Relation: explicit columns win over a relation written inside the name.
  RelationType relation = name.relation;
  if (!identity.relationType.empty()) {
    RelationTypeValue value = parseRelationType(identity.relationType);
    if (value.recognised) {
      relation = value.type;
    } else {
      appendReason(out.reason, "relation_type: not a known relation");
    }
  }
  if (relation != RelationType::none) out[PersonField::RelationType] = std::string(relationTypeName(relation));
  if (!identity.relationName.empty()) {
    ParsedNameFields relationScratch;
    const ParsedNameFields& relationName = parsedColumn(
        identity.relationName, memo != nullptr ? &memo->relationNames : nullptr, relationScratch, parseRelationColumn);
    out[PersonField::RelationName] = relationName.canonical;
    out[PersonField::RelationPhonetic] = relationName.phonetic;
  } else {
    out[PersonField::RelationName] = name.relationCanonical;
    out[PersonField::RelationPhonetic] = name.relationPhonetic;
  }

  // Gender, then the CNIC checked against it.
  GenderValue gender = parseGender(identity.gender);
  if (!gender.recognised) appendReason(out.reason, "gender: not a known value");
  switch (gender.gender) {
    case Gender::male: out[PersonField::Gender] = "M"; break;
    case Gender::female: out[PersonField::Gender] = "F"; break;
    case Gender::other: out[PersonField::Gender] = "X"; break;
    case Gender::unknown: break;
  }
  CnicResult cnic = canonicaliseCnic(identity.cnic, gender.gender);
  if (cnic.flags & kCnicMissing) {
    out.flags |= kFlagCnicMissing;
  } else {
    if (!cnic.wellFormed()) out.flags |= kFlagCnicInvalid;
    if (cnic.flags & kCnicGenderMismatch) out.flags |= kFlagCnicGenderMismatch;
    if (cnic.flags & kCnicUnknownProvince) out.flags |= kFlagCnicProvinceUnknown;
    if (cnic.flags != 0) appendReason(out.reason, "cnic: " + cnic.reason);
  }
  if (cnic.wellFormed()) out[PersonField::Cnic] = cnic.digits;

  // Date of birth with its precision.
  PartialDate dob = parsePartialDate(identity.birthDate, dateOptions_);
  if (dob.flags != 0 && !(dob.flags & kDateMissing)) appendReason(out.reason, "dob: " + dob.reason);
  if (dob.precision != DatePrecision::none) {
    out[PersonField::BirthDate] = formatPartialDate(dob);
    out[PersonField::BirthYear] = std::to_string(dob.year);
    if (dob.precision >= DatePrecision::month) out[PersonField::BirthMonth] = twoDigits(dob.month);
    if (dob.precision == DatePrecision::day) out[PersonField::BirthDay] = twoDigits(dob.day);
    if (dob.precision != DatePrecision::day) out.flags |= kFlagBirthDatePartial;
  }
  if (dob.flags & kDateLikelyDefaulted) out.flags |= kFlagBirthDateDefaulted;

  out[PersonField::District] = canonicalPlace(identity.district);
  out[PersonField::Tehsil] = canonicalPlace(identity.tehsil);

  PhoneNumber phone = canonicalisePhone(identity.phone);
  if (phone.usable()) {
    out[PersonField::Phone] = phone.digits;
  } else if (!(phone.flags & kPhoneMissing)) {
    appendReason(out.reason, "phone: not a usable phone number");
  }
  return out;
}

}  // namespace nser::linkage
