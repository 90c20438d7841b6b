// `nser witness`: watches a hub's audit log as a witness (docs/audit-format.md,
// "Witnesses"): fetches the latest checkpoint and a consistency proof from
// the checkpoint it verified last, checks both, cosigns with its own Ed25519
// key (<state>/witness.key) and submits the cosignature to the hub. A split
// view (two checkpoints of one size with different roots, a proof that does
// not verify, or no proof) is reported and never cosigned.
#include <chrono>
#include <ostream>
#include <thread>

#include "audit/checkpoint.h"
#include "audit/cosignature.h"
#include "audit/witness_state.h"
#include "cli/arguments.h"
#include "cli/audit_client.h"
#include "cli/commands.h"
#include "cli/hub_connection.h"

#include <fstream>
#include <sstream>

namespace nser::cli {
namespace {

std::string readKeyText(const Arguments& parsed) {
  if (parsed.has("log-key")) return parsed.required("log-key");
  if (parsed.has("log-key-file")) {
    std::ifstream in(parsed.required("log-key-file"));
    if (!in) throw std::runtime_error(parsed.required("log-key-file") + ": cannot read");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  throw UsageError("--log-key or --log-key-file is required (the hub's verifier key, pinned)");
}

// One round; returns the outcome.
audit::WitnessObservation::Outcome witnessOnce(AuditClient& client, audit::WitnessState& state,
                                               const audit::VerifierKey& logKey, const std::string& name,
                                               const pki::SigningKey& key, const std::string& witnessVerifierKey,
                                               CommandIo io) {
  using Outcome = audit::WitnessObservation::Outcome;
  const std::string note = client.checkpoint();
  std::optional<std::vector<audit::Hash>> proof;
  const auto previous = state.lastCheckpoint();
  std::uint64_t size = 0;
  try {
    size = audit::parseCheckpoint(audit::parseNote(note).body).size;
  } catch (const std::exception&) {
    // observe() reports the malformed checkpoint.
  }
  if (previous && previous->size > 0 && size > previous->size) {
    try {
      proof = client.consistencyProof(previous->size, size);
    } catch (const AuditClientError& e) {
      io.err << "nser witness: the hub gave no consistency proof: " << e.what() << "\n";
    }
  }
  const auto now = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const auto observation = state.observe(note, proof, logKey, name, key, now);
  if (observation.outcome != Outcome::Cosigned) {
    io.err << "nser witness: " << (observation.outcome == Outcome::Invalid ? "INVALID CHECKPOINT" : "SPLIT VIEW")
           << " (" << audit::outcomeName(observation.outcome) << "): " << observation.message << "\n";
    return observation.outcome;
  }
  client.submitCosignature(witnessVerifierKey, observation.checkpoint.size,
                           audit::formatSignatureLine(*observation.cosignature));
  io.out << "cosigned " << logKey.name << " size " << observation.checkpoint.size << " root "
         << audit::hashToBase64(observation.checkpoint.root) << "\n";
  return observation.outcome;
}

}  // namespace

Command witnessCommand() {
  Command command;
  command.name = "witness";
  command.summary = "Witness a hub's audit log: verify each checkpoint's consistency, cosign it, report split views";
  command.help =
      "Usage: nser witness --state DIR --name PARTY (--log-key K | --log-key-file F)\n"
      "                    [--interval-ms N] [--rounds N] [--print-key]\n\n"
      "Each round fetches the hub's latest checkpoint and a consistency proof from the one this\n"
      "witness verified last (kept in DIR/checkpoint), verifies both against the pinned log key,\n"
      "cosigns (C2SP tlog-cosignature v1, key DIR/witness.key, created on first use) and submits\n"
      "the cosignature. Two checkpoints of one size with different roots, a proof that fails or a\n"
      "missing proof is reported as a split view (exit 1) and not cosigned.\n"
      "--rounds N: stop after N rounds (default 1; 0 = until killed); --interval-ms between rounds.\n"
      "--print-key: print this witness's cosignature verifier key and exit.\n"
      "--name is the witness's party id (a custodian's connector or an auditor) on the hub.\n"
      "Connection options as for `nser admin`: --hub --cert --key --ca (or $NSER_HUB_URL, ...).\n";
  command.run = [](const std::vector<std::string>& args, CommandIo io) {
    std::vector<OptionSpec> specs = {{"state"},  {"name"},        {"log-key"}, {"log-key-file"}, {"interval-ms"},
                                     {"rounds"}, {"print-key", false}};
    for (auto& spec : hubConnectionOptions()) specs.push_back(spec);
    const auto parsed = Arguments::parse(args, specs);
    const std::filesystem::path stateDirectory = parsed.required("state");
    const std::string name = parsed.required("name");
    const auto rounds = parsed.integerOr("rounds", 1, 0, INT64_MAX);
    const auto interval = std::chrono::milliseconds(parsed.integerOr("interval-ms", 5000, 10, 86'400'000));
    using Outcome = audit::WitnessObservation::Outcome;
    try {
      const auto key = pki::SigningKey::loadOrCreate(stateDirectory / "witness.key");
      const std::string witnessVerifierKey =
          audit::formatVerifierKey(audit::makeVerifierKey(name, audit::kCosignatureV1Type, key.publicKey()));
      if (parsed.has("print-key")) {
        io.out << witnessVerifierKey << "\n";
        return kExitOk;
      }
      const auto logKey = audit::parseVerifierKey(readKeyText(parsed));
      audit::WitnessState state(stateDirectory);
      AuditClient client(connectToHub(parsed));
      bool failed = false;
      for (std::int64_t round = 0; rounds == 0 || round < rounds; ++round) {
        if (round > 0) std::this_thread::sleep_for(interval);
        try {
          failed = witnessOnce(client, state, logKey, name, key, witnessVerifierKey, io) != Outcome::Cosigned || failed;
        } catch (const AuditClientError& e) {
          io.err << "nser witness: " << e.what() << "\n";
          failed = true;
        }
      }
      return failed ? kExitFailure : kExitOk;
    } catch (const UsageError&) {
      throw;
    } catch (const std::exception& e) {
      io.err << "nser witness: " << e.what() << "\n";
      return kExitFailure;
    }
  };
  return command;
}

}  // namespace nser::cli
