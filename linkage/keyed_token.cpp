#include "linkage/keyed_token.h"

#include <sodium.h>

#include <algorithm>
#include <tuple>
#include <cstring>

namespace nser::linkage {

namespace {
constexpr std::size_t kSubkeyBytes = 32;
constexpr char kSubkeyLabel[] = "nser/keyed-token/v1";
}  // namespace

const char* tokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::Cnic: return "cnic";
    case TokenKind::CnicDeletion: return "cnic_deletion";
    case TokenKind::NamePhonetic: return "name_phonetic";
    case TokenKind::NamePhoneticDistrict: return "name_phonetic_district";
    case TokenKind::RelationPhonetic: return "relation_phonetic";
    case TokenKind::BirthYear: return "birth_year";
    case TokenKind::BirthYearMonth: return "birth_year_month";
    case TokenKind::BirthDate: return "birth_date";
    case TokenKind::Phone: return "phone";
  }
  return "unknown";
}

std::string KeyedToken::hex() const {
  char out[sizeof(digest) * 2 + 1];
  sodium_bin2hex(out, sizeof(out), digest.data(), digest.size());
  return out;
}

KeyedTokenizer::KeyedTokenizer(const LinkageSecret& secret) {
  auto* subkey = static_cast<unsigned char*>(sodium_malloc(kSubkeyBytes));
  keyedState_ = static_cast<crypto_generichash_state*>(sodium_malloc(sizeof(crypto_generichash_state)));
  if (subkey == nullptr || keyedState_ == nullptr) {
    sodium_free(subkey);
    sodium_free(keyedState_);
    throw SecretError("cannot allocate guarded memory for the token key");
  }
  secret.deriveSubkey(kSubkeyLabel, {subkey, kSubkeyBytes});
  crypto_generichash_init(keyedState_, subkey, kSubkeyBytes, std::tuple_size_v<decltype(KeyedToken::digest)>);
  sodium_free(subkey);
  sodium_mprotect_readonly(keyedState_);
}

KeyedTokenizer::~KeyedTokenizer() { sodium_free(keyedState_); }

KeyedToken KeyedTokenizer::token(TokenKind kind, std::string_view value) const {
  KeyedToken out;
  out.kind = kind;
  crypto_generichash_state state = *keyedState_;
  const unsigned char kindByte = static_cast<unsigned char>(kind);
  crypto_generichash_update(&state, &kindByte, 1);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(value.data()), value.size());
  crypto_generichash_final(&state, out.digest.data(), out.digest.size());
  return out;
}

void KeyedTokenizer::appendCnicTokens(std::string_view canonicalCnic, std::vector<KeyedToken>& out) const {
  out.push_back(token(TokenKind::Cnic, canonicalCnic));
  for (const auto& deletion : oneDeletionNeighbourhood(canonicalCnic)) {
    out.push_back(token(TokenKind::CnicDeletion, deletion));
  }
}

std::vector<std::string> oneDeletionNeighbourhood(std::string_view value) {
  std::vector<std::string> result;
  result.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    // Deleting any character of a run gives the same string: keep the first.
    if (i > 0 && value[i] == value[i - 1]) continue;
    std::string deleted;
    deleted.reserve(value.size() - 1);
    deleted.append(value.substr(0, i));
    deleted.append(value.substr(i + 1));
    result.push_back(std::move(deleted));
  }
  return result;
}

}  // namespace nser::linkage
