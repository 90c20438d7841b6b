// LinkSettings: everything `nser link` (and the hub's resolver) needs besides
// the encodings: blocking strategies, the comparisons of the Fellegi-Sunter
// model, how to train it, the match threshold and the clustering rule. One
// JSON document, `nser-link-settings` version 1 (docs/link-settings.md;
// the default for the nser-person-v1 schema is
// schemas/linkage/nser-person-v1.link.json).
//
// Loading validates everything; errors are schemas::DocumentError naming the
// file and key path. Immutable after loading.
#pragma once

#include <cstdint>
#include <string>

#include "linkage/blocking_config.h"
#include "linkage/comparison_vector.h"
#include "linkage/fellegi_sunter.h"

namespace nser::linkage {

struct LinkSettings {
  BlockingConfig blocking;
  ComparisonSettings comparisons;
  TrainingOptions training;
  // EM trains on all candidate pairs of a deterministic sample of query
  // records, sized to give about this many pairs.
  std::uint64_t emSamplePairs = 2'000'000;
  double threshold = 0.9;      // match probability a pair must reach
  double minLinkShare = 0.5;   // clustering support rule (entity_clustering.h)
  // Best links kept per record towards each other source before clustering
  // (batch_linker.h); bounds memory by records instead of candidate pairs.
  std::uint32_t maxLinksPerRecord = 3;
};

LinkSettings loadLinkSettings(const std::string& path);
LinkSettings parseLinkSettings(const schemas::JsonNode& root);

}  // namespace nser::linkage
