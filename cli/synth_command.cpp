// `nser synth`: writes a synthetic population's NSER registry and programme
// extracts, the truth file and stats (see docs/synthetic-data.md).
#include <ostream>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "synth/admin_geography.h"
#include "synth/cnic_allocator.h"
#include "synth/source_spec.h"
#include "synth/synth_run.h"

namespace nser::cli {

Command synthCommand() {
  Command command;
  command.name = "synth";
  command.summary = "Generate a synthetic population, its NSER registry and programme extracts";
  command.help =
      "Usage: nser synth --people N --seed S --out DIR [--profile clean|realistic|hard]\n"
      "                  [--sources FILE] [--admin-codes FILE]\n\n"
      "Generates N people in households placed in Pakistan's districts and tehsils, and\n"
      "writes one CSV per source (the NSER registry and programme extracts, each with its\n"
      "own corruption), truth.csv (source,rec_id,person_id,household_id) and stats.json\n"
      "(records per source, overlap matrix, corruption rates applied) into DIR.\n"
      "Same arguments, byte-identical output; memory does not grow with N.\n\n"
      "Options:\n"
      "  --people N          people to generate (1 to 50000000)\n"
      "  --seed S            seed (0 to 2^63-1)\n"
      "  --out DIR           output directory (created if missing; files are overwritten)\n"
      "  --profile P         corruption profile for sources that do not set one\n"
      "                      (clean, realistic, hard; default realistic)\n"
      "  --sources FILE      sources file (schemas/synth-sources.md); default: nser,\n"
      "                      punjab, sindh, kp, balochistan, kafaalat\n"
      "  --admin-codes FILE  pk_admin_codes.csv; default: $NSER_ADMIN_CODES, then\n"
      "                      ../shared/data/pk_admin_codes.csv and nearby places, then\n"
      "                      the copy in the source tree (synth/data)\n";
  command.run = [](const std::vector<std::string>& args, CommandIo io) {
    const Arguments parsed =
        Arguments::parse(args, {{"people"}, {"seed"}, {"out"}, {"profile"}, {"sources"}, {"admin-codes"}});
    if (!parsed.positionals().empty()) throw UsageError("unexpected argument '" + parsed.positionals().front() + "'");
    synth::SynthOptions options;
    if (!parsed.has("people")) throw UsageError("missing option '--people'");
    if (!parsed.has("seed")) throw UsageError("missing option '--seed'");
    options.people = static_cast<std::uint64_t>(
        parsed.integerOr("people", 0, 1, static_cast<std::int64_t>(synth::CnicAllocator::kMaxPeople)));
    options.seed = static_cast<std::uint64_t>(parsed.integerOr("seed", 0, 0, INT64_MAX));
    options.outDir = parsed.required("out");
    const std::string profile = parsed.valueOr("profile", "realistic");
    const auto parsedProfile = synth::parseProfile(profile);
    if (!parsedProfile) throw UsageError("option '--profile' must be clean, realistic or hard, got '" + profile + "'");
    options.profile = *parsedProfile;

    const std::string adminCodes =
        parsed.has("admin-codes") ? parsed.required("admin-codes") : synth::AdminGeography::locateDefault();
    const synth::AdminGeography geography = synth::AdminGeography::load(adminCodes);
    if (parsed.has("sources")) {
      std::vector<std::string> provinces;
      for (const synth::Province& p : geography.provinces()) provinces.push_back(p.name);
      options.sources = synth::loadSources(parsed.required("sources"), provinces);
    } else {
      options.sources = synth::defaultSources();
    }
    const synth::SynthSummary summary = synth::runSynth(geography, options);
    io.out << "people=" << summary.people << "\nhouseholds=" << summary.households << "\n";
    for (const auto& [name, records] : summary.recordsPerSource) io.out << "records." << name << "=" << records << "\n";
    io.out << "out=" << options.outDir.string() << "\n";
    return kExitOk;
  };
  return command;
}

}  // namespace nser::cli
