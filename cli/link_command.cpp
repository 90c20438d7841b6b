// `nser link`: offline linkage of two or more sources (CSV identity files,
// encoded here, or encoding files from `nser encode`), writing matched pairs
// and entity clusters.
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <mutex>
#include <ostream>
#include <thread>
#include <unordered_map>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "linkage/batch_linker.h"
#include "linkage/csv_reader.h"
#include "linkage/encoding_file.h"
#include "linkage/record_encoder.h"

namespace nser::cli {

namespace {

using Clock = std::chrono::steady_clock;

bool isEncodingFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  in.read(magic, sizeof(magic));
  return in && std::string(magic, sizeof(magic)) == "NSERENC1";
}

std::string sourceNameOf(const std::string& path) { return std::filesystem::path(path).stem().string(); }

std::string csvQuote(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

struct QuarantineLog {
  explicit QuarantineLog(std::string p) : path(std::move(p)) {}
  void add(const std::string& source, std::uint64_t line, const std::string& id, const std::string& reason) {
    if (!out.is_open()) {
      out.open(path, std::ios::trunc);
      if (!out) throw std::runtime_error(path + ": cannot create quarantine file");
      out << "source,line,record_id,reason\n";
    }
    out << csvQuote(source) << ',' << line << ',' << csvQuote(id) << ',' << csvQuote(reason) << '\n';
    ++count;
  }
  std::string path;
  std::ofstream out;
  std::uint64_t count = 0;
};

// Reads and encodes one CSV source, `threads` workers over chunks of rows.
// `keepClk` false drops each record's CLK as it is read: only CLK blocking
// (hamming_lsh) uses it, and it is a third of a record's memory.
linkage::LinkSource encodeCsv(const std::string& path, const linkage::RecordEncoder& encoder, unsigned threads,
                              bool keepClk, QuarantineLog& quarantine, std::ostream& err, bool interactive) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open input");
  linkage::CsvReader reader(in);
  std::vector<std::string> header;
  if (reader.next(header) != linkage::CsvStatus::Record) throw std::runtime_error(path + ": no header row");
  const linkage::ColumnBinding binding = encoder.bind(header);
  linkage::LinkSource source{sourceNameOf(path), {}};

  constexpr std::size_t kChunk = 16384;
  std::vector<std::vector<std::string>> rows(kChunk);
  std::vector<std::uint64_t> lines(kChunk);
  std::vector<linkage::EncodedRecord> encoded(kChunk);
  std::vector<linkage::EncodeOutcome> outcomes(kChunk);
  std::vector<linkage::EncoderWorkspace> workspaces;
  for (unsigned t = 0; t < threads; ++t) workspaces.push_back(encoder.makeWorkspace());
  bool done = false;
  while (!done) {
    std::size_t filled = 0;
    while (filled < kChunk) {
      const linkage::CsvStatus status = reader.next(rows[filled]);
      if (status == linkage::CsvStatus::End) {
        done = true;
        break;
      }
      if (status == linkage::CsvStatus::Malformed) {
        quarantine.add(source.name, reader.lineNumber(), "", "malformed CSV: " + reader.reason());
        continue;
      }
      lines[filled++] = reader.lineNumber();
    }
    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (std::size_t i = t; i < filled; i += threads) {
          outcomes[i] = encoder.encodeRow(rows[i], binding, lines[i], workspaces[t], encoded[i]);
        }
      });
    }
    for (auto& worker : workers) worker.join();
    for (std::size_t i = 0; i < filled; ++i) {
      if (outcomes[i].ok) {
        if (!keepClk) linkage::FilterWords().swap(encoded[i].clk);
        source.records.push_back(std::move(encoded[i]));
      } else {
        const std::string id = binding.id && *binding.id < rows[i].size() ? rows[i][*binding.id] : "";
        quarantine.add(source.name, lines[i], id, outcomes[i].reason);
      }
    }
    if (interactive) err << "\rlink: encoding " << source.name << ": " << source.records.size() << " records" << std::flush;
  }
  if (interactive) err << "\n";
  return source;
}

linkage::LinkSource readEncodingFile(const std::string& path, bool keepClk, linkage::EncodingHeader& header) {
  linkage::EncodingFileReader reader(path);
  header = reader.header();
  linkage::LinkSource source{sourceNameOf(path), {}};
  while (auto record = reader.next()) {
    if (!keepClk) linkage::FilterWords().swap(record->clk);
    source.records.push_back(std::move(*record));
  }
  return source;
}

std::string defaultSettingsFor(const std::string& schemaPath) {
  std::filesystem::path path(schemaPath);
  return (path.parent_path() / (path.stem().string() + ".link.json")).string();
}

double peakMemoryMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

int runLink(const std::vector<std::string>& args, CommandIo io) {
  const Arguments parsed = Arguments::parse(
      args, {{"schema"}, {"secret-file"}, {"key-epoch"}, {"allow-short-secret", false}, {"settings"}, {"out"},
             {"clusters"}, {"model"}, {"threshold"}, {"threads"}, {"explain", true, true}, {"guidance", false},
             {"quiet", false}});
  const auto& inputs = parsed.positionals();
  if (inputs.size() < 2) throw UsageError("expected at least two input files");
  if (!parsed.has("out") && !parsed.has("clusters")) throw UsageError("give --out and/or --clusters");
  if (parsed.has("out") && inputs.size() != 2) throw UsageError("--out (pairs) needs exactly two sources; use --clusters");
  if (parsed.all("explain").size() != 0 && parsed.all("explain").size() != 2) {
    throw UsageError("--explain takes two record ids: --explain A_ID --explain B_ID");
  }
  const unsigned threads = static_cast<unsigned>(
      parsed.integerOr("threads", std::max(1u, std::thread::hardware_concurrency()), 1, 256));
  const bool interactive = isatty(STDERR_FILENO) != 0 && !parsed.has("quiet");
  const auto start = Clock::now();

  // 1. Settings, then the encodings: CSV inputs are encoded here (needs schema and secret); encoding files are read.
  std::string settingsPath = parsed.valueOr("settings", parsed.has("schema") ? defaultSettingsFor(parsed.required("schema")) : "");
  if (settingsPath.empty()) throw UsageError("encoding-file inputs need --settings");
  linkage::LinkSettings settings = linkage::loadLinkSettings(settingsPath);
  settings.threshold = parsed.realOr("threshold", settings.threshold, 0.0, 1.0);
  const bool keepClk = settings.blocking.usesClk();

  std::vector<linkage::LinkSource> sources;
  std::optional<linkage::EncodingHeader> header;
  std::optional<linkage::RecordEncoder> encoder;
  std::optional<linkage::LinkageSecret> secret;
  const std::string quarantinePath = parsed.valueOr("clusters", parsed.valueOr("out", "link")) + ".quarantine.csv";
  QuarantineLog quarantine(quarantinePath);
  // Encoding files are read up front, `threads` at a time (decoding is CPU
  // bound); CSV inputs are encoded one after the other, each over all threads.
  std::vector<std::optional<linkage::LinkSource>> preread(inputs.size());
  std::vector<linkage::EncodingHeader> prereadHeaders(inputs.size());
  {
    std::vector<std::size_t> encodingInputs;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (isEncodingFile(inputs[i])) encodingInputs.push_back(i);
    }
    std::vector<std::exception_ptr> errors(inputs.size());
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> readers;
    for (std::size_t t = 0; t < std::min<std::size_t>(threads, encodingInputs.size()); ++t) {
      readers.emplace_back([&] {
        for (std::size_t k = next++; k < encodingInputs.size(); k = next++) {
          const std::size_t i = encodingInputs[k];
          try {
            preread[i] = readEncodingFile(inputs[i], keepClk, prereadHeaders[i]);
          } catch (...) {
            errors[i] = std::current_exception();
          }
        }
      });
    }
    for (auto& reader : readers) reader.join();
    for (const auto& error : errors) {
      if (error) std::rethrow_exception(error);
    }
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string& input = inputs[i];
    linkage::EncodingHeader fileHeader;
    if (preread[i]) {
      sources.push_back(std::move(*preread[i]));
      preread[i].reset();
      fileHeader = prereadHeaders[i];
    } else {
      if (!encoder) {
        if (!parsed.has("schema") || !parsed.has("secret-file")) {
          throw UsageError("CSV input " + input + " needs --schema and --secret-file");
        }
        secret.emplace(linkage::LinkageSecret::loadFromFile(
            parsed.required("secret-file"), static_cast<std::uint32_t>(parsed.integerOr("key-epoch", 1, 0, UINT32_MAX)),
            parsed.has("allow-short-secret")));
        encoder.emplace(linkage::loadLinkageSchema(parsed.required("schema")), *secret);
      }
      fileHeader = encoder->header();
      sources.push_back(encodeCsv(input, *encoder, threads, keepClk, quarantine, io.err, interactive));
    }
    if (header && (header->schemaDigest != fileHeader.schemaDigest || header->keyFingerprint != fileHeader.keyFingerprint ||
                   header->keyEpoch != fileHeader.keyEpoch)) {
      throw std::runtime_error(input + ": encoded with another schema or key than " + inputs.front() +
                               " (schema " + fileHeader.schemaId + ", epoch " + std::to_string(fileHeader.keyEpoch) +
                               "); encodings are only comparable under one schema and key");
    }
    header = fileHeader;
    io.err << "link: " << sources.back().name << ": " << sources.back().records.size() << " records\n";
  }
  if (header->fieldNames.empty()) {
    throw std::runtime_error("the schema " + header->schemaId +
                             " has no field-level filters; nser link needs an nser schema with fieldFilterBits");
  }
  const auto encoded = Clock::now();

  // 2. Model.
  auto progress = [&](const std::string& stage, std::uint64_t done, std::uint64_t total) {
    if (interactive) io.err << "\rlink: " << stage << " " << done << "/" << total << std::flush;
    if (interactive && done == total) io.err << "\n";
  };
  linkage::BatchLinker linker(settings, header->clkBits, header->fieldNames, threads, progress);

  const std::string modelPath = parsed.valueOr("model", "");
  std::optional<linkage::FellegiSunterModel> model;
  linkage::ThresholdGuidance guidance;
  bool trained = false;
  if (!modelPath.empty() && std::filesystem::exists(modelPath)) {
    model.emplace(linkage::FellegiSunterModel::loadFile(modelPath));
    model->bindFields(header->fieldNames);
    io.err << "link: model loaded from " << modelPath << "\n";
  } else {
    model.emplace(linker.train(sources, &guidance));
    trained = true;
    const auto& em = model->training().em;
    if (em) {
      io.err << "link: model trained: EM " << (em->converged ? "converged" : "did NOT converge") << " after "
             << em->iterations << " iterations (last log-likelihood change per pair " << em->finalLogLikelihoodChange
             << ", tolerance " << em->tolerance << ") on " << em->pairs << " candidate pairs; lambda "
             << model->parameters().lambda << "\n";
    }
    if (!modelPath.empty()) {
      std::ofstream out(modelPath, std::ios::trunc);
      out << model->toJson();
      if (!out) throw std::runtime_error(modelPath + ": cannot write model");
      io.err << "link: model written to " << modelPath << "\n";
    }
  }
  if (trained && parsed.has("guidance")) io.out << guidance.format();
  const auto modelled = Clock::now();

  // 3. Link and write.
  linkage::LinkResult result = linker.link(sources, *model);
  const auto linked = Clock::now();
  if (parsed.has("out")) {
    const std::string path = parsed.required("out");
    std::ofstream out(path, std::ios::trunc);
    if (!out) throw std::runtime_error(path + ": cannot create");
    out << "a_id,b_id,score\n" << std::setprecision(6);
    for (const auto& pair : result.pairs) {
      // A pair is reported when its records ended in one entity: the
      // clustering's one-record-per-source rule makes the list one-to-one.
      if (result.clustering.entityOfRecord(pair.a) != result.clustering.entityOfRecord(pair.b)) continue;
      out << csvQuote(sources[pair.a.source].records[pair.a.record].id) << ','
          << csvQuote(sources[pair.b.source].records[pair.b.record].id) << ',' << pair.score << '\n';
    }
    if (!out) throw std::runtime_error(path + ": write failed");
  }
  if (parsed.has("clusters")) {
    const std::string path = parsed.required("clusters");
    std::ofstream out(path, std::ios::trunc);
    if (!out) throw std::runtime_error(path + ": cannot create");
    out << "source,rec_id,entity_id\n";
    for (std::uint32_t s = 0; s < sources.size(); ++s) {
      for (std::uint64_t r = 0; r < sources[s].records.size(); ++r) {
        out << csvQuote(sources[s].name) << ',' << csvQuote(sources[s].records[r].id) << ','
            << result.clustering.entityOfRecord({s, r}) << '\n';
      }
    }
    if (!out) throw std::runtime_error(path + ": write failed");
  }
  // 4. Explanation of one pair, when asked (with the token frequencies of this run).
  if (parsed.all("explain").size() == 2) {
    const std::string& aId = parsed.all("explain")[0];
    const std::string& bId = parsed.all("explain")[1];
    const linkage::EncodedRecord* a = nullptr;
    const linkage::EncodedRecord* b = nullptr;
    for (const auto& source : sources) {
      for (const auto& record : source.records) {
        if (a == nullptr && record.id == aId) a = &record;
        else if (b == nullptr && record.id == bId) b = &record;
      }
    }
    if (a == nullptr || b == nullptr) {
      throw std::runtime_error("--explain: record id " + (a == nullptr ? aId : bId) + " is in none of the inputs");
    }
    io.out << "explain " << aId << " " << bId << "\n" << model->explain(*a, *b, &linker.frequencies()).format();
  }

  const auto finished = Clock::now();
  auto seconds = [](auto from, auto to) { return std::chrono::duration<double>(to - from).count(); };
  io.err << std::fixed << std::setprecision(2) << "link: done: records=" << result.counters.records
         << " quarantined=" << quarantine.count << " candidate_pairs=" << result.counters.candidatePairs
         << " comparisons=" << result.counters.comparisons << " matches=" << result.counters.pairsAboveThreshold << " links_kept=" << result.counters.pairsKept
         << " entities=" << result.clustering.entityCount << " oversize_block_lookups=" << result.counters.oversizeLookups
         << " seconds=" << seconds(start, finished) << " (encode " << seconds(start, encoded) << ", model "
         << seconds(encoded, modelled) << ", link " << seconds(modelled, linked) << ", write "
         << seconds(linked, finished) << ") peak_memory_mib=" << std::setprecision(0) << peakMemoryMiB() << "\n";
  if (quarantine.count > 0) io.err << "link: quarantined rows are listed in " << quarantine.path << "\n";
  return kExitOk;
}

}  // namespace

Command linkCommand() {
  Command command;
  command.name = "link";
  command.summary = "Link two or more sources: block, score (Fellegi-Sunter), cluster into entities";
  command.help =
      "Usage: nser link [--schema S --secret-file K] (--out pairs.csv | --clusters clusters.csv) [options]\n"
      "                 A.csv|A.enc B.csv|B.enc [more ...]\n\n"
      "Links sources on their encodings. CSV inputs are normalised and encoded first (needs the\n"
      "schema and the linkage secret); encoding files from `nser encode` are read as they are.\n"
      "All inputs must share one schema and key. Without a model (or with --model naming a file\n"
      "that does not exist yet) the Fellegi-Sunter model is trained on the data (u from random\n"
      "pairs or from candidate pairs, m and the prior by EM on candidate pairs, as the settings\n"
      "say); the convergence report is printed. Each record's best links (settings:\n"
      "clustering.max_links_per_record) are clustered into entities.\n\n"
      "Options:\n"
      "  --schema FILE          linkage schema (for CSV inputs)\n"
      "  --secret-file FILE     linkage secret (for CSV inputs; mode 0600 or 0400)\n"
      "  --key-epoch N          epoch of the secret (default 1)\n"
      "  --settings FILE        link settings (blocking, comparisons, training, threshold);\n"
      "                         default: <schema>.link.json beside the schema\n"
      "  --out FILE             pairs a_id,b_id,score (exactly two sources; one-to-one)\n"
      "  --clusters FILE        source,rec_id,entity_id for every record\n"
      "  --model FILE           load this model; if the file does not exist, train and write it\n"
      "  --threshold P          match probability a pair must reach (default from settings)\n"
      "  --threads N            worker threads (default: all cores)\n"
      "  --explain A_ID --explain B_ID\n"
      "                         print the per-field weights of one pair\n"
      "  --guidance             print estimated precision/recall per threshold after training\n"
      "  --allow-short-secret   accept a secret under 16 bytes (compatibility tests only)\n"
      "  --quiet                no progress lines\n";
  command.run = runLink;
  return command;
}

}  // namespace nser::cli
