// `nser eval`: linkage quality of a pairs or clusters file against the truth
// file of `nser synth` (linkage/linkage_evaluation.h).
#include <iomanip>
#include <optional>
#include <ostream>
#include <sstream>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "linkage/linkage_evaluation.h"

namespace nser::cli {

namespace {

std::string fixed6(double value) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(6) << value;
  return os.str();
}

struct Report {
  struct Line {
    std::string key;
    std::string value;
    bool number;
  };
  std::vector<Line> lines;
  void add(const std::string& key, const std::string& text) { lines.push_back({key, text, false}); }
  void add(const std::string& key, std::uint64_t value) { lines.push_back({key, std::to_string(value), true}); }
  void addReal(const std::string& key, double value) { lines.push_back({key, fixed6(value), true}); }

  void print(std::ostream& out, bool json) const {
    if (!json) {
      for (const Line& line : lines) out << line.key << ": " << line.value << "\n";
      return;
    }
    out << "{";
    for (std::size_t i = 0; i < lines.size(); ++i) {
      out << (i == 0 ? "" : ",") << "\"" << lines[i].key << "\":";
      if (lines[i].number) {
        out << lines[i].value;
        continue;
      }
      out << "\"";
      for (char c : lines[i].value) {
        if (c == '"' || c == '\\') {
          out << '\\' << c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
          out << "\\u00" << "0123456789abcdef"[(c >> 4) & 0xF] << "0123456789abcdef"[c & 0xF];
        } else {
          out << c;
        }
      }
      out << "\"";
    }
    out << "}\n";
  }
};

void addPairwise(Report& report, const linkage::PairwiseMetrics& m) {
  report.addReal("pairwise_precision", m.precision());
  report.addReal("pairwise_recall", m.recall());
  report.addReal("pairwise_f1", m.f1());
  report.add("true_positives", m.truePositives);
  report.add("false_positives", m.falsePositives);
  report.add("false_negatives", m.falseNegatives);
}

}  // namespace

Command evalCommand() {
  Command command;
  command.name = "eval";
  command.summary = "Score linkage pairs or clusters against a truth file (pairwise and B-cubed P/R/F1)";
  command.help =
      "Usage: nser eval --truth truth.csv --pairs pairs.csv --a SOURCE --b SOURCE [--threshold T] [--json]\n"
      "       nser eval --truth truth.csv --clusters clusters.csv [--json]\n\n"
      "Compares a linkage result with the truth file written by `nser synth`\n"
      "(header source,rec_id,person_id,household_id) and prints precision, recall\n"
      "and F1 with the counts behind them (true positives, false positives, false\n"
      "negatives, over distinct record pairs).\n\n"
      "  --pairs     pairs.csv (header a_id,b_id,score) linking source A to source B;\n"
      "              scored against every true pair of one A record and one B record\n"
      "  --a, --b    the sources (as named in the truth file) of a_id and b_id\n"
      "  --threshold ignore pairs scoring below T\n"
      "  --clusters  clusters.csv (header source,rec_id,entity_id); also prints\n"
      "              B-cubed precision, recall and F1. Records of the clustered\n"
      "              sources that the file omits count as single-record entities.\n"
      "  --json      print one JSON object instead of 'key: value' lines\n\n"
      "A malformed row or a record missing from the truth fails with the file\n"
      "and line (exit 1).\n";
  command.run = [](const std::vector<std::string>& args, CommandIo io) {
    const Arguments parsed = Arguments::parse(
        args, {{"truth"}, {"pairs"}, {"a"}, {"b"}, {"clusters"}, {"threshold"}, {"json", false}});
    if (!parsed.positionals().empty()) throw UsageError("unexpected argument '" + parsed.positionals().front() + "'");
    const bool pairsMode = parsed.has("pairs");
    if (pairsMode == parsed.has("clusters")) throw UsageError("give exactly one of --pairs and --clusters");
    if (!pairsMode && (parsed.has("a") || parsed.has("b") || parsed.has("threshold"))) {
      throw UsageError("--a, --b and --threshold go with --pairs");
    }
    const std::string truthPath = parsed.required("truth");
    std::optional<double> threshold;
    if (parsed.has("threshold")) threshold = parsed.realOr("threshold", 0.0, -1e300, 1e300);
    std::string sourceA;
    std::string sourceB;
    if (pairsMode) {
      sourceA = parsed.required("a");
      sourceB = parsed.required("b");
    }

    const linkage::TruthIndex truth = linkage::TruthIndex::load(truthPath);
    Report report;
    report.add("truth_records", truth.size());
    if (pairsMode) {
      const linkage::PairFileEvaluation result =
          linkage::evaluatePairsFile(truth, parsed.required("pairs"), sourceA, sourceB, threshold);
      report.add("source_a", sourceA);
      report.add("source_b", sourceB);
      report.add("pair_rows", result.rows);
      if (threshold) report.add("pair_rows_below_threshold", result.rowsBelowThreshold);
      report.add("predicted_pairs", result.distinctPredictedPairs);
      report.add("true_pairs", result.truePairs);
      addPairwise(report, result.metrics);
    } else {
      const linkage::ClusterFileEvaluation result = linkage::evaluateClustersFile(truth, parsed.required("clusters"));
      report.add("cluster_rows", result.rows);
      report.add("records_evaluated", result.evaluation.records);
      report.add("records_not_in_clusters", result.recordsNotAssigned);
      report.add("predicted_entities", result.evaluation.predictedEntities);
      report.add("true_entities", result.evaluation.trueEntities);
      addPairwise(report, result.evaluation.pairwise);
      report.addReal("bcubed_precision", result.evaluation.bcubed.precision);
      report.addReal("bcubed_recall", result.evaluation.bcubed.recall);
      report.addReal("bcubed_f1", result.evaluation.bcubed.f1());
    }
    report.print(io.out, parsed.has("json"));
    return kExitOk;
  };
  return command;
}

}  // namespace nser::cli
