// The audit log's storage key encoding (docs/audit-format.md, "Storage"):
// unsigned integers as 8 big-endian bytes, so keys sort by number, and times
// with the sign bit flipped, so signed milliseconds sort the same way.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nser::audit {

inline void putBigEndian64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

// `bytes` holds at least 8 bytes.
inline std::uint64_t readBigEndian64(std::string_view bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

inline std::uint64_t orderedTime(std::int64_t millis) {
  return static_cast<std::uint64_t>(millis) ^ (std::uint64_t{1} << 63);
}

}  // namespace nser::audit
