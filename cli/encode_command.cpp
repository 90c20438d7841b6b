// `nser encode`: a CSV of identities to privacy-preserving encodings, at the
// custodian. Streams any size of input; rows that cannot be encoded go to a
// quarantine file with their line number and reason (never dropped silently).
#include <chrono>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <thread>
#include <vector>
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
             {"threads"}, {"allow-short-secret", false}, {"quiet", false}});
  if (parsed.positionals().size() != 1) throw UsageError("expected exactly one input CSV file");
  const std::string input = parsed.positionals().front();
  const std::string output = parsed.required("out");
  const std::string format = parsed.valueOr("format", "nser");
  if (format != "nser" && format != "clkhash-json") {
    throw UsageError("option '--format' must be 'nser' or 'clkhash-json', got '" + format + "'");
  }
  const auto epoch = static_cast<std::uint32_t>(parsed.integerOr("key-epoch", 1, 0, UINT32_MAX));
  const bool quiet = parsed.has("quiet");
  const auto threads = static_cast<unsigned>(parsed.integerOr("threads", 1, 1, 256));
  const bool interactive = isatty(STDERR_FILENO) != 0;

  linkage::LinkageSecret secret =
      linkage::LinkageSecret::loadFromFile(parsed.required("secret-file"), epoch, parsed.has("allow-short-secret"));
  linkage::RecordEncoder encoder(linkage::loadLinkageSchema(parsed.required("schema")), secret);

  std::ifstream in(input, std::ios::binary);
  if (!in) throw std::runtime_error(input + ": cannot open input");
  linkage::CsvReader reader(in);
  std::vector<std::string> headerRow;
  if (reader.next(headerRow) != linkage::CsvStatus::Record) throw std::runtime_error(input + ": no header row");
  const linkage::ColumnBinding binding = encoder.bind(headerRow);

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

  // Rows are read in batches; `threads` workers encode a batch (row i by
  // worker i % threads, each with its own workspace), then the batch is
  // written and quarantined in input order. Encoding is deterministic per
  // row, so the output is byte-identical whatever the thread count.
  struct Slot {
    std::vector<std::string> row;
    linkage::CsvStatus status = linkage::CsvStatus::Record;
    std::uint64_t line = 0;
    std::string malformedReason;
    linkage::EncodeOutcome outcome;
    linkage::EncodedRecord record;
  };
  const std::size_t batchSize = threads == 1 ? 1 : 2048;
  std::vector<Slot> batch(batchSize);
  std::vector<linkage::EncoderWorkspace> workspaces;
  for (unsigned t = 0; t < threads; ++t) workspaces.push_back(encoder.makeWorkspace());
  auto encodeSlots = [&](unsigned worker, std::size_t filled) {
    for (std::size_t i = worker; i < filled; i += threads) {
      Slot& slot = batch[i];
      if (slot.status != linkage::CsvStatus::Record) continue;
      slot.outcome = encoder.encodeRow(slot.row, binding, slot.line, workspaces[worker], slot.record);
    }
  };
  EncodeCounts counts;
  const auto start = Clock::now();
  auto lastProgress = start;
  for (bool more = true; more;) {
    std::size_t filled = 0;
    while (filled < batchSize) {
      Slot& slot = batch[filled];
      slot.status = reader.next(slot.row);
      if (slot.status == linkage::CsvStatus::End) {
        more = false;
        break;
      }
      slot.line = reader.lineNumber();
      if (slot.status == linkage::CsvStatus::Malformed) slot.malformedReason = reader.reason();
      ++filled;
    }
    if (threads == 1 || filled < 2) {
      encodeSlots(0, filled);
      for (unsigned t = 1; t < threads; ++t) encodeSlots(t, filled);
    } else {
      std::vector<std::thread> workers;
      for (unsigned t = 1; t < threads; ++t) workers.emplace_back(encodeSlots, t, filled);
      encodeSlots(0, filled);
      for (auto& worker : workers) worker.join();
    }
    for (std::size_t i = 0; i < filled; ++i) {
      const Slot& slot = batch[i];
      ++counts.rows;
      if (slot.status == linkage::CsvStatus::Malformed) {
        quarantine.add(slot.line, "", "malformed CSV: " + slot.malformedReason);
        ++counts.quarantined;
        continue;
      }
      if (!slot.outcome.ok) {
        const std::string id = binding.id && *binding.id < slot.row.size() ? slot.row[*binding.id] : "";
        quarantine.add(slot.line, id, slot.outcome.reason);
        ++counts.quarantined;
        continue;
      }
      if (nserWriter) {
        nserWriter->write(slot.record);
      } else {
        jsonWriter->add(linkage::BloomFilter::fromWords(slot.record.clk));
      }
      ++counts.encoded;
    }
    if (!quiet && filled > 0 && (batchSize > 1 || (counts.rows & 0x3FFF) == 0)) {
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
      "  --threads N              encode with N threads (default 1); the output is the same\n"
      "                           bytes, in input order, whatever N\n"
      "  --allow-short-secret     accept a secret under 16 bytes (compatibility tests only)\n"
      "  --quiet                  no progress line\n";
  command.run = runEncode;
  return command;
}

}  // namespace nser::cli
