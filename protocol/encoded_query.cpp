#include "protocol/encoded_query.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/StreamCopier.h>

#include <cereal/archives/portable_binary.hpp>
#include <sstream>

#include "protocol/ingest_batch.h"

namespace nser::protocol {

std::string encodeRecordQuery(const linkage::EncodedRecord& record) {
  std::ostringstream binary(std::ios::binary);
  {
    cereal::PortableBinaryOutputArchive archive(binary);
    archive(record);
  }
  std::ostringstream text;
  Poco::Base64Encoder encoder(text);
  encoder.rdbuf()->setLineLength(0);
  encoder << binary.str();
  encoder.close();
  return text.str();
}

linkage::EncodedRecord decodeRecordQuery(std::string_view base64, std::size_t maxBytes) {
  if (base64.size() > (maxBytes / 3 + 1) * 4) {
    throw ProtocolError("encoded record query: value longer than the limit of " + std::to_string(maxBytes) + " bytes");
  }
  std::string binary;
  try {
    std::istringstream text{std::string(base64)};
    Poco::Base64Decoder decoder(text);
    Poco::StreamCopier::copyToString(decoder, binary);
  } catch (const std::exception&) {
    throw ProtocolError("encoded record query: value is not valid base64");
  }
  linkage::EncodedRecord record;
  try {
    std::istringstream in(binary, std::ios::binary);
    cereal::PortableBinaryInputArchive archive(in);
    archive(record);
    if (in.peek() != std::char_traits<char>::eof()) throw ProtocolError("trailing bytes");
  } catch (const std::exception& e) {
    throw ProtocolError(std::string("encoded record query: value is not an encoded record (") + e.what() + ")");
  }
  return record;
}

linkage::KeyedToken decodeCnicToken(std::string_view hex) {
  linkage::KeyedToken token;
  token.kind = linkage::TokenKind::Cnic;
  if (hex.size() != token.digest.size() * 2) {
    throw ProtocolError("CNIC token: value must be " + std::to_string(token.digest.size() * 2) + " hex digits");
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < token.digest.size(); ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) throw ProtocolError("CNIC token: value must be hex digits");
    token.digest[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return token;
}

}  // namespace nser::protocol
