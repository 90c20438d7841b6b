// Encodings of a few hand-made people for the hub's tests, made with the
// default schema and a fixed test secret (what a connector would send).
#pragma once

#include <string>
#include <vector>

#include "linkage/encoded_record.h"
#include "linkage/linkage_schema.h"
#include "linkage/linkage_secret.h"
#include "linkage/record_encoder.h"
#include "protocol/ingest_batch.h"

namespace nser::testing {

class TestEncoder {
 public:
  TestEncoder()
      : secret_(linkage::LinkageSecret::fromBytes(
            {reinterpret_cast<const std::uint8_t*>(kSecret.data()), kSecret.size()}, 1)),
        encoder_(linkage::loadLinkageSchema(std::string(NSER_SOURCE_DIR) + "/schemas/linkage/nser-person-v1.json"),
                 secret_, {2026, 11, 26}),
        workspace_(encoder_.makeWorkspace()),
        binding_(encoder_.bind(header())) {}

  static const std::vector<std::string>& header() {
    static const std::vector<std::string> kHeader = {"rec_id", "cnic",     "name",   "relation_type",
                                                     "relation_name", "gender", "dob",    "district",
                                                     "tehsil", "province", "address", "phone"};
    return kHeader;
  }

  // Person `n` (0..) as recorded by one custodian; `variant` changes the
  // spelling the way another custodian would record the same person.
  linkage::EncodedRecord person(const std::string& reference, int n, bool variant = false) {
    static const std::vector<std::string> kNames = {"Muhammad Qasim", "Zainab Bibi",  "Ghulam Abbas", "Ayesha Noor",
                                                    "Imran Khan",     "Sadia Parveen", "Tariq Mehmood", "Nasreen Akhtar"};
    static const std::vector<std::string> kVariants = {"Mohd Kasim",  "Zenab Bibi",   "Gulam Abas",  "Aisha Noor",
                                                       "Imran Kahn",  "Saadia Perveen", "Tariq Mahmood", "Nasrin Akhter"};
    static const std::vector<std::string> kFathers = {"Ghulam Rasool", "Muhammad Ali", "Allah Ditta", "Abdul Karim",
                                                      "Ikram Ullah",   "Bashir Ahmad", "Noor Din",    "Shah Nawaz"};
    const auto i = static_cast<std::size_t>(n) % kNames.size();
    const bool female = i % 2 == 1;
    char cnic[32];
    std::snprintf(cnic, sizeof cnic, "35202-%07d-%d", 1000000 + n * 7919 % 8999999, female ? 2 : 1);
    char dob[16];
    std::snprintf(dob, sizeof dob, "19%02d-%02d-%02d", 60 + n % 40, 1 + n % 12, 1 + n % 28);
    std::vector<std::string> row = {reference, cnic, variant ? kVariants[i] : kNames[i], female ? "d/o" : "s/o",
                                    kFathers[(i + static_cast<std::size_t>(n) / 8) % kFathers.size()],
                                    female ? "F" : "M", dob, "Lahore", "Lahore City", "Punjab", "House " + std::to_string(n),
                                    ""};
    linkage::EncodedRecord record;
    const auto outcome = encoder_.encodeRow(row, binding_, 2, workspace_, record);
    if (!outcome.ok) throw std::runtime_error("test encoding failed: " + outcome.reason);
    return record;
  }

  // An ingest batch of `custodian` (sequence `sequence`, key derived from
  // both) upserting persons first .. first + count - 1 as `prefix` + n.
  protocol::IngestBatch batch(const std::string& custodian, std::uint64_t sequence, const std::string& prefix,
                              int first, int count, bool variant) {
    protocol::IngestBatch out;
    out.custodian = custodian;
    out.sequence = sequence;
    out.idempotencyKey = custodian + "-batch-" + std::to_string(sequence);
    out.encoding = encodingHeader();
    for (int n = first; n < first + count; ++n) {
      protocol::IngestOperation operation;
      operation.record = person(prefix + std::to_string(n), n, variant);
      out.operations.push_back(std::move(operation));
    }
    return out;
  }

  const linkage::EncodingHeader& encodingHeader() const { return encoder_.header(); }
  const linkage::LinkageSchema& schema() const { return encoder_.schema(); }

 private:
  static constexpr std::string_view kSecret = "hub test linkage secret, 32 bytes";
  linkage::LinkageSecret secret_;
  linkage::RecordEncoder encoder_;
  linkage::EncoderWorkspace workspace_;
  linkage::ColumnBinding binding_;
};

}  // namespace nser::testing
