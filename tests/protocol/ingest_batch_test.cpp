#include "protocol/ingest_batch.h"

#include <gtest/gtest.h>

#include "protocol/encoded_query.h"

using namespace nser;
using protocol::IngestBatch;
using protocol::OperationKind;
using protocol::ProtocolError;

namespace {

IngestBatch sampleBatch() {
  IngestBatch batch;
  batch.custodian = "punjab";
  batch.sequence = 3;
  batch.idempotencyKey = "punjab-00000003";
  batch.encoding.schemaId = "nser-person-v1";
  batch.encoding.clkBits = 128;
  batch.encoding.fieldNames = {"name"};
  batch.encoding.fieldBits = {64};
  protocol::IngestOperation upsert;
  upsert.record.id = "ref-1";
  upsert.record.clk = {1, 2};
  upsert.record.fieldFilters = {{7}};
  upsert.record.tokens.push_back({linkage::TokenKind::Cnic, {}});
  batch.operations.push_back(upsert);
  protocol::IngestOperation tombstone;
  tombstone.kind = OperationKind::Delete;
  tombstone.record.id = "ref-2";
  batch.operations.push_back(tombstone);
  return batch;
}

std::string messageOf(const std::string& bytes, protocol::IngestLimits limits = {}) {
  try {
    protocol::parseIngestBatch(bytes, limits);
  } catch (const ProtocolError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(IngestBatch, RoundTripsThroughTheWireFormat) {
  const auto bytes = protocol::serialiseIngestBatch(sampleBatch());
  ASSERT_EQ(bytes.substr(0, 8), "NSERBAT1");
  const auto parsed = protocol::parseIngestBatch(bytes, {});
  EXPECT_EQ(parsed.custodian, "punjab");
  EXPECT_EQ(parsed.sequence, 3u);
  EXPECT_EQ(parsed.idempotencyKey, "punjab-00000003");
  ASSERT_EQ(parsed.operations.size(), 2u);
  EXPECT_EQ(parsed.operations[0].kind, OperationKind::Upsert);
  EXPECT_EQ(parsed.operations[0].record.clk, (linkage::FilterWords{1, 2}));
  EXPECT_EQ(parsed.operations[1].kind, OperationKind::Delete);
  EXPECT_EQ(parsed.operations[1].record.id, "ref-2");
}

TEST(IngestBatch, RejectsWhatIsNotABatch) {
  EXPECT_NE(messageOf("hello").find("magic"), std::string::npos);
  const auto bytes = protocol::serialiseIngestBatch(sampleBatch());
  EXPECT_NE(messageOf(bytes.substr(0, bytes.size() - 3)).find("malformed"), std::string::npos);
  EXPECT_NE(messageOf(bytes + "x").find("trailing"), std::string::npos);
  auto future = sampleBatch();
  future.formatVersion = 2;
  EXPECT_NE(messageOf(protocol::serialiseIngestBatch(future)).find("format version 2"), std::string::npos);
}

TEST(IngestBatch, NamesTheOperationThatIsWrong) {
  auto batch = sampleBatch();
  batch.operations[0].record.fieldFilters = {{7, 8}};
  EXPECT_NE(messageOf(protocol::serialiseIngestBatch(batch)).find("operation 0 (record 'ref-1'): field filter 'name'"),
            std::string::npos);
  batch = sampleBatch();
  batch.operations[1].record.id = "ref-1";
  EXPECT_NE(messageOf(protocol::serialiseIngestBatch(batch)).find("appears twice"), std::string::npos);
  batch = sampleBatch();
  batch.operations[0].record.id = "has space";
  EXPECT_NE(messageOf(protocol::serialiseIngestBatch(batch)).find("operation 0: record reference"), std::string::npos);
  batch = sampleBatch();
  batch.operations[0].record.clk = {1};
  EXPECT_NE(messageOf(protocol::serialiseIngestBatch(batch)).find("the CLK has 64 bits, the header declares 128"),
            std::string::npos);
}

TEST(IngestBatch, EnforcesEnvelopeRulesAndLimits) {
  auto batch = sampleBatch();
  batch.sequence = 0;
  EXPECT_NE(messageOf(protocol::serialiseIngestBatch(batch)).find("sequence"), std::string::npos);
  batch = sampleBatch();
  batch.idempotencyKey = "short";
  EXPECT_NE(messageOf(protocol::serialiseIngestBatch(batch)).find("idempotency key"), std::string::npos);
  protocol::IngestLimits limits;
  limits.maxOperations = 1;
  EXPECT_NE(messageOf(protocol::serialiseIngestBatch(sampleBatch()), limits).find("exceed the limit of 1"),
            std::string::npos);
}

TEST(EncodedQuery, RecordsAndTokensRoundTrip) {
  linkage::EncodedRecord record;
  record.id = "q";
  record.clk = {0xdeadbeef, 42};
  const auto back = protocol::decodeRecordQuery(protocol::encodeRecordQuery(record));
  EXPECT_EQ(back.clk, record.clk);
  EXPECT_THROW(protocol::decodeRecordQuery("not base64 !!"), ProtocolError);
  EXPECT_THROW(protocol::decodeRecordQuery(protocol::encodeRecordQuery(record).substr(0, 8)), ProtocolError);
  const auto token = protocol::decodeCnicToken("000102030405060708090a0b0c0d0e0f");
  EXPECT_EQ(token.digest[15], 15);
  EXPECT_THROW(protocol::decodeCnicToken("00"), ProtocolError);
  EXPECT_THROW(protocol::decodeCnicToken("zz0102030405060708090a0b0c0d0e0f"), ProtocolError);
}
