// Whole values to and from cereal's portable binary form (little-endian,
// fixed-width sizes), for the small records the services keep in RocksDB.
// decodeBinary throws cereal::Exception (a std::runtime_error) on truncated
// or malformed bytes.
#pragma once

#include <cereal/archives/portable_binary.hpp>
#include <sstream>
#include <string>
#include <string_view>

namespace nser::schemas {

template <class T>
std::string encodeBinary(const T& value) {
  std::ostringstream out(std::ios::binary);
  {
    cereal::PortableBinaryOutputArchive archive(out);
    archive(value);
  }
  return out.str();
}

template <class T>
T decodeBinary(std::string_view bytes) {
  std::istringstream in{std::string(bytes), std::ios::binary};
  cereal::PortableBinaryInputArchive archive(in);
  T value;
  archive(value);
  return value;
}

}  // namespace nser::schemas
