#include "linkage/link_settings.h"

namespace nser::linkage {

LinkSettings loadLinkSettings(const std::string& path) { return parseLinkSettings(schemas::JsonNode::parseFile(path)); }

LinkSettings parseLinkSettings(const schemas::JsonNode& root) {
  root.rejectUnknownKeys({"format", "version", "blocking", "comparisons", "training", "threshold", "clustering"});
  if (root.field("format").asString() != "nser-link-settings") {
    root.field("format").fail("expected \"nser-link-settings\"");
  }
  root.field("version").asInt(1, 1);
  LinkSettings settings;
  settings.blocking = parseBlockingConfig(root.field("blocking"));
  settings.comparisons = ComparisonSettings::fromJson(root.field("comparisons"));
  if (auto training = root.optionalField("training")) {
    training->rejectUnknownKeys(
        {"u_pairs", "seed", "em_max_iterations", "em_tolerance", "em_sample_pairs", "em_update_u", "initial_lambda",
         "anchor", "u_source"});
    settings.training.u.pairs = static_cast<std::uint64_t>(training->intOr("u_pairs", 1'000'000, 1000, 1'000'000'000));
    settings.training.u.seed = static_cast<std::uint64_t>(training->intOr("seed", 1, 0, INT64_MAX));
    settings.training.em.maxIterations = static_cast<int>(training->intOr("em_max_iterations", 200, 1, 100000));
    settings.training.em.tolerance = training->numberOr("em_tolerance", 1e-9, 0.0, 1.0);
    settings.training.em.updateU = training->boolOr("em_update_u", false);
    settings.training.initialLambda = training->numberOr("initial_lambda", 0.1, 1e-6, 0.999999);
    if (auto anchor = training->optionalField("anchor")) {
      const std::string name = anchor->asString();
      const auto& comparisons = settings.comparisons.comparisons();
      for (std::size_t c = 0; c < comparisons.size(); ++c) {
        if (comparisons[c].name == name) settings.training.anchorComparison = c;
      }
      if (!settings.training.anchorComparison) anchor->fail("no comparison is named \"" + name + "\"");
    }
    settings.training.uFromCandidates =
        training->has("u_source") &&
        training->field("u_source").asEnum({"random_pairs", "candidates_anchor_disagree"}) == "candidates_anchor_disagree";
    if (settings.training.uFromCandidates && !settings.training.anchorComparison) {
      training->field("u_source").fail("candidates_anchor_disagree needs an \"anchor\"");
    }
    settings.emSamplePairs =
        static_cast<std::uint64_t>(training->intOr("em_sample_pairs", 2'000'000, 1000, 1'000'000'000));
  }
  settings.threshold = root.numberOr("threshold", 0.9, 0.0, 1.0);
  if (auto clustering = root.optionalField("clustering")) {
    clustering->rejectUnknownKeys({"min_link_share", "max_links_per_record"});
    settings.minLinkShare = clustering->numberOr("min_link_share", 0.5, 0.0, 1.0);
    settings.maxLinksPerRecord = static_cast<std::uint32_t>(clustering->intOr("max_links_per_record", 3, 1, 1000));
  }
  return settings;
}

}  // namespace nser::linkage
