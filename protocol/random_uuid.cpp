#include "protocol/random_uuid.h"

#include <sodium.h>

#include <array>
#include <cstdint>

namespace nser::protocol {

std::string randomUuid() {
  static constexpr char kHex[] = "0123456789abcdef";
  static const int initialised = sodium_init();  // idempotent; thread-safe static
  static_cast<void>(initialised);
  std::array<std::uint8_t, 16> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // variant 10xx
  std::string text;
  text.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    text.push_back(kHex[bytes[i] >> 4]);
    text.push_back(kHex[bytes[i] & 0x0F]);
  }
  return text;
}

}  // namespace nser::protocol
