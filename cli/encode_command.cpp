// `nser encode`: a CSV of identities to privacy-preserving encodings, at the
// custodian. Streams any size of input; rows that cannot be encoded go to a
// quarantine file with their line number and reason (never dropped silently).
#include <chrono>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <unistd.h>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "linkage/clk_json.h"
#include "linkage/csv_reader.h"
#include "linkage/encoding_file.h"
#include "linkage/record_encoder.h"

namespace nser::cli {

namespace {

using Clock = std::chrono::steady_clock;

struct EncodeCounts {
  std::uint64_t rows = 0;
  std::uint64_t encoded = 0;
  std::uint64_t quarantined = 0;
};

// Quarantine file: CSV "line,record_id,reason"; the id is the row's id column
// (never an identifier column), empty when the row has none.
class Quarantine {
 public:
  explicit Quarantine(const std::string& path) : path_(path), out_(path, std::ios::trunc) {
    if (!out_) throw std::runtime_error(path + ": cannot create quarantine file");
    out_ << "line,record_id,reason\n";
  }
  void add(std::uint64_t line, const std::string& id, const std::string& reason) {
    out_ << line << ',' << quote(id) << ',' << quote(reason) << '\n';
  }
  void close() {
    out_.flush();
    if (!out_) throw std::runtime_error(path_ + ": write failed");
  }

 private:
  static std::string quote(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
      if (c == '"') out += '"';
      out += c;
    }
    return out + "\"";
  }
  std::string path_;
  std::ofstream out_;
};

void printProgress(std::ostream& err, const EncodeCounts& counts, double seconds, bool final) {
  err << (final ? "" : "\r") << "encode: " << counts.rows << " rows, " << counts.encoded << " encoded, "
      << counts.quarantined << " quarantined, " << std::fixed << std::setprecision(0)
      << (seconds > 0 ? static_cast<double>(counts.rows) / seconds : 0.0) << " rows/s" << (final ? "\n" : "")
      << std::flush;
}

int runEncode(const std::vector<std::string>& args, CommandIo io) {
  const Arguments parsed = Arguments::parse(
      args, {{"schema"}, {"secret-file"}, {"out"}, {"format"}, {"quarantine"}, {"key-epoch"},
             {"allow-short-secret", false}, {"quiet", false}});
  if (parsed.positionals().size() != 1) throw UsageError("expected exactly one input CSV file");
  const std::string input = parsed.positionals().front();
  const std::string output = parsed.required("out");
  const std::string format = parsed.valueOr("format", "nser");
  if (format != "nser" && format != "clkhash-json") {
    throw UsageError("option '--format' must be 'nser' or 'clkhash-json', got '" + format + "'");
  }
  const auto epoch = static_cast<std::uint32_t>(parsed.integerOr("key-epoch", 1, 0, UINT32_MAX));
  const bool quiet = parsed.has("quiet");
  const bool interactive = isatty(STDERR_FILENO) != 0;

  linkage::LinkageSecret secret =
      linkage::LinkageSecret::loadFromFile(parsed.required("secret-file"), epoch, parsed.has("allow-short-secret"));
  linkage::RecordEncoder encoder(linkage::loadLinkageSchema(parsed.required("schema")), secret);

  std::ifstream in(input, std::ios::binary);
  if (!in) throw std::runtime_error(input + ": cannot open input");
  linkage::CsvReader reader(in);
  std::vector<std::string> row;
  if (reader.next(row) != linkage::CsvStatus::Record) throw std::runtime_error(input + ": no header row");
  const linkage::ColumnBinding binding = encoder.bind(row);

  Quarantine quarantine(parsed.valueOr("quarantine", output + ".quarantine.csv"));
  std::unique_ptr<linkage::EncodingFileWriter> nserWriter;
  std::ofstream jsonOut;
  std::unique_ptr<linkage::ClkJsonWriter> jsonWriter;
  if (format == "nser") {
    nserWriter = std::make_unique<linkage::EncodingFileWriter>(output, encoder.header());
  } else {
    jsonOut.open(output, std::ios::binary | std::ios::trunc);
    if (!jsonOut) throw std::runtime_error(output + ": cannot create output");
    jsonWriter = std::make_unique<linkage::ClkJsonWriter>(jsonOut);
  }

  auto workspace = encoder.makeWorkspace();
  linkage::EncodedRecord record;
  EncodeCounts counts;
  const auto start = Clock::now();
  auto lastProgress = start;
  for (;;) {
    const linkage::CsvStatus status = reader.next(row);
    if (status == linkage::CsvStatus::End) break;
    ++counts.rows;
    if (status == linkage::CsvStatus::Malformed) {
      quarantine.add(reader.lineNumber(), "", "malformed CSV: " + reader.reason());
      ++counts.quarantined;
      continue;
    }
    linkage::EncodeOutcome outcome = encoder.encodeRow(row, binding, reader.lineNumber(), workspace, record);
    if (!outcome.ok) {
      const std::string id = binding.id && *binding.id < row.size() ? row[*binding.id] : "";
      quarantine.add(reader.lineNumber(), id, outcome.reason);
      ++counts.quarantined;
      continue;
    }
    if (nserWriter) {
      nserWriter->write(record);
    } else {
      jsonWriter->add(linkage::BloomFilter::fromWords(record.clk));
    }
    ++counts.encoded;
    if (!quiet && (counts.rows & 0x3FFF) == 0) {
      const auto now = Clock::now();
      if (now - lastProgress > std::chrono::seconds(1)) {
        lastProgress = now;
        if (interactive) printProgress(io.err, counts, std::chrono::duration<double>(now - start).count(), false);
      }
    }
  }
  if (nserWriter) nserWriter->finish();
  if (jsonWriter) {
    jsonWriter->finish();
    jsonOut.flush();
    if (!jsonOut) throw std::runtime_error(output + ": write failed");
  }
  quarantine.close();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (interactive && !quiet) io.err << "\n";
  io.err << "encode: done: rows=" << counts.rows << " encoded=" << counts.encoded
         << " quarantined=" << counts.quarantined << " seconds=" << std::fixed << std::setprecision(3) << seconds
         << " records_per_second=" << std::setprecision(0)
         << (seconds > 0 ? static_cast<double>(counts.rows) / seconds : 0.0) << " schema=" << encoder.header().schemaId
         << " key_epoch=" << encoder.header().keyEpoch << " hardening=" << encoder.header().hardening << "\n";
  return kExitOk;
}

}  // namespace

Command encodeCommand() {
  Command command;
  command.name = "encode";
  command.summary = "Encode identities from a CSV into keyed Bloom filters and tokens (runs at the custodian)";
  command.help =
      "Usage: nser encode --schema SCHEMA.json --secret-file KEY --out OUT [options] IN.csv\n\n"
      "Normalises and encodes every row of IN.csv under a linkage schema (clkhash v3, optionally\n"
      "with the NSER extension: docs/linkage-schema.md) and the linkage secret. Plaintext never\n"
      "reaches OUT: it holds the record id, keyed Bloom filters and keyed tokens only.\n"
      "Rows that cannot be encoded go to the quarantine file with their line and the reason.\n\n"
      "Options:\n"
      "  --schema FILE            linkage schema (JSON)\n"
      "  --secret-file FILE       linkage secret; must be mode 0600 or 0400\n"
      "  --key-epoch N            epoch of that secret (default 1)\n"
      "  --out FILE               output file\n"
      "  --format nser|clkhash-json\n"
      "                           nser: the binary encoding file (docs/encoding-format.md, default);\n"
      "                           clkhash-json: {\"clks\": [...]} as clkhash writes it\n"
      "  --quarantine FILE        rejected rows (default OUT.quarantine.csv)\n"
      "  --allow-short-secret     accept a secret under 16 bytes (compatibility tests only)\n"
      "  --quiet                  no progress line\n";
  command.run = runEncode;
  return command;
}

}  // namespace nser::cli
