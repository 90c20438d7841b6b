#include "protocol/ingest_batch.h"

#include <cereal/archives/portable_binary.hpp>
#include <sstream>
#include <unordered_set>

namespace nser::protocol {
namespace {

bool referenceCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == ':' || c == '-';
}

std::string describe(std::size_t index, const std::string& reference) {
  std::string text = "operation " + std::to_string(index);
  if (validRecordReference(reference, 128)) text += " (record '" + reference + "')";
  return text;
}

void checkFilter(const linkage::FilterWords& words, std::uint32_t bits, const std::string& what,
                 std::size_t index, const std::string& reference) {
  if (words.size() * 64 != bits) {
    throw ProtocolError("ingest batch: " + describe(index, reference) + ": " + what + " has " +
                        std::to_string(words.size() * 64) + " bits, the header declares " + std::to_string(bits));
  }
}

}  // namespace

bool validIdempotencyKey(std::string_view key) {
  if (key.size() < 8 || key.size() > 128) return false;
  for (char c : key) {
    if (!referenceCharacter(c)) return false;
  }
  return true;
}

bool validRecordReference(std::string_view reference, std::size_t maxBytes) {
  if (reference.empty() || reference.size() > maxBytes) return false;
  for (char c : reference) {
    if (!referenceCharacter(c)) return false;
  }
  return true;
}

std::string serialiseIngestBatch(const IngestBatch& batch) {
  std::ostringstream out(std::ios::binary);
  out.write(kIngestBatchMagic.data(), static_cast<std::streamsize>(kIngestBatchMagic.size()));
  {
    cereal::PortableBinaryOutputArchive archive(out);
    archive(batch);
  }
  return out.str();
}

IngestBatch parseIngestBatch(std::string_view bytes, const IngestLimits& limits) {
  if (bytes.size() < kIngestBatchMagic.size() || bytes.substr(0, kIngestBatchMagic.size()) != kIngestBatchMagic) {
    throw ProtocolError("ingest batch: the body does not start with the magic \"NSERBAT1\"");
  }
  IngestBatch batch;
  try {
    std::istringstream in(std::string(bytes.substr(kIngestBatchMagic.size())), std::ios::binary);
    cereal::PortableBinaryInputArchive archive(in);
    // Read the envelope field by field so a huge declared operation count is
    // refused before anything is allocated for it.
    archive(batch.formatVersion);
    if (batch.formatVersion != kIngestBatchFormatVersion) {
      throw ProtocolError("ingest batch: format version " + std::to_string(batch.formatVersion) +
                          " is not supported (this hub reads version " +
                          std::to_string(kIngestBatchFormatVersion) + ")");
    }
    archive(batch.custodian, batch.sequence, batch.idempotencyKey, batch.encoding);
    cereal::size_type count = 0;
    archive(cereal::make_size_tag(count));
    if (count > limits.maxOperations) {
      throw ProtocolError("ingest batch: " + std::to_string(count) + " operations exceed the limit of " +
                          std::to_string(limits.maxOperations) + " per batch");
    }
    batch.operations.resize(static_cast<std::size_t>(count));
    for (auto& operation : batch.operations) archive(operation);
    if (in.peek() != std::char_traits<char>::eof()) {
      throw ProtocolError("ingest batch: trailing bytes after the last operation");
    }
  } catch (const ProtocolError&) {
    throw;
  } catch (const std::exception& e) {
    throw ProtocolError(std::string("ingest batch: malformed binary body (") + e.what() + ")");
  }
  if (batch.sequence == 0) throw ProtocolError("ingest batch: sequence must be at least 1");
  if (!validIdempotencyKey(batch.idempotencyKey)) {
    throw ProtocolError("ingest batch: idempotency key must be 8-128 characters of [A-Za-z0-9._:-]");
  }
  const auto& header = batch.encoding;
  if (header.fieldNames.size() != header.fieldBits.size()) {
    throw ProtocolError("ingest batch: encoding header names " + std::to_string(header.fieldNames.size()) +
                        " fields but gives " + std::to_string(header.fieldBits.size()) + " sizes");
  }
  std::unordered_set<std::string_view> seen;
  for (std::size_t i = 0; i < batch.operations.size(); ++i) {
    const auto& operation = batch.operations[i];
    const auto& record = operation.record;
    if (operation.kind != OperationKind::Upsert && operation.kind != OperationKind::Delete) {
      throw ProtocolError("ingest batch: operation " + std::to_string(i) + ": unknown kind " +
                          std::to_string(static_cast<int>(operation.kind)));
    }
    if (!validRecordReference(record.id, limits.maxReferenceBytes)) {
      throw ProtocolError("ingest batch: operation " + std::to_string(i) + ": record reference must be 1-" +
                          std::to_string(limits.maxReferenceBytes) + " characters of [A-Za-z0-9._:-]");
    }
    if (!seen.insert(record.id).second) {
      throw ProtocolError("ingest batch: " + describe(i, record.id) + ": the record appears twice in the batch");
    }
    if (operation.kind == OperationKind::Delete) continue;
    checkFilter(record.clk, header.clkBits, "the CLK", i, record.id);
    if (record.fieldFilters.size() != header.fieldNames.size()) {
      throw ProtocolError("ingest batch: " + describe(i, record.id) + ": " +
                          std::to_string(record.fieldFilters.size()) + " field filters, the header declares " +
                          std::to_string(header.fieldNames.size()));
    }
    for (std::size_t f = 0; f < record.fieldFilters.size(); ++f) {
      checkFilter(record.fieldFilters[f], header.fieldBits[f], "field filter '" + header.fieldNames[f] + "'", i,
                  record.id);
    }
    for (const auto& token : record.tokens) {
      const auto kind = static_cast<std::uint8_t>(token.kind);
      if (kind < 1 || kind > 9) {
        throw ProtocolError("ingest batch: " + describe(i, record.id) + ": unknown token kind " +
                            std::to_string(kind));
      }
    }
  }
  return batch;
}

}  // namespace nser::protocol
