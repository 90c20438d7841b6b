// `nser audit ...`: an auditor's tools over a running hub's audit log
// (docs/audit-format.md, "CLI"). Everything fetched is verified here, against
// a pinned log key where it matters (`verify`, `prove`), never trusted.
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <ostream>
#include <set>
#include <sstream>

#include "audit/audit_entry.h"
#include "audit/checkpoint.h"
#include "audit/log_verifier.h"
#include "audit/merkle_proof.h"
#include "cli/arguments.h"
#include "cli/audit_client.h"
#include "cli/commands.h"
#include "cli/hub_connection.h"

namespace nser::cli {
namespace {

std::vector<OptionSpec> withConnection(std::vector<OptionSpec> specs) {
  for (auto& spec : hubConnectionOptions()) specs.push_back(spec);
  return specs;
}

AuditClient clientFor(const Arguments& parsed) { return AuditClient(connectToHub(parsed)); }

std::string readText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeTextAtomically(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  const auto temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error(temporary + ": cannot write");
  }
  std::filesystem::rename(temporary, path);
}

// The pinned log key: --log-key TEXT or --log-key-file FILE (one line).
std::optional<audit::VerifierKey> pinnedKey(const Arguments& parsed, bool required) {
  std::string text;
  if (parsed.has("log-key")) text = parsed.required("log-key");
  if (parsed.has("log-key-file")) text = readText(parsed.required("log-key-file"));
  if (text.empty()) {
    if (required) throw UsageError("--log-key or --log-key-file is required (the hub's verifier key, pinned)");
    return std::nullopt;
  }
  return audit::parseVerifierKey(text);
}

std::string isoTime(std::int64_t millis) {
  return Poco::DateTimeFormatter::format(Poco::Timestamp(millis * 1000), "%Y-%m-%dT%H:%M:%S.%iZ");
}

// Unix milliseconds, or an ISO 8601 date/time.
std::int64_t parseTime(const std::string& text, const std::string& option) {
  if (!text.empty() && text.find_first_not_of("-0123456789") == std::string::npos && text.find('-', 1) == std::string::npos) {
    return std::stoll(text);
  }
  int zone = 0;
  Poco::DateTime parsed;
  if (!Poco::DateTimeParser::tryParse(text, parsed, zone)) {
    throw UsageError("--" + option + " must be unix milliseconds or an ISO 8601 date/time");
  }
  return parsed.timestamp().epochMicroseconds() / 1000 - static_cast<std::int64_t>(zone) * 1000;
}

std::string entryLine(const audit::FetchedEntry& entry) {
  std::string json;
  try {
    json = audit::auditEntryToJson(audit::decodeAuditEntry(entry.bytes));
  } catch (const audit::AuditEntryError& e) {
    Poco::JSON::Object error;
    error.set("undecodable", e.what());
    std::ostringstream text;
    error.stringify(text);
    json = text.str();
  }
  return R"({"index":)" + std::to_string(entry.index) + R"(,"leaf_hash":")" +
         audit::hashToBase64(audit::leafHash(entry.bytes)) + R"(","entry":)" + json + "}";
}

std::string csvField(const std::string& value) {
  if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
  std::string quoted = "\"";
  for (const char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

int runCheckpoint(const std::vector<std::string>& args, CommandIo io) {
  const auto parsed = Arguments::parse(args, withConnection({{"publish", false}}));
  auto client = clientFor(parsed);
  io.out << (parsed.has("publish") ? client.publishCheckpoint() : client.checkpoint());
  return kExitOk;
}

int runKey(const std::vector<std::string>& args, CommandIo io) {
  const auto parsed = Arguments::parse(args, withConnection({}));
  io.out << clientFor(parsed).verifierKey() << "\n";
  return kExitOk;
}

int runEntries(const std::vector<std::string>& args, CommandIo io) {
  const auto parsed = Arguments::parse(args, withConnection({{"start"}, {"end"}}));
  auto client = clientFor(parsed);
  const auto start = static_cast<std::uint64_t>(parsed.integerOr("start", 0, 0, INT64_MAX));
  std::uint64_t end = 0;
  if (parsed.has("end")) {
    end = static_cast<std::uint64_t>(parsed.integerOr("end", 0, 0, INT64_MAX));
  } else {
    end = audit::parseCheckpoint(audit::parseNote(client.checkpoint()).body).size;
  }
  for (const auto& entry : client.entries(start, end)) io.out << entryLine(entry) << "\n";
  return kExitOk;
}

int runProve(const std::vector<std::string>& args, CommandIo io) {
  const auto parsed = Arguments::parse(
      args, withConnection({{"index"}, {"hash"}, {"size"}, {"first"}, {"second"}, {"first-root"}, {"log-key"}, {"log-key-file"}}));
  auto client = clientFor(parsed);
  const auto key = pinnedKey(parsed, false);
  const std::string note = client.checkpoint();
  audit::Checkpoint checkpoint;
  if (key) {
    checkpoint = audit::openCheckpoint(note, *key).checkpoint;
  } else {
    checkpoint = audit::parseCheckpoint(audit::parseNote(note).body);
    io.err << "nser audit: warning: no --log-key, the checkpoint's signature was not checked\n";
  }
  if (parsed.has("first")) {
    const auto first = static_cast<std::uint64_t>(parsed.integerOr("first", 0, 1, INT64_MAX));
    const auto second = static_cast<std::uint64_t>(
        parsed.integerOr("second", static_cast<std::int64_t>(checkpoint.size), 1, INT64_MAX));
    if (second != checkpoint.size) throw UsageError("--second must be the current checkpoint's size for now");
    const auto proof = client.consistencyProof(first, second);
    // The root at `first` must be the auditor's own (from a checkpoint they kept): --first-root.
    if (parsed.has("first-root")) {
      const auto firstRoot = audit::hashFromBase64(parsed.required("first-root"));
      if (!firstRoot) throw UsageError("--first-root must be a base64 root hash");
      try {
        audit::verifyConsistency(first, second, proof, *firstRoot, checkpoint.root);
      } catch (const audit::ProofError& e) {
        io.err << "nser audit: the log of size " << second << " is NOT consistent with root "
               << parsed.required("first-root") << " at size " << first << ": " << e.what() << "\n";
        return kExitFailure;
      }
      io.out << "the checkpoint of size " << second << " is consistent with the root you gave for size " << first
             << "\n";
    }
    io.out << "consistency proof from " << first << " to " << second << ": " << proof.size() << " hashes\n";
    for (const auto& hash : proof) io.out << "  " << audit::hashToBase64(hash) << "\n";
    return kExitOk;
  }
  std::string selector;
  if (parsed.has("index") == parsed.has("hash")) throw UsageError("give --index N or --hash H (or --first for consistency)");
  if (parsed.has("index")) selector = "index=" + std::to_string(parsed.integerOr("index", 0, 0, INT64_MAX));
  if (parsed.has("hash")) {
    std::string encoded;
    Poco::URI::encode(parsed.required("hash"), "+/=&?#", encoded);
    selector = "hash=" + encoded;
  }
  const auto size = static_cast<std::uint64_t>(
      parsed.integerOr("size", static_cast<std::int64_t>(checkpoint.size), 1, INT64_MAX));
  if (size != checkpoint.size) throw UsageError("--size must be the current checkpoint's size");
  const auto inclusion = client.inclusionProof(selector, size);
  // Hash the entry ourselves rather than take the hub's word for its leaf hash.
  const auto entries = client.entries(inclusion.index, inclusion.index + 1);
  if (entries.size() != 1) {
    io.err << "nser audit: entry " << inclusion.index << " is missing\n";
    return kExitFailure;
  }
  const auto leaf = audit::leafHash(entries[0].bytes);
  try {
    audit::verifyInclusion(inclusion.index, size, leaf, inclusion.proof, checkpoint.root);
  } catch (const audit::ProofError& e) {
    io.err << "nser audit: entry " << inclusion.index << " is NOT included in the checkpoint of size " << size << ": "
           << e.what() << "\n";
    return kExitFailure;
  }
  io.out << "entry " << inclusion.index << " is included in the " << (key ? "signed " : "")
         << "checkpoint of size " << size << " (root " << audit::hashToBase64(checkpoint.root) << ")\n"
         << entryLine(entries[0]) << "\n";
  return kExitOk;
}

// Pages of this many entries: small enough that fetching the first (which
// nothing overlaps) is short, large enough that requests are few.
constexpr std::uint64_t kVerifyPage = 50'000;

int runVerify(const std::vector<std::string>& args, CommandIo io) {
  const auto parsed = Arguments::parse(args, withConnection({{"log-key"}, {"log-key-file"}, {"state"}}));
  const auto key = *pinnedKey(parsed, true);
  auto client = clientFor(parsed);
  const auto started = std::chrono::steady_clock::now();
  const std::string note = client.checkpoint();
  std::optional<std::string> previousNote;
  std::optional<std::filesystem::path> stateFile;
  if (parsed.has("state")) {
    stateFile = std::filesystem::path(parsed.required("state")) / "verified-checkpoint";
    if (std::filesystem::exists(*stateFile)) previousNote = readText(*stateFile);
  }
  // Size from the note as sent; the verifier checks its signature before relying on anything else.
  std::uint64_t size = 0;
  try {
    size = audit::parseCheckpoint(audit::parseNote(note).body).size;
  } catch (const std::exception& e) {
    io.err << "nser audit verify: FAILED: malformed checkpoint: " << e.what() << "\n";
    return kExitFailure;
  }
  std::optional<std::vector<audit::Hash>> consistencyProof;
  if (previousNote) {
    const auto previous = audit::parseCheckpoint(audit::parseNote(*previousNote).body);
    if (previous.size > 0 && previous.size < size) {
      try {
        consistencyProof = client.consistencyProof(previous.size, size);
      } catch (const AuditClientError& e) {
        io.err << "nser audit verify: FAILED: split view: no consistency proof from the saved size " << previous.size
               << " (" << e.what() << ")\n";
        return kExitFailure;
      }
    }
  }
  audit::LogVerifier verifier(note, key, previousNote);
  // The next page is fetched on another thread while this one is verified, so
  // the hub's reading and sending overlaps the hashing; one request at a time.
  auto fetch = [&client, size](std::uint64_t from) {
    return std::async(std::launch::async,
                      [&client, from, size] { return client.entryPage(from, std::min(size, from + kVerifyPage)); });
  };
  std::future<std::string> next;
  if (!verifier.failed() && size > 0) next = fetch(0);
  for (std::uint64_t from = 0; next.valid();) {
    const std::string page = next.get();
    from += kVerifyPage;
    if (from < size) next = fetch(from);
    forEachBundleEntry(page, [&verifier](const BundleEntry& entry) {
      verifier.add(entry.index, entry.bytes, entry.leafHash);
    });
    if (verifier.failed()) break;
  }
  if (next.valid()) next.wait();  // the client must be idle before it is destroyed
  const auto result = verifier.finish(consistencyProof);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!result.ok) {
    io.err << "nser audit verify: FAILED: " << result.problem << "\n";
    return kExitFailure;
  }
  if (stateFile) writeTextAtomically(*stateFile, note);
  io.out << "verified " << result.entriesChecked << " entries against the checkpoint of size "
         << result.checkpoint.size << " signed by " << key.name << " (root "
         << audit::hashToBase64(result.checkpoint.root) << ")";
  if (previousNote) io.out << "; consistent with the saved checkpoint";
  io.out << " in " << seconds << " s\n";
  return kExitOk;
}

std::string searchQuery(const Arguments& parsed) {
  std::string query = "limit=" + std::to_string(parsed.integerOr("limit", 100, 1, 10000));
  for (const char* field : {"programme", "custodian", "entity", "purpose", "decision"}) {
    if (!parsed.has(field)) continue;
    std::string encoded;
    Poco::URI::encode(parsed.required(field), "&=+?#/", encoded);
    query += std::string("&") + field + "=" + encoded;
  }
  if (parsed.has("from")) query += "&from=" + std::to_string(parseTime(parsed.required("from"), "from"));
  if (parsed.has("to")) query += "&to=" + std::to_string(parseTime(parsed.required("to"), "to"));
  return query;
}

const std::vector<OptionSpec> kSearchOptions = {{"programme"}, {"custodian"}, {"entity"}, {"purpose"},
                                                {"decision"},  {"from"},      {"to"},     {"limit"}};

int runSearch(const std::vector<std::string>& args, CommandIo io) {
  const auto parsed = Arguments::parse(args, withConnection(kSearchOptions));
  auto client = clientFor(parsed);
  for (const auto& entry : client.search(searchQuery(parsed))) io.out << entryLine(entry) << "\n";
  return kExitOk;
}

int runExport(const std::vector<std::string>& args, CommandIo io) {
  const auto parsed = Arguments::parse(args, withConnection({{"format"}, {"out"}, {"start"}, {"end"}}));
  const std::string format = parsed.valueOr("format", "jsonl");
  if (format != "jsonl" && format != "csv") throw UsageError("--format must be jsonl or csv");
  auto client = clientFor(parsed);
  const auto start = static_cast<std::uint64_t>(parsed.integerOr("start", 0, 0, INT64_MAX));
  std::uint64_t end = audit::parseCheckpoint(audit::parseNote(client.checkpoint()).body).size;
  if (parsed.has("end")) end = std::min<std::uint64_t>(end, static_cast<std::uint64_t>(parsed.integerOr("end", 0, 0, INT64_MAX)));
  std::ofstream file;
  if (parsed.has("out")) {
    file.open(parsed.required("out"), std::ios::binary | std::ios::trunc);
    if (!file) throw std::runtime_error(parsed.required("out") + ": cannot write");
  }
  std::ostream& out = parsed.has("out") ? static_cast<std::ostream&>(file) : io.out;
  if (format == "csv") out << "index,leaf_hash,time,kind,actor,programme,custodian,entity,purpose,decision,details\n";
  std::size_t count = 0;
  for (const auto& entry : client.entries(start, end)) {
    ++count;
    if (format == "jsonl") {
      out << entryLine(entry) << "\n";
      continue;
    }
    const auto decoded = audit::decodeAuditEntry(entry.bytes);
    out << entry.index << "," << audit::hashToBase64(audit::leafHash(entry.bytes)) << ","
        << isoTime(decoded.timeMillis) << "," << csvField(decoded.kind) << "," << csvField(decoded.actor) << ","
        << csvField(decoded.programme) << "," << csvField(decoded.custodian) << "," << csvField(decoded.entity) << ","
        << csvField(decoded.purpose) << "," << csvField(decoded.decision) << "," << csvField(decoded.details) << "\n";
  }
  if (parsed.has("out")) io.err << "exported " << count << " entries to " << parsed.required("out") << "\n";
  return kExitOk;
}

// The legal basis of a decision: the agreements and consents its details name.
std::string basisOf(const audit::AuditEntry& entry) {
  std::set<std::string> grounds;
  try {
    Poco::JSON::Parser parser;
    const auto details = parser.parse(entry.details).extract<Poco::JSON::Object::Ptr>();
    const auto attributes = details->getArray("attributes");
    for (std::size_t i = 0; attributes && i < attributes->size(); ++i) {
      const auto item = attributes->getObject(static_cast<unsigned>(i));
      if (item->has("agreement_id")) grounds.insert("agreement " + item->getValue<std::string>("agreement_id"));
      if (item->has("consent_id")) grounds.insert("consent " + item->getValue<std::string>("consent_id"));
    }
    for (const char* key : {"agreement_id", "consent_id"}) {
      if (details->has(key)) grounds.insert(std::string(key).substr(0, std::string(key).find('_')) + " " +
                                            details->getValue<std::string>(key));
    }
  } catch (const std::exception&) {
  }
  std::string text;
  for (const auto& ground : grounds) text += (text.empty() ? "" : "; ") + ground;
  return text.empty() ? "-" : text;
}

int runSubjectReport(const std::vector<std::string>& args, CommandIo io) {
  const auto parsed = Arguments::parse(args, withConnection({{"entity"}, {"from"}, {"to"}, {"json", false}}));
  const std::string entity = parsed.required("entity");
  auto client = clientFor(parsed);
  std::string encoded;
  Poco::URI::encode(entity, "&=+?#/", encoded);
  std::string query = "limit=10000&entity=" + encoded;
  if (parsed.has("from")) query += "&from=" + std::to_string(parseTime(parsed.required("from"), "from"));
  if (parsed.has("to")) query += "&to=" + std::to_string(parseTime(parsed.required("to"), "to"));
  const auto hits = client.search(query);
  if (parsed.has("json")) {
    for (const auto& entry : hits) io.out << entryLine(entry) << "\n";
    return kExitOk;
  }
  io.out << "Accesses to entity " << entity << " recorded in the audit log: " << hits.size() << "\n";
  for (const auto& hit : hits) {
    const auto entry = audit::decodeAuditEntry(hit.bytes);
    io.out << "#" << hit.index << "  " << isoTime(entry.timeMillis) << "  " << entry.kind << "  by "
           << (entry.actor.empty() ? "-" : entry.actor);
    if (!entry.programme.empty()) io.out << " (programme " << entry.programme << ")";
    if (!entry.custodian.empty()) io.out << "  custodian " << entry.custodian;
    io.out << "  purpose " << (entry.purpose.empty() ? "-" : entry.purpose) << "  basis " << basisOf(entry)
           << "  decision " << (entry.decision.empty() ? "-" : entry.decision) << "\n";
  }
  return kExitOk;
}

}  // namespace

Command auditCommand() {
  Command command;
  command.name = "audit";
  command.summary = "Audit a hub: checkpoints, entries, proofs, full verification, search, export, subject reports";
  command.help =
      "Usage: nser audit checkpoint [--publish]     the latest signed checkpoint (with cosignatures)\n"
      "       nser audit key                        the hub's checkpoint verifier key (pin it once)\n"
      "       nser audit entries [--start N] [--end M]             entries as JSON lines\n"
      "       nser audit prove (--index N | --hash H) [--log-key K | --log-key-file F]\n"
      "       nser audit prove --first N [--first-root R]   consistency proof to the current checkpoint\n"
      "       nser audit verify (--log-key K | --log-key-file F) [--state DIR]\n"
      "       nser audit search [--programme P] [--custodian C] [--entity E] [--purpose U]\n"
      "                         [--decision D] [--from T] [--to T] [--limit N]\n"
      "       nser audit export [--format jsonl|csv] [--out FILE] [--start N] [--end M]\n"
      "       nser audit subject-report --entity E [--from T] [--to T] [--json]\n\n"
      "verify fetches the checkpoint and every entry, recomputes the Merkle root, checks the\n"
      "signature against the pinned key and, with --state, consistency with the checkpoint it\n"
      "verified last time (saved in DIR/verified-checkpoint on success). It names what is\n"
      "wrong: a missing or altered entry, a bad signature, a root mismatch, a split view.\n"
      "Times T are unix milliseconds or ISO 8601. Connection options as for `nser admin`:\n"
      "  --hub https://HOST:PORT --cert FILE --key FILE --ca FILE (or $NSER_HUB_URL, $NSER_CERT,\n"
      "  $NSER_KEY, $NSER_CA), as a party with the auditor or admin role.\n";
  command.run = [](const std::vector<std::string>& args, CommandIo io) {
    if (args.empty()) {
      throw UsageError("nser audit needs an action: checkpoint, key, entries, prove, verify, search, export, subject-report");
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    try {
      if (args.front() == "checkpoint") return runCheckpoint(rest, io);
      if (args.front() == "key") return runKey(rest, io);
      if (args.front() == "entries") return runEntries(rest, io);
      if (args.front() == "prove") return runProve(rest, io);
      if (args.front() == "verify") return runVerify(rest, io);
      if (args.front() == "search") return runSearch(rest, io);
      if (args.front() == "export") return runExport(rest, io);
      if (args.front() == "subject-report") return runSubjectReport(rest, io);
    } catch (const UsageError&) {
      throw;
    } catch (const std::exception& e) {
      io.err << "nser audit: " << e.what() << "\n";
      return kExitFailure;
    }
    throw UsageError("unknown audit action '" + args.front() + "'");
  };
  return command;
}

}  // namespace nser::cli
