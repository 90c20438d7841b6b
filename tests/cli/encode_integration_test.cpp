// Runs the real `nser synth` and `nser encode`.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <set>

#include "linkage/csv_reader.h"
#include "linkage/encoding_file.h"
#include "tests/support/process_harness.h"
#include "tests/support/temp_dir.h"

namespace nser::testing {
namespace {

const std::string kSchema = std::string(NSER_SOURCE_DIR) + "/schemas/linkage/nser-person-v1.json";

std::string writeSecret(const TempDir& dir, mode_t mode = 0600) {
  auto path = (dir / "linkage.key").string();
  writeFile(path, "integration-test linkage secret, fixed so runs are repeatable\n");
  chmod(path.c_str(), mode);
  return path;
}

ProcessResult nser(const std::vector<std::string>& args) { return runProcess(NSER_BINARY, args, std::chrono::minutes(5)); }

// Every identifying value of a synthetic CSV that must never appear in an encoding.
std::set<std::string> plaintextValues(const std::string& csvPath) {
  std::ifstream in(csvPath);
  linkage::CsvReader reader(in);
  std::vector<std::string> row;
  reader.next(row);
  linkage::CsvHeader header(row);
  std::set<std::string> values;
  auto add = [&](const std::string& value, std::size_t minLength) {
    if (value.size() >= minLength) values.insert(value);
  };
  while (reader.next(row) == linkage::CsvStatus::Record) {
    for (const char* column : {"name", "relation_name"}) {
      const std::string& text = row[*header.find(column)];
      add(text, 5);
      std::string token;
      for (char c : text + " ") {
        if (c == ' ') {
          add(token, 5);
          std::string lower = token;
          for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          add(lower, 5);
          token.clear();
        } else {
          token += c;
        }
      }
    }
    std::string cnic = row[*header.find("cnic")];
    add(cnic, 13);
    cnic.erase(std::remove(cnic.begin(), cnic.end(), '-'), cnic.end());
    add(cnic, 13);
    add(row[*header.find("dob")], 8);
    add(row[*header.find("phone")], 10);
  }
  return values;
}

// The values of `values` that occur anywhere in `bytes`.
std::vector<std::string> findValues(const std::string& bytes, const std::set<std::string>& values) {
  std::size_t minLength = SIZE_MAX, maxLength = 0;
  for (const auto& v : values) {
    minLength = std::min(minLength, v.size());
    maxLength = std::max(maxLength, v.size());
  }
  std::vector<std::string> found;
  for (std::size_t length = minLength; length <= maxLength; ++length) {
    for (std::size_t i = 0; i + length <= bytes.size(); ++i) {
      std::string candidate = bytes.substr(i, length);
      if (values.count(candidate)) found.push_back(std::move(candidate));
    }
  }
  return found;
}

TEST(NserEncode, EncodesSyntheticDataWithoutAnyPlaintextInTheOutput) {
  TempDir dir;
  ProcessResult synth = nser({"synth", "--people", "400", "--seed", "7", "--out", (dir / "synth").string()});
  ASSERT_EQ(synth.exitCode, 0) << synth.err;
  const std::string input = (dir / "synth" / "nser.csv").string();
  const std::string output = (dir / "nser.enc").string();
  ProcessResult encode = nser({"encode", "--schema", kSchema, "--secret-file", writeSecret(dir), "--out", output, input});
  ASSERT_EQ(encode.exitCode, 0) << encode.err;
  EXPECT_NE(encode.err.find("encode: done: rows="), std::string::npos) << encode.err;
  EXPECT_NE(encode.err.find("records_per_second="), std::string::npos);

  linkage::EncodingFileReader reader(output);
  std::size_t records = 0;
  while (reader.next()) ++records;
  EXPECT_GT(records, 300u);
  EXPECT_NE(encode.err.find("encoded=" + std::to_string(records)), std::string::npos) << encode.err;

  const std::string bytes = readFile(output);
  const std::set<std::string> values = plaintextValues(input);
  ASSERT_GT(values.size(), 500u);
  const std::vector<std::string> leaks = findValues(bytes, values);
  EXPECT_TRUE(leaks.empty()) << leaks.size() << " plaintext values found in the encoding, e.g. one of length "
                             << (leaks.empty() ? 0 : leaks.front().size());
  // The same scan over the input finds its values: the check can fail.
  EXPECT_GT(findValues(readFile(input), values).size(), values.size() / 2);
}

// Threads split each batch of rows; the file (and the quarantine) must be the
// same bytes, in input order, as one thread writes.
TEST(NserEncode, ThreadsGiveByteIdenticalOutput) {
  TempDir dir;
  ProcessResult synth = nser({"synth", "--people", "2500", "--seed", "9", "--out", (dir / "synth").string()});
  ASSERT_EQ(synth.exitCode, 0) << synth.err;
  std::string input = readFile((dir / "synth" / "nser.csv").string());
  // Rows that must be quarantined, spread over batches.
  const std::size_t firstRowEnd = input.find('\n', input.find('\n') + 1);
  input.insert(firstRowEnd + 1, "bad-row,\"unterminated\n");
  input += "also-bad,1\n";
  const std::string inputPath = (dir / "in.csv").string();
  writeFile(inputPath, input);
  const std::string secret = writeSecret(dir);
  auto encodeWith = [&](const std::string& threads) {
    const std::string output = (dir / ("t" + threads + ".enc")).string();
    ProcessResult encode = nser({"encode", "--schema", kSchema, "--secret-file", secret, "--threads", threads,
                                 "--quiet", "--out", output, inputPath});
    EXPECT_EQ(encode.exitCode, 0) << encode.err;
    EXPECT_NE(encode.err.find("quarantined=2 "), std::string::npos) << encode.err;
    return readFile(output) + "\n--quarantine--\n" + readFile(output + ".quarantine.csv");
  };
  const std::string one = encodeWith("1");
  ASSERT_GT(one.size(), 100000u);
  EXPECT_TRUE(one == encodeWith("3")) << "3 threads changed the output";
  EXPECT_TRUE(one == encodeWith("2")) << "2 threads changed the output";
}

TEST(NserEncode, QuarantinesBadRowsWithLineAndReason) {
  TempDir dir;
  const std::string input = (dir / "in.csv").string();
  writeFile(input,
            "rec_id,cnic,name,relation_type,relation_name,gender,dob,district,tehsil,phone\n"
            "r1,35202-1234567-1,Muhammad Ali,s/o,Ahmed Ali,M,1980-02-03,Lahore,Lahore City,03001234567\n"
            "r2,,--,,,F,1990,Lahore,Lahore City,\n"
            "r3,\"unterminated,Ali,s/o,X,M,1980,Lahore,City,0300\n");
  const std::string output = (dir / "out.enc").string();
  ProcessResult encode = nser({"encode", "--schema", kSchema, "--secret-file", writeSecret(dir), "--out", output, input});
  ASSERT_EQ(encode.exitCode, 0) << encode.err;
  EXPECT_NE(encode.err.find("rows=3 encoded=1 quarantined=2"), std::string::npos) << encode.err;
  const std::string quarantine = readFile(output + ".quarantine.csv");
  EXPECT_NE(quarantine.find("3,\"r2\",\"name:"), std::string::npos) << quarantine;
  EXPECT_NE(quarantine.find("4,\"\",\"malformed CSV"), std::string::npos) << quarantine;
}

TEST(NserEncode, ClkhashJsonFormatReproducesPublishedClks) {
  TempDir dir;
  const std::string vectors = std::string(NSER_SHARED_DIR) + "/testvectors/clkhash/";
  const std::string secret = (dir / "secret").string();
  writeFile(secret, "secret");
  chmod(secret.c_str(), 0600);
  const std::string output = (dir / "clks.json").string();
  ProcessResult encode = nser({"encode", "--schema", vectors + "novt_schema.json", "--secret-file", secret,
                               "--allow-short-secret", "--format", "clkhash-json", "--out", output,
                               vectors + "ncvr_numrec_5000_modrec_2_ocp_20_myp_1_nump_10.csv"});
  ASSERT_EQ(encode.exitCode, 0) << encode.err;
  EXPECT_EQ(readFile(output), readFile(vectors + "anonlink-client_novt_clk_1.json")) << "byte for byte";
}

TEST(NserEncode, RefusesASecretOthersCanRead) {
  TempDir dir;
  writeFile(dir / "in.csv", "rec_id,name\n");
  ProcessResult encode = nser({"encode", "--schema", kSchema, "--secret-file", writeSecret(dir, 0644), "--out",
                               (dir / "o").string(), (dir / "in.csv").string()});
  EXPECT_EQ(encode.exitCode, 1);
  EXPECT_NE(encode.err.find("accessible by group or others"), std::string::npos) << encode.err;
  EXPECT_EQ(encode.err.find("integration-test linkage secret"), std::string::npos);
}

TEST(NserEncode, MissingColumnsAreNamed) {
  TempDir dir;
  writeFile(dir / "in.csv", "rec_id,name,gender\nr1,Ali,M\n");
  ProcessResult encode = nser({"encode", "--schema", kSchema, "--secret-file", writeSecret(dir), "--out",
                               (dir / "o").string(), (dir / "in.csv").string()});
  EXPECT_EQ(encode.exitCode, 1);
  EXPECT_NE(encode.err.find("lacks the column(s)"), std::string::npos) << encode.err;
  EXPECT_NE(encode.err.find("cnic"), std::string::npos);
}

}  // namespace
}  // namespace nser::testing
