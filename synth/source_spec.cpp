#include "synth/source_spec.h"

#include <algorithm>
#include <set>

#include "schemas/json_document.h"

namespace nser::synth {

std::vector<SourceSpec> defaultSources() {
  std::vector<SourceSpec> sources;
  SourceSpec nser;
  nser.name = "nser";
  nser.registry = true;
  nser.coverage = 0.97;
  nser.corruptionScale = 0.25;
  sources.push_back(nser);
  const std::pair<const char*, const char*> provincial[] = {
      {"punjab", "Punjab"}, {"sindh", "Sindh"}, {"kp", "Khyber Pakhtunkhwa"}, {"balochistan", "Balochistan"}};
  for (const auto& [name, province] : provincial) {
    SourceSpec s;
    s.name = name;
    s.provinces = {province};
    s.pmtMax = 45;
    s.coverage = 0.6;
    sources.push_back(s);
  }
  SourceSpec kafaalat;
  kafaalat.name = "kafaalat";
  kafaalat.pmtMax = 32;
  kafaalat.pmtMaxDisability = 37;
  kafaalat.coverage = 0.85;
  kafaalat.members = MemberFilter::kWomen;
  sources.push_back(kafaalat);
  return sources;
}

std::string_view memberFilterName(MemberFilter filter) {
  switch (filter) {
    case MemberFilter::kAll:
      return "all";
    case MemberFilter::kWomen:
      return "women";
    case MemberFilter::kChildren:
      return "children";
    case MemberFilter::kHeads:
      return "heads";
  }
  return "all";
}

std::vector<SourceSpec> loadSources(const std::string& path, const std::vector<std::string>& knownProvinces) {
  const schemas::JsonNode root = schemas::JsonNode::parseFile(path);
  root.rejectUnknownKeys({"format", "sources"});
  if (root.has("format") && root.field("format").asString() != "nser-synth-sources/1")
    root.field("format").fail("expected \"nser-synth-sources/1\"");
  const std::vector<schemas::JsonNode> items = root.field("sources").asArray();
  if (items.empty()) root.field("sources").fail("must list at least one source");
  if (items.size() > 32) root.field("sources").fail("at most 32 sources");
  std::vector<SourceSpec> sources;
  std::set<std::string> names;
  int registries = 0;
  for (const schemas::JsonNode& item : items) {
    item.rejectUnknownKeys({"name", "registry", "provinces", "pmt_min", "pmt_max", "pmt_max_disability", "coverage",
                            "members", "profile", "corruption_scale"});
    SourceSpec s;
    const schemas::JsonNode nameNode = item.field("name");
    s.name = nameNode.asString();
    const bool wellFormed = !s.name.empty() && s.name.size() <= 32 &&
                            std::all_of(s.name.begin(), s.name.end(), [](char c) {
                              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
                            });
    if (!wellFormed) nameNode.fail("must be 1-32 characters of a-z, 0-9 and _");
    if (s.name == "truth" || s.name == "stats") nameNode.fail("'" + s.name + "' is reserved for an output file");
    if (!names.insert(s.name).second) nameNode.fail("duplicate source name '" + s.name + "'");
    s.registry = item.boolOr("registry", false);
    if (s.registry && ++registries > 1) item.field("registry").fail("only one source may be the registry");
    if (const auto provinces = item.optionalField("provinces")) {
      for (const schemas::JsonNode& p : provinces->asArray()) {
        const std::string province = p.asString();
        if (std::find(knownProvinces.begin(), knownProvinces.end(), province) == knownProvinces.end()) {
          std::string known;
          for (const std::string& k : knownProvinces) known += (known.empty() ? "" : ", ") + k;
          p.fail("unknown province (known: " + known + ")");
        }
        s.provinces.push_back(province);
      }
    }
    s.pmtMin = item.numberOr("pmt_min", 0, 0, 100);
    s.pmtMax = item.numberOr("pmt_max", 100, 0, 100);
    if (s.pmtMax < s.pmtMin) item.field("pmt_max").fail("must not be below pmt_min");
    if (item.has("pmt_max_disability")) s.pmtMaxDisability = item.field("pmt_max_disability").asNumber(0, 100);
    s.coverage = item.field("coverage").asNumber(0, 1);
    const std::string members = item.has("members") ? item.field("members").asEnum({"all", "women", "children", "heads"})
                                                    : std::string("all");
    s.members = members == "women"      ? MemberFilter::kWomen
                : members == "children" ? MemberFilter::kChildren
                : members == "heads"    ? MemberFilter::kHeads
                                        : MemberFilter::kAll;
    if (item.has("profile")) s.profile = parseProfile(item.field("profile").asEnum({"clean", "realistic", "hard"}));
    s.corruptionScale = item.numberOr("corruption_scale", 1.0, 0, 10);
    sources.push_back(std::move(s));
  }
  return sources;
}

}  // namespace nser::synth
