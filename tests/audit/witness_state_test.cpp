// Checkpoints, signed notes, cosignatures and the witness's judgement:
// formats round-trip, signatures bind the exact body and key, and a witness
// cosigns a growing log but reports a fork, a rollback or a missing proof.
#include "audit/witness_state.h"

#include <gtest/gtest.h>

#include "audit/audit_entry.h"
#include "audit/compact_range.h"
#include "audit/cosignature.h"
#include "audit/log_verifier.h"
#include "audit/merkle_proof.h"
#include "tests/support/temp_dir.h"

namespace nser::audit {
namespace {

// An in-memory log of leaves with the proof construction of merkle_proof.h.
class MemoryLog {
 public:
  explicit MemoryLog(std::string prefix) : prefix_(std::move(prefix)) {}
  void grow(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) leaves_.push_back(leafHash(prefix_ + std::to_string(leaves_.size())));
  }
  Hash rootAt(std::size_t size) const {
    CompactRange tree;
    for (std::size_t i = 0; i < size; ++i) tree.append(leaves_[i]);
    return tree.root();
  }
  std::vector<Hash> consistency(std::size_t size1, std::size_t size2) const {
    std::vector<Hash> proof;
    for (const auto& range : consistencyProofRanges(size1, size2)) {
      CompactRange tree;
      for (auto i = range.begin; i < range.end; ++i) tree.append(leaves_[i]);
      proof.push_back(tree.root());
    }
    return proof;
  }
  std::string note(const pki::SigningKey& key) const {
    return signCheckpoint(Checkpoint{"hub.example", leaves_.size(), rootAt(leaves_.size()), {}}, key);
  }
  std::size_t size() const { return leaves_.size(); }

 private:
  std::string prefix_;
  std::vector<Hash> leaves_;
};

TEST(Checkpoint, FormatsAndParsesTheC2spBody) {
  Checkpoint checkpoint{"hub.example", 42, leafHash("x"), {"extension line"}};
  const std::string body = formatCheckpoint(checkpoint);
  EXPECT_EQ(body, "hub.example\n42\n" + hashToBase64(checkpoint.root) + "\nextension line\n");
  EXPECT_EQ(parseCheckpoint(body), checkpoint);
  EXPECT_THROW(parseCheckpoint("hub.example\n042\n" + hashToBase64(checkpoint.root) + "\n"), CheckpointError);
  EXPECT_THROW(parseCheckpoint("hub.example\n42\nnot-base64\n"), CheckpointError);
  EXPECT_THROW(parseCheckpoint("hub.example\n42\n"), CheckpointError);
}

TEST(SignedNote, SignatureBindsBodyNameAndKey) {
  const auto key = pki::SigningKey::generate();
  const auto verifier = makeVerifierKey("hub.example", kEd25519NoteType, key.publicKey());
  const std::string text = signCheckpoint(Checkpoint{"hub.example", 3, leafHash("r"), {}}, key);
  EXPECT_NE(text.find("\n\n\xE2\x80\x94 hub.example "), std::string::npos);
  EXPECT_EQ(parseVerifierKey(formatVerifierKey(verifier)).publicKey, key.publicKey());
  EXPECT_NO_THROW(openCheckpoint(text, verifier));
  std::string altered = text;
  altered[text.find("\n3\n") + 1] = '4';
  EXPECT_THROW(openCheckpoint(altered, verifier), CheckpointError);
  const auto other = pki::SigningKey::generate();
  EXPECT_THROW(openCheckpoint(text, makeVerifierKey("hub.example", kEd25519NoteType, other.publicKey())),
               CheckpointError);
  // A verifier key whose id does not match its key is refused.
  std::string forged = formatVerifierKey(verifier);
  forged[forged.find('+') + 1] = forged[forged.find('+') + 1] == '0' ? '1' : '0';
  EXPECT_THROW(parseVerifierKey(forged), NoteError);
}

TEST(Cosignature, VerifiesOnlyForTheSameBodyAndWitnessKey) {
  const auto witness = pki::SigningKey::generate();
  const auto key = makeVerifierKey("witness-a", kCosignatureV1Type, witness.publicKey());
  const std::string body = formatCheckpoint(Checkpoint{"hub.example", 9, leafHash("r"), {}});
  const auto signature = cosign(body, "witness-a", witness, 1'700'000'000);
  EXPECT_EQ(verifyCosignature(body, signature, key), 1'700'000'000u);
  EXPECT_EQ(verifyCosignature(body, parseSignatureLine(formatSignatureLine(signature).substr(
                                        0, formatSignatureLine(signature).size() - 1)),
                              key),
            1'700'000'000u);
  EXPECT_FALSE(verifyCosignature(formatCheckpoint(Checkpoint{"hub.example", 10, leafHash("r"), {}}), signature, key));
  EXPECT_FALSE(verifyCosignature(body, signature, makeVerifierKey("witness-a", kEd25519NoteType, witness.publicKey())));
}

class WitnessTest : public ::testing::Test {
 protected:
  WitnessObservation observe(const MemoryLog& log, std::optional<std::vector<Hash>> proof) {
    return state_.observe(log.note(hubKey_), proof, logKey_, "witness-a", witnessKey_, 1'700'000'000);
  }
  testing::TempDir dir_{"witness"};
  WitnessState state_{dir_.path()};
  pki::SigningKey hubKey_ = pki::SigningKey::generate();
  pki::SigningKey witnessKey_ = pki::SigningKey::generate();
  VerifierKey logKey_ = makeVerifierKey("hub.example", kEd25519NoteType, hubKey_.publicKey());
};

TEST_F(WitnessTest, CosignsAGrowingLogWithValidProofs) {
  MemoryLog log("e");
  log.grow(5);
  auto seen = observe(log, std::nullopt);
  ASSERT_EQ(seen.outcome, WitnessObservation::Outcome::Cosigned) << seen.message;
  const auto witnessVerifier = makeVerifierKey("witness-a", kCosignatureV1Type, witnessKey_.publicKey());
  EXPECT_TRUE(verifyCosignature(parseNote(log.note(hubKey_)).body, *seen.cosignature, witnessVerifier));
  log.grow(8);
  seen = observe(log, log.consistency(5, 13));
  EXPECT_EQ(seen.outcome, WitnessObservation::Outcome::Cosigned) << seen.message;
  EXPECT_EQ(state_.lastCheckpoint()->size, 13u);
  seen = observe(log, std::nullopt);  // the same checkpoint again needs no proof
  EXPECT_EQ(seen.outcome, WitnessObservation::Outcome::Cosigned) << seen.message;
}

TEST_F(WitnessTest, ReportsForksRollbacksAndMissingProofs) {
  MemoryLog original("e"), fork("e");
  original.grow(6);
  fork.grow(6);
  ASSERT_EQ(observe(original, std::nullopt).outcome, WitnessObservation::Outcome::Cosigned);
  original.grow(4);
  fork.grow(0);
  MemoryLog divergent("f");  // same size as original, different entries
  divergent.grow(10);
  EXPECT_EQ(observe(original, std::nullopt).outcome, WitnessObservation::Outcome::MissingProof);
  ASSERT_EQ(observe(original, original.consistency(6, 10)).outcome, WitnessObservation::Outcome::Cosigned);
  EXPECT_EQ(observe(divergent, std::nullopt).outcome, WitnessObservation::Outcome::SplitView);
  EXPECT_EQ(observe(fork, std::nullopt).outcome, WitnessObservation::Outcome::Inconsistent);
  divergent.grow(3);
  const auto seen = observe(divergent, divergent.consistency(10, 13));
  EXPECT_EQ(seen.outcome, WitnessObservation::Outcome::SplitView) << seen.message;
  EXPECT_EQ(state_.lastCheckpoint()->size, 10u);  // nothing bad was saved
  const auto otherKey = pki::SigningKey::generate();
  EXPECT_EQ(state_.observe(original.note(otherKey), std::nullopt, logKey_, "witness-a", witnessKey_, 1).outcome,
            WitnessObservation::Outcome::Invalid);
}

TEST(LogVerifier, ReportsSplitViewAndRewrittenHistoryAgainstTheSavedCheckpoint) {
  const auto key = pki::SigningKey::generate();
  const auto logKey = makeVerifierKey("hub.example", kEd25519NoteType, key.publicKey());
  auto entriesOf = [](const std::string& prefix, std::size_t n) {
    std::vector<FetchedEntry> entries;
    for (std::size_t i = 0; i < n; ++i) {
      AuditEntry entry{"admin", 1000 + static_cast<std::int64_t>(i), prefix, "", "", "", "", "", "{}"};
      entries.push_back(FetchedEntry{i, encodeAuditEntry(entry), std::nullopt});
    }
    return entries;
  };
  auto noteOf = [&](const std::vector<FetchedEntry>& entries) {
    CompactRange tree;
    for (const auto& e : entries) tree.append(leafHash(e.bytes));
    return signCheckpoint(Checkpoint{"hub.example", tree.size(), tree.root(), {}}, key);
  };
  LogVerifyInput input;
  input.logKey = logKey;
  input.entries = entriesOf("a", 20);
  input.checkpointNote = noteOf(input.entries);
  auto first = entriesOf("a", 12);
  input.previousNote = noteOf(first);
  EXPECT_TRUE(verifyLog(input).ok) << verifyLog(input).problem;

  input.previousNote = noteOf(entriesOf("b", 12));  // the auditor saw another history
  auto result = verifyLog(input);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.problem.find("consistency failure"), std::string::npos) << result.problem;

  input.previousNote = noteOf(entriesOf("b", 20));
  result = verifyLog(input);
  EXPECT_NE(result.problem.find("split view"), std::string::npos) << result.problem;

  input.previousNote = noteOf(entriesOf("a", 25));
  result = verifyLog(input);
  EXPECT_NE(result.problem.find("rollback"), std::string::npos) << result.problem;

  input.previousNote.reset();
  input.checkpointNote[input.checkpointNote.size() - 10] ^= 0x01;
  result = verifyLog(input);
  EXPECT_NE(result.problem.find("signature"), std::string::npos) << result.problem;
}

}  // namespace
}  // namespace nser::audit
