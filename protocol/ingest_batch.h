// IngestBatch: what a connector pushes to the hub (POST /ingest/batches,
// Content-Type application/vnd.nser.ingest-batch): upserts of encoded records
// and deletions (tombstones) of one custodian, under one encoding header,
// numbered by the connector's sequence and named by an idempotency key so a
// retried batch is applied exactly once (docs/protocol-hub-connector.md).
//
// Bytes on the wire:
//   "NSERBAT1"                      8 bytes, magic
//   cereal portable binary archive of IngestBatch (serialize() below)
// Changing the layout means a new magic and kIngestBatchFormatVersion.
//
// parseIngestBatch() never trusts its input: errors throw ProtocolError
// naming what was wrong and, for an operation, its index and record reference.
#pragma once

#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "linkage/encoded_record.h"

namespace nser::protocol {

inline constexpr std::uint32_t kIngestBatchFormatVersion = 1;
inline constexpr std::string_view kIngestBatchMagic = "NSERBAT1";
inline constexpr std::string_view kIngestBatchContentType = "application/vnd.nser.ingest-batch";

class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class OperationKind : std::uint8_t { Upsert = 1, Delete = 2 };

struct IngestOperation {
  OperationKind kind = OperationKind::Upsert;
  // Upsert: record.id is the pseudonymous record reference. Delete: only
  // record.id is meaningful.
  linkage::EncodedRecord record;

  template <class Archive>
  void serialize(Archive& archive) {
    auto k = static_cast<std::uint8_t>(kind);
    archive(k, record);
    kind = static_cast<OperationKind>(k);
  }
};

struct IngestBatch {
  std::uint32_t formatVersion = kIngestBatchFormatVersion;
  std::string custodian;        // party id of the custodian whose records these are
  std::uint64_t sequence = 0;   // 1, 2, 3, ... per custodian, no gaps
  std::string idempotencyKey;   // unique per batch content, 8..128 chars [A-Za-z0-9._:-]
  linkage::EncodingHeader encoding;
  std::vector<IngestOperation> operations;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(formatVersion, custodian, sequence, idempotencyKey, encoding, operations);
  }
};

std::string serialiseIngestBatch(const IngestBatch& batch);

struct IngestLimits {
  std::size_t maxOperations = 10'000;
  std::size_t maxReferenceBytes = 128;
};

// Parses and validates the envelope: magic, version, sequence >= 1, key
// syntax, operation count, every reference non-empty, unique within the batch
// and at most maxReferenceBytes of [A-Za-z0-9._:-], upserts with a CLK and one
// field filter per header field of the header's sizes. Throws ProtocolError.
IngestBatch parseIngestBatch(std::string_view bytes, const IngestLimits& limits);

// True when `key` is a syntactically valid idempotency key.
bool validIdempotencyKey(std::string_view key);
// True when `reference` is a syntactically valid pseudonymous reference.
bool validRecordReference(std::string_view reference, std::size_t maxBytes);

}  // namespace nser::protocol
