// LogVerifier fed page by page (as `nser audit verify` does while it fetches)
// against verifyLog over the whole log: the same verdicts, problems found at
// page boundaries, and nothing accepted after the first problem.
#include "audit/log_verifier.h"

#include <gtest/gtest.h>

#include "audit/audit_entry.h"
#include "pki/signing_key.h"

namespace nser::audit {
namespace {

class PagedVerification : public ::testing::Test {
 protected:
  void SetUp() override {
    for (std::size_t i = 0; i < 100; ++i) {
      AuditEntry entry{"decision", 1000 + static_cast<std::int64_t>(i), "hub", "programme-1", "nser",
                       "entity-" + std::to_string(i % 7), "eligibility", "permit", "{}"};
      const std::string bytes = encodeAuditEntry(entry);
      entries_.push_back(FetchedEntry{i, bytes, leafHash(bytes)});
      tree_.append(leafHash(bytes));
    }
    note_ = signCheckpoint(Checkpoint{"hub.example", tree_.size(), tree_.root(), {}}, key_);
  }

  // Feeds `entries` in pages of `page` entries, stopping at the first problem.
  LogVerification paged(const std::vector<FetchedEntry>& entries, std::size_t page,
                        const std::string& note) const {
    LogVerifier verifier(note, logKey_, std::nullopt);
    for (std::size_t from = 0; from < entries.size() && !verifier.failed(); from += page) {
      for (std::size_t i = from; i < std::min(entries.size(), from + page); ++i) {
        verifier.add(entries[i].index, entries[i].bytes, entries[i].claimedLeafHash);
      }
    }
    return verifier.finish(std::nullopt);
  }

  LogVerification whole(const std::vector<FetchedEntry>& entries, const std::string& note) const {
    LogVerifyInput input;
    input.logKey = logKey_;
    input.checkpointNote = note;
    input.entries = entries;
    return verifyLog(input);
  }

  pki::SigningKey key_ = pki::SigningKey::generate();
  VerifierKey logKey_ = makeVerifierKey("hub.example", kEd25519NoteType, key_.publicKey());
  std::vector<FetchedEntry> entries_;
  CompactRange tree_;
  std::string note_;
};

TEST_F(PagedVerification, AnyPageSizeAgreesWithTheWholeLog) {
  for (const std::size_t page : {std::size_t{1}, std::size_t{7}, std::size_t{50}, std::size_t{100}}) {
    const auto result = paged(entries_, page, note_);
    EXPECT_TRUE(result.ok) << "page " << page << ": " << result.problem;
    EXPECT_EQ(result.entriesChecked, 100u);
    EXPECT_EQ(result.checkpoint.root, tree_.root());
  }
  EXPECT_TRUE(whole(entries_, note_).ok);
}

TEST_F(PagedVerification, AGapAtAPageBoundaryIsNamed) {
  auto withGap = entries_;
  withGap.erase(withGap.begin() + 50);  // the first entry of the second page of 50
  const auto result = paged(withGap, 50, note_);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.problem.find("entry 50 is missing"), std::string::npos) << result.problem;
  EXPECT_EQ(result.problem, whole(withGap, note_).problem);
}

TEST_F(PagedVerification, NothingIsAcceptedAfterTheFirstProblem) {
  auto altered = entries_;
  altered[30].bytes = encodeAuditEntry(AuditEntry{"decision", 1, "hub", "", "", "", "", "deny", "{}"});
  LogVerifier verifier(note_, logKey_, std::nullopt);
  for (std::size_t i = 0; i < 30; ++i) EXPECT_TRUE(verifier.add(i, altered[i].bytes, altered[i].claimedLeafHash));
  // Altered content still extends the tree (the root check names it at the end) ...
  EXPECT_TRUE(verifier.add(30, altered[30].bytes, altered[30].claimedLeafHash));
  // ... but a malformed entry stops the verification there.
  EXPECT_FALSE(verifier.add(31, "not an entry", std::nullopt));
  EXPECT_TRUE(verifier.failed());
  EXPECT_FALSE(verifier.add(32, altered[32].bytes, altered[32].claimedLeafHash));
  const auto result = verifier.finish(std::nullopt);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.problem.find("entry 31 is malformed"), std::string::npos) << result.problem;
  EXPECT_EQ(result.entriesChecked, 31u);
}

TEST_F(PagedVerification, AnAlteredEntryIsNamedAfterTheLastPage) {
  auto altered = entries_;
  altered[64].bytes = encodeAuditEntry(AuditEntry{"decision", 1, "hub", "", "", "", "", "deny", "{}"});
  const auto result = paged(altered, 25, note_);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.problem.find("entry 64 does not match the leaf hash"), std::string::npos) << result.problem;
  EXPECT_NE(result.problem.find("root mismatch"), std::string::npos) << result.problem;
}

TEST_F(PagedVerification, ABadSignatureFailsBeforeAnyEntry) {
  std::string forged = note_;
  forged[forged.size() - 10] ^= 0x01;
  LogVerifier verifier(forged, logKey_, std::nullopt);
  EXPECT_TRUE(verifier.failed());
  EXPECT_FALSE(verifier.add(0, entries_[0].bytes, entries_[0].claimedLeafHash));
  const auto result = verifier.finish(std::nullopt);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.problem.find("signature"), std::string::npos) << result.problem;
}

TEST_F(PagedVerification, TooManyOrTooFewEntriesAreNamed) {
  auto extra = entries_;
  extra.push_back(FetchedEntry{100, entries_[0].bytes, std::nullopt});
  EXPECT_NE(paged(extra, 40, note_).problem.find("more entries than the checkpoint's 100"), std::string::npos);
  auto fewer = entries_;
  fewer.resize(90);
  EXPECT_NE(paged(fewer, 40, note_).problem.find("entry 90 is missing"), std::string::npos);
}

}  // namespace
}  // namespace nser::audit
