// The identifying part of a search: how a connector puts an encoded record
// (never plaintext) into the JSON of a DCI search request, and how the hub
// reads it back (docs/protocol-hub-connector.md, "Search").
//
//   {"type": "NSER_ENCODED_RECORD", "value": base64(cereal EncodedRecord),
//    "schema_id": ..., "schema_digest": ..., "key_epoch": N}
//   {"type": "NSER_CNIC_TOKEN", "value": 32 hex digits (a keyed CNIC token)}
//   {"type": "NSER_ENTITY_ID", "value": "<entity id>"}
#pragma once

#include <string>
#include <string_view>

#include "linkage/encoded_record.h"

namespace nser::protocol {

inline constexpr std::string_view kQueryEncodedRecord = "NSER_ENCODED_RECORD";
inline constexpr std::string_view kQueryCnicToken = "NSER_CNIC_TOKEN";
inline constexpr std::string_view kQueryEntityId = "NSER_ENTITY_ID";

std::string encodeRecordQuery(const linkage::EncodedRecord& record);
// Throws ProtocolError (protocol/ingest_batch.h) when the value is not base64
// of an encoded record or larger than `maxBytes` decoded.
linkage::EncodedRecord decodeRecordQuery(std::string_view base64, std::size_t maxBytes = 65536);

// 32 hex digits -> a CNIC token; throws ProtocolError otherwise.
linkage::KeyedToken decodeCnicToken(std::string_view hex);

}  // namespace nser::protocol
