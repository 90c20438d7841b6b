// The RFC 6962 verifier against every transparency-dev vector in
// ../shared/testvectors/rfc6962 (it must accept exactly the cases with
// wantErr false), and proof construction against a naive recursive tree.
#include "audit/merkle_proof.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pki/signing_key.h"

namespace nser::audit {
namespace {

namespace fs = std::filesystem;
const fs::path kVectors = fs::path(NSER_SHARED_DIR) / "testvectors/rfc6962";

Poco::JSON::Object::Ptr readCase(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  Poco::JSON::Parser parser;
  return parser.parse(text.str()).extract<Poco::JSON::Object::Ptr>();
}

// Vectors carry arbitrary byte strings where hashes belong ("don't care"
// roots, garbage-extended proof hashes). The verifier compares 32-byte
// hashes, so a value of another length is mapped to SHA-256 of its bytes:
// equal strings stay equal, different ones stay different.
std::optional<Hash> toHash(const std::string& base64) {
  const auto bytes = pki::fromBase64(base64);
  if (!bytes) return std::nullopt;
  if (bytes->size() == 32) return hashFromBase64(base64);
  Hash mapped;
  crypto_hash_sha256(mapped.data(), reinterpret_cast<const unsigned char*>(bytes->data()), bytes->size());
  return mapped;
}

std::optional<Hash> hashField(const Poco::JSON::Object::Ptr& object, const std::string& key) {
  if (object->isNull(key)) return std::nullopt;
  return toHash(object->getValue<std::string>(key));
}

std::optional<std::vector<Hash>> proofField(const Poco::JSON::Object::Ptr& object) {
  std::vector<Hash> proof;
  if (object->isNull("proof")) return proof;
  const auto array = object->getArray("proof");
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto hash = toHash(array->getElement<std::string>(static_cast<unsigned>(i)));
    if (!hash) return std::nullopt;
    proof.push_back(*hash);
  }
  return proof;
}

std::vector<fs::path> casesUnder(const std::string& kind) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(kVectors / kind)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(MerkleProofVectors, InclusionAcceptsExactlyTheValidCases) {
  const auto files = casesUnder("inclusion");
  ASSERT_GT(files.size(), 50u);
  std::size_t accepted = 0;
  for (const auto& file : files) {
    const auto c = readCase(file);
    const bool wantErr = c->getValue<bool>("wantErr");
    bool ok = false;
    const auto root = hashField(c, "root");
    // A leaf hash must be a hash: 32 bytes, nothing mapped.
    const auto leaf = hashFromBase64(c->getValue<std::string>("leafHash"));
    const auto proof = proofField(c);
    if (root && leaf && proof) {
      try {
        verifyInclusion(c->get("leafIdx").convert<std::uint64_t>(), c->get("treeSize").convert<std::uint64_t>(),
                        *leaf, *proof, *root);
        ok = true;
      } catch (const ProofError&) {
      }
    }
    EXPECT_EQ(ok, !wantErr) << file;
    accepted += ok ? 1 : 0;
  }
  EXPECT_GT(accepted, 5u);
}

TEST(MerkleProofVectors, ConsistencyAcceptsExactlyTheValidCases) {
  const auto files = casesUnder("consistency");
  ASSERT_GT(files.size(), 50u);
  std::size_t accepted = 0;
  for (const auto& file : files) {
    const auto c = readCase(file);
    const bool wantErr = c->getValue<bool>("wantErr");
    bool ok = false;
    const auto root1 = hashField(c, "root1");
    const auto root2 = hashField(c, "root2");
    const auto proof = proofField(c);
    if (root1 && root2 && proof) {
      try {
        verifyConsistency(c->get("size1").convert<std::uint64_t>(), c->get("size2").convert<std::uint64_t>(), *proof,
                          *root1, *root2);
        ok = true;
      } catch (const ProofError&) {
      }
    }
    EXPECT_EQ(ok, !wantErr) << file;
    accepted += ok ? 1 : 0;
  }
  EXPECT_GT(accepted, 5u);
}

// RFC 6962 MTH, straight from the definition.
Hash naiveRoot(const std::vector<Hash>& leaves, std::size_t begin, std::size_t end) {
  const std::size_t n = end - begin;
  if (n == 0) return emptyTreeHash();
  if (n == 1) return leaves[begin];
  std::size_t k = 1;
  while (k * 2 < n) k *= 2;
  return nodeHash(naiveRoot(leaves, begin, begin + k), naiveRoot(leaves, begin + k, end));
}

std::vector<Hash> hashesOf(const std::vector<Hash>& leaves, const std::vector<LeafRange>& ranges) {
  std::vector<Hash> out;
  for (const auto& range : ranges) out.push_back(naiveRoot(leaves, range.begin, range.end));
  return out;
}

std::vector<Hash> sampleLeaves(std::size_t n) {
  std::vector<Hash> leaves;
  for (std::size_t i = 0; i < n; ++i) leaves.push_back(leafHash("entry " + std::to_string(i)));
  return leaves;
}

TEST(MerkleProof, RootsOfTheVectorTreesMatchTheReadme) {
  const std::vector<std::string> inputs = {"", std::string(1, '\0'), "\x10", "\x20\x21", "\x30\x31",
                                           "\x40\x41\x42\x43", "\x50\x51\x52\x53\x54\x55\x56\x57",
                                           "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  CompactRange tree;
  EXPECT_EQ(hashToHex(tree.root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  for (const auto& input : inputs) tree.append(leafHash(input));
  EXPECT_EQ(hashToHex(tree.root()), "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
}

TEST(MerkleProof, ConstructedProofsVerifyForEveryIndexAndSize) {
  const auto leaves = sampleLeaves(70);
  for (std::uint64_t size = 1; size <= leaves.size(); ++size) {
    const Hash root = naiveRoot(leaves, 0, size);
    for (std::uint64_t index = 0; index < size; ++index) {
      const auto proof = hashesOf(leaves, inclusionProofRanges(index, size));
      EXPECT_NO_THROW(verifyInclusion(index, size, leaves[index], proof, root)) << index << "/" << size;
      if (index + 1 < size) {
        EXPECT_THROW(verifyInclusion(index + 1, size, leaves[index], proof, root), ProofError);
      }
    }
    for (std::uint64_t size1 = 1; size1 <= size; ++size1) {
      const auto proof = hashesOf(leaves, consistencyProofRanges(size1, size));
      EXPECT_NO_THROW(verifyConsistency(size1, size, proof, naiveRoot(leaves, 0, size1), root)) << size1 << "/" << size;
    }
  }
}

TEST(MerkleProof, RangeNodesFoldToTheRangeHash) {
  const auto leaves = sampleLeaves(45);
  for (const LeafRange range : {LeafRange{0, 45}, LeafRange{32, 45}, LeafRange{40, 45}, LeafRange{16, 32}}) {
    std::vector<Hash> parts;
    for (const auto& node : rangeNodes(range)) {
      const std::size_t begin = node.index << node.level;
      parts.push_back(naiveRoot(leaves, begin, begin + (std::size_t{1} << node.level)));
    }
    EXPECT_EQ(foldRangeHashes(parts), naiveRoot(leaves, range.begin, range.end));
  }
}

TEST(MerkleProof, CompactRangeMatchesTheNaiveRootAtEverySize) {
  const auto leaves = sampleLeaves(100);
  CompactRange tree;
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    tree.append(leaves[i]);
    ASSERT_EQ(tree.root(), naiveRoot(leaves, 0, i + 1)) << i;
  }
}

}  // namespace
}  // namespace nser::audit
