// ClkEncoder against clkhash: the published anonlink-client vectors (10,000
// CLKs) bit for bit, plus determinism, secret separation and record errors.
// Feature-specific vectors (doubleHash, numeric, positional, folds, other
// lengths, formats) are in clk_token_hasher_test, clk_tokenizer_test and
// clk_encoder_features_test.
#include "linkage/clk_encoder.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "linkage/clk_json.h"
#include "schemas/json_document.h"

namespace nser::linkage {
namespace {

const std::string kVectors = std::string(NSER_SHARED_DIR) + "/testvectors/clkhash/";

std::vector<std::vector<std::string>> readSimpleCsv(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    EXPECT_EQ(line.find('"'), std::string::npos) << "the vector CSVs have no quoting";
    std::vector<std::string> cells;
    std::stringstream stream(line);
    std::string cell;
    while (std::getline(stream, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

std::vector<std::uint8_t> asciiSecret(const std::string& text) { return {text.begin(), text.end()}; }

std::string readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class PublishedVectors : public ::testing::TestWithParam<int> {};

TEST_P(PublishedVectors, ReproducesEveryClkBitForBitAndTheWholeFile) {
  const int party = GetParam();
  const ClkEncoder encoder(loadClkSchema(kVectors + "novt_schema.json"), asciiSecret("secret"));
  const auto rows = readSimpleCsv(kVectors + "ncvr_numrec_5000_modrec_2_ocp_20_myp_" + std::to_string(party) +
                                  "_nump_10.csv");
  const std::string expectedPath = kVectors + "anonlink-client_novt_clk_" + std::to_string(party) + ".json";
  const std::vector<BloomFilter> expected = readClkJson(expectedPath);
  ASSERT_EQ(rows.size(), 5000U);
  ASSERT_EQ(expected.size(), rows.size());

  ClkWorkspace workspace = encoder.makeWorkspace();
  BloomFilter clk;
  std::ostringstream json;
  ClkJsonWriter writer(json);
  int mismatches = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::vector<std::string_view> values(rows[r].begin(), rows[r].end());
    const ClkEncodeResult result = encoder.encode(values, workspace, clk);
    ASSERT_TRUE(result.ok) << "row " << r + 2 << ": " << result.reason;
    if (!(clk == expected[r]) && ++mismatches <= 3) {
      ADD_FAILURE() << "row " << r + 2 << ": got " << clk.toBase64() << " expected " << expected[r].toBase64();
    }
    writer.add(clk);
  }
  writer.finish();
  EXPECT_EQ(mismatches, 0);
  // Byte-identical to clkhash's own file (json.dump formatting included).
  EXPECT_TRUE(json.str() == readWholeFile(expectedPath));
}

INSTANTIATE_TEST_SUITE_P(BothParties, PublishedVectors, ::testing::Values(0, 1));

TEST(ClkEncoder, SameSecretSameClk) {
  const ClkSchema schema = loadClkSchema(kVectors + "novt_schema.json");
  const ClkEncoder first(schema, asciiSecret("a long enough linkage secret"));
  const ClkEncoder second(schema, asciiSecret("a long enough linkage secret"));
  ClkWorkspace w1 = first.makeWorkspace();
  ClkWorkspace w2 = second.makeWorkspace();
  const std::vector<std::string_view> record = {"1", "ayesha", "khan", "lahore", "54000"};
  BloomFilter a;
  BloomFilter b;
  ASSERT_TRUE(first.encode(record, w1, a).ok);
  ASSERT_TRUE(second.encode(record, w2, b).ok);
  EXPECT_EQ(a, b);
  // Re-encoding with the same workspace gives the same filter (buffers are reset).
  BloomFilter again;
  ASSERT_TRUE(first.encode(record, w1, again).ok);
  EXPECT_EQ(a, again);
  EXPECT_GT(a.popcount(), 100U);
}

TEST(ClkEncoder, DifferentSecretGivesUnrelatedFilters) {
  // Same records under two secrets: Dice should sit near what two random
  // filters of the same density give (2*p^2*l / (2*p*l) = p, the fill rate),
  // far from 1.
  const ClkSchema schema = loadClkSchema(kVectors + "novt_schema.json");
  const ClkEncoder first(schema, asciiSecret("secret one, long enough"));
  const ClkEncoder second(schema, asciiSecret("secret two, long enough"));
  ClkWorkspace w1 = first.makeWorkspace();
  ClkWorkspace w2 = second.makeWorkspace();
  const auto rows = readSimpleCsv(kVectors + "ncvr_numrec_5000_modrec_2_ocp_20_myp_0_nump_10.csv");
  double diceSum = 0;
  double fillSum = 0;
  const std::size_t n = 500;
  for (std::size_t r = 0; r < n; ++r) {
    std::vector<std::string_view> values(rows[r].begin(), rows[r].end());
    BloomFilter a;
    BloomFilter b;
    ASSERT_TRUE(first.encode(values, w1, a).ok);
    ASSERT_TRUE(second.encode(values, w2, b).ok);
    diceSum += a.dice(b);
    fillSum += static_cast<double>(a.popcount() + b.popcount()) / (2.0 * 1024.0);
  }
  const double meanDice = diceSum / n;
  const double meanFill = fillSum / n;
  EXPECT_NEAR(meanDice, meanFill, 0.03) << "mean Dice " << meanDice << ", random baseline " << meanFill;
  EXPECT_LT(meanDice, 0.4);
}

TEST(ClkEncoder, InvalidValueIsReportedNotThrownAndNamesNoValue) {
  const ClkEncoder encoder(loadClkSchema(kVectors + "novt_schema.json"), asciiSecret("secret"));
  ClkWorkspace workspace = encoder.makeWorkspace();
  BloomFilter clk;
  // "case": "lower" in the schema: clkhash refuses upper case, it does not fold it.
  const std::vector<std::string_view> upper = {"1", "Zainab", "bibi", "multan", "60000"};
  ClkEncodeResult result = encoder.encode(upper, workspace, clk);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.feature, 1U);
  EXPECT_EQ(result.reason.find("Zainab"), std::string::npos);
  EXPECT_NE(result.reason.find("givenname"), std::string::npos);
  // maxLength 30
  const std::string longName(31, 'a');
  const std::vector<std::string_view> tooLong = {"1", longName, "bibi", "multan", "60000"};
  result = encoder.encode(tooLong, workspace, clk);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.reason.find("maxLength"), std::string::npos);
  // Wrong number of values.
  const std::vector<std::string_view> shortRow = {"1", "a"};
  EXPECT_FALSE(encoder.encode(shortRow, workspace, clk).ok);
  // The workspace still works after failures.
  const std::vector<std::string_view> good = {"1", "zainab", "bibi", "multan", "60000"};
  EXPECT_TRUE(encoder.encode(good, workspace, clk).ok);
}

TEST(ClkEncoder, MissingValueSentinelIsReplacedAndSetsNoBits) {
  const ClkEncoder encoder(loadClkSchema(kVectors + "novt_schema.json"), asciiSecret("secret"));
  ClkWorkspace workspace = encoder.makeWorkspace();
  // "." is the sentinel, replaced by "": the feature adds no bits.
  const std::vector<std::string_view> all = {"1", ".", ".", ".", "."};
  BloomFilter clk;
  ASSERT_TRUE(encoder.encode(all, workspace, clk).ok);
  EXPECT_EQ(clk.popcount(), 0U);
  // A missing feature contributes nothing: the CLK equals the one without it.
  const std::vector<std::string_view> withMissing = {"1", "ali", ".", "quetta", "87300"};
  const std::vector<std::string_view> withEmpty = {"1", "ali", "", "quetta", "87300"};
  BloomFilter a;
  BloomFilter b;
  ASSERT_TRUE(encoder.encode(withMissing, workspace, a).ok);
  ASSERT_TRUE(encoder.encode(withEmpty, workspace, b).ok);
  EXPECT_EQ(a, b);
}

TEST(ClkEncoder, FeatureFiltersOrTogetherIntoTheClk) {
  const ClkEncoder encoder(loadClkSchema(kVectors + "novt_schema.json"), asciiSecret("secret"));
  ClkWorkspace workspace = encoder.makeWorkspace();
  const std::vector<std::string_view> record = {"1", "ali", "raza", "quetta", "87300"};
  BloomFilter clk;
  ASSERT_TRUE(encoder.encode(record, workspace, clk).ok);
  BloomFilter combined(encoder.hashBits());
  for (std::size_t f = 0; f < record.size(); ++f) {
    BloomFilter field(encoder.hashBits());
    ASSERT_TRUE(encoder.encodeFeature(f, record[f], workspace, field).ok);
    combined |= field;
  }
  EXPECT_EQ(combined, clk);
}


// ---------------------------------------------------------------------------
// Features the published vectors do not cover. Expected CLKs were computed by
// tests/linkage/clkhash_reference_vectors.py: a from-scratch statement of
// clkhash's published algorithm in Python's standard library (hashlib.blake2b
// with salt=str(m), hmac with sha1/md5, RFC 5869 HKDF written out with hmac,
// Python's own int()/float()/datetime.strptime()/str.encode()), which itself
// reproduces the published anonlink-client CLKs (run it with
// --check-published). Schemas:
//   A: l=1024, HKDF-SHA512 with salt and info, keySize 32; an ignored id;
//      doubleHash bigrams with bitsPerToken 15; a %d/%m/%Y date as
//      positional unigrams, bitsPerFeature 80, doubleHash with
//      prevent_singularity; an enum with exact comparison, blakeHash; an
//      integer ("+042" -> "42") with numeric comparison (d=5, r=2) and a
//      missing-value sentinel; a pattern-checked decimal with numeric
//      comparison (d=0.5, r=3, fractional_precision 2), doubleHash.
//   B: l=512 with xorFolds 1 (hashed into 1024 bits), trigrams with
//      bitsPerFeature 200 ("al" has 4 trigrams -> k=50: a second BLAKE2b MAC
//      with salt "1"), an exact utf-16 feature (Python's BOM included).
//   C: l=2048, positional bigrams of non-ASCII text (Urdu, Turkish),
//      bitsPerToken 40 (two MACs per token).
//   S-off / S-on: l=64 doubleHash where HMAC-MD5("code11") = 0 mod 64: without
//      prevent_singularity all 8 indices collapse onto one bit; with it the
//      retry HMAC-MD5(key, "code11" || chr(0)) spreads them.
struct ReferenceVector {
  const char* name;
  const char* schema;
  std::vector<std::string> record;
  const char* expectedBase64;
};

const char* const kSchemaA = R"json({
 "version": 3,
 "clkConfig": {
  "l": 1024,
  "kdf": {
   "type": "HKDF",
   "hash": "SHA512",
   "salt": "bmFkcmEgc2FsdA==",
   "info": "bnNlci10ZXN0",
   "keySize": 32
  }
 },
 "features": [
  {
   "identifier": "id",
   "ignored": true
  },
  {
   "identifier": "name",
   "format": {
    "type": "string",
    "encoding": "utf-8",
    "case": "mixed"
   },
   "hashing": {
    "comparison": {
     "type": "ngram",
     "n": 2
    },
    "strategy": {
     "bitsPerToken": 15
    },
    "hash": {
     "type": "doubleHash"
    }
   }
  },
  {
   "identifier": "dob",
   "format": {
    "type": "date",
    "format": "%d/%m/%Y"
   },
   "hashing": {
    "comparison": {
     "type": "ngram",
     "n": 1,
     "positional": true
    },
    "strategy": {
     "bitsPerFeature": 80
    },
    "hash": {
     "type": "doubleHash",
     "prevent_singularity": true
    },
    "missingValue": {
     "sentinel": "",
     "replaceWith": ""
    }
   }
  },
  {
   "identifier": "gender",
   "format": {
    "type": "enum",
    "values": [
     "m",
     "f"
    ]
   },
   "hashing": {
    "comparison": {
     "type": "exact"
    },
    "strategy": {
     "bitsPerToken": 30
    },
    "hash": {
     "type": "blakeHash"
    }
   }
  },
  {
   "identifier": "age",
   "format": {
    "type": "integer",
    "minimum": 0,
    "maximum": 130
   },
   "hashing": {
    "comparison": {
     "type": "numeric",
     "thresholdDistance": 5,
     "resolution": 2
    },
    "strategy": {
     "bitsPerToken": 10
    },
    "missingValue": {
     "sentinel": "NA",
     "replaceWith": ""
    }
   }
  },
  {
   "identifier": "income",
   "format": {
    "type": "string",
    "pattern": "[0-9]+(\\.[0-9]+)?"
   },
   "hashing": {
    "comparison": {
     "type": "numeric",
     "thresholdDistance": 0.5,
     "resolution": 3,
     "fractional_precision": 2
    },
    "strategy": {
     "bitsPerToken": 5
    },
    "hash": {
     "type": "doubleHash"
    }
   }
  }
 ]
})json";
const char* const kSchemaB = R"json({
 "version": 3,
 "clkConfig": {
  "l": 512,
  "xorFolds": 1,
  "kdf": {
   "type": "HKDF"
  }
 },
 "features": [
  {
   "identifier": "name",
   "format": {
    "type": "string",
    "minLength": 1,
    "maxLength": 40
   },
   "hashing": {
    "comparison": {
     "type": "ngram",
     "n": 3
    },
    "strategy": {
     "bitsPerFeature": 200
    }
   }
  },
  {
   "identifier": "city",
   "format": {
    "type": "string",
    "encoding": "utf-16"
   },
   "hashing": {
    "comparison": {
     "type": "exact"
    },
    "strategy": {
     "bitsPerToken": 20
    }
   }
  }
 ]
})json";
const char* const kSchemaC = R"json({
 "version": 3,
 "clkConfig": {
  "l": 2048,
  "kdf": {
   "type": "HKDF",
   "hash": "SHA256",
   "keySize": 64
  }
 },
 "features": [
  {
   "identifier": "name_ur",
   "format": {
    "type": "string",
    "encoding": "utf-8"
   },
   "hashing": {
    "comparison": {
     "type": "ngram",
     "n": 2,
     "positional": true
    },
    "strategy": {
     "bitsPerToken": 40
    },
    "hash": {
     "type": "blakeHash"
    }
   }
  }
 ]
})json";
const char* const kSchemaSoff = R"json({
 "version": 3,
 "clkConfig": {
  "l": 64,
  "kdf": {
   "type": "HKDF",
   "salt": "c2luZ3VsYXI="
  }
 },
 "features": [
  {
   "identifier": "code",
   "format": {
    "type": "string"
   },
   "hashing": {
    "comparison": {
     "type": "exact"
    },
    "strategy": {
     "bitsPerToken": 8
    },
    "hash": {
     "type": "doubleHash",
     "prevent_singularity": false
    }
   }
  }
 ]
})json";
const char* const kSchemaSon = R"json({
 "version": 3,
 "clkConfig": {
  "l": 64,
  "kdf": {
   "type": "HKDF",
   "salt": "c2luZ3VsYXI="
  }
 },
 "features": [
  {
   "identifier": "code",
   "format": {
    "type": "string"
   },
   "hashing": {
    "comparison": {
     "type": "exact"
    },
    "strategy": {
     "bitsPerToken": 8
    },
    "hash": {
     "type": "doubleHash",
     "prevent_singularity": true
    }
   }
  }
 ]
})json";

const ReferenceVector kReferenceVectors[] = {
    {"A", kSchemaA, {"1", "Ayesha Khan", "07/03/1985", "f", "+042", "1250.75"}, "Bu78MiVyoZKmxwEEAwAWkMIg1pJEAUE8GoWsAI4SIgqIDjgEpMhmAQKnUGjjBEQgQqsAAgAJA2IAIDqAACqCZM9VoCdAROhARAQU4IMKBAJowkTUEGIIA4DkQxBRIkqhuPhypCYIAqOAJAgACOUmNSCGAQaI5CAhnYiAFgAoESo="},
    {"A", kSchemaA, {"2", "Ayesha Kahn", "7/3/1985", "f", "44", "1250.2"}, "Bu78MqVi0dKu5wkkCgAWgIIgRhJEACEdOIQsAIYSIgqETjggpW1nAQanSCjmBEQhoqtkQAQJA2IFICqAACiCZE9VMidEROwGRAYk4YMKIAJIjETVEEIIJoDkAhhSJgqhuMhwpTYYErLANAgQCOQ2NSCiAQSIhCAhhYioFiAoMSs="},
    {"A", kSchemaA, {"3", "Muhammad Ali", "", "m", "NA", "33"}, "IAoDCgCCAYEiIIKQABiBBAgiCoRAAIIAEESjaEbSAEIAioiEokEIgUKiEQmHAiEAiEogiAAAshCBIAZEBgBYChIgLWcqQBSkgApQizIOCgGAICiC0IKgCgoA0yRGiAIAAIhJqCoQIAAEEAEBASDC0wQDEAEIAGUAAACABsgUACo="},
    {"B", kSchemaB, {"al", "Lahore"}, "iFTEKeBLawCR8FC0MIAIBG1EHIMBSpgsQHcDEEZwqEIImAgmwERPwFmgQBoEwDoIt0wQATAQNhBJ4YIAY2BAKQ=="},
    {"B", kSchemaB, {"Zainab", "Quetta"}, "WAjYAZIH4mBAgQkaAhKGEBEwhIGidmRhYIBGJopggIEesQIkGpacpGCRPMg0RAUMBniQBgYo+MgpAJAEKwGCGA=="},
    {"C", kSchemaC, {"عائشہ"}, "QAIAIAASTAABAEJAAAKQBQAUABgAgAAICAAEAEIAgIAAQAACAASAgACAiCCQEgIOABAASCAAAYBJAABIDQAQAIAAAAhAAQBAECCwAQRBAEAhAwAEQgAAgUAgBgAAKAAAgAQEKAERAAkJQIAAAQAQgwwAACAAEAAAAEAYAABAAAIgCAIghQAQBOKQAQEAAAAgIOAAEACIgAAAAIBEACAEgAAkAAAASABAEAAEEAVAAACAABBQAQgEAAGAAAIAIAAQAEBCEICBAQACAAQQEAAAEAAAJACACgQAAQQBgEAAAFAABUAAQCACgAAGEAgAghAEIABEBAAAECAAAECBACCBBQ=="},
    {"C", kSchemaC, {"Ayeşa"}, "ABQAgAAAAJAABkRDAAEIAACCIIAAAAAAAEEAAACQQASgAAAgAFIwsQAAiABGAgBAIgYIZAAAAABBgEIACAAAAAAAICAgAAggAEQIkQAgAABAAAAIQACAAAAEEAgQKABFAQAAAAEABBAAABIIAEAAABgQAEAgIEUUEBAIBIIIEhgAIQEAAYIAgKIAAACACEAAAAAAAAAIAUAADEeIQQAAAUMAAAAgBAiCEBgGhBAAAkAEwYAEABAAIBJxAQEAQAAAACAkAABCQgAGAAAqAAEAAAAABKEgBEgQDAAAAAIIBQAEAAAAAAAQADQBABIIDgIAIgAgAAAkBAAEAAEhAKBABg=="},
    {"S-off", kSchemaSoff, {"code11"}, "EAAAAAAAAAA="},
    {"S-on", kSchemaSon, {"code11"}, "ECBAgQIECAA="},
};

TEST(ClkEncoder, ReproducesReferenceVectorsForFeaturesBeyondThePublishedOnes) {
  for (const ReferenceVector& vector : kReferenceVectors) {
    SCOPED_TRACE(vector.name);
    const ClkSchema schema = parseClkSchema(schemas::JsonNode::parseText(vector.schema, vector.name));
    const ClkEncoder encoder(schema, asciiSecret("secret"));
    for (const bool cacheTokens : {true, false}) {
      ClkWorkspace workspace = encoder.makeWorkspace(cacheTokens);
      const std::vector<std::string_view> values(vector.record.begin(), vector.record.end());
      BloomFilter clk;
      const ClkEncodeResult result = encoder.encode(values, workspace, clk);
      ASSERT_TRUE(result.ok) << result.reason;
      EXPECT_EQ(clk.bits(), schema.clk.l);
      EXPECT_EQ(clk.toBase64(), vector.expectedBase64) << "record starting " << vector.record[0];
      // Twice through the same workspace (cache warm): same answer.
      ASSERT_TRUE(encoder.encode(values, workspace, clk).ok);
      EXPECT_EQ(clk.toBase64(), vector.expectedBase64);
    }
  }
}

TEST(ClkEncoder, SingularityPreventionIsWhatSpreadsTheBits) {
  // The S vectors above, seen through their popcounts.
  for (const ReferenceVector& vector : kReferenceVectors) {
    const std::string name = vector.name;
    if (name != "S-off" && name != "S-on") continue;
    const auto filter = BloomFilter::fromBase64(vector.expectedBase64);
    ASSERT_TRUE(filter.has_value());
    EXPECT_EQ(filter->popcount(), name == "S-off" ? 1U : 8U) << name;
  }
}

TEST(ClkEncoder, MissingValueWithoutReplacementIsTokenisedAsTheSentinel) {
  // clkhash replaces the sentinel by itself when replaceWith is absent; for a
  // numeric comparison that text is not a number (clkhash crashes; we report).
  const ClkSchema schema = parseClkSchema(schemas::JsonNode::parseText(R"json({"version": 3,
    "clkConfig": {"l": 64, "kdf": {"type": "HKDF"}},
    "features": [{"identifier": "age", "format": {"type": "integer"},
      "hashing": {"comparison": {"type": "numeric", "thresholdDistance": 5, "resolution": 2},
                  "strategy": {"bitsPerToken": 2}, "missingValue": {"sentinel": "NA"}}}]})json", "inline"));
  const ClkEncoder encoder(schema, asciiSecret("secret"));
  ClkWorkspace workspace = encoder.makeWorkspace();
  BloomFilter clk;
  const std::vector<std::string_view> missing = {"NA"};
  const ClkEncodeResult result = encoder.encode(missing, workspace, clk);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.reason.find("not a number"), std::string::npos) << result.reason;
}

}  // namespace
}  // namespace nser::linkage
