#include "hub/model_lifecycle.h"

#include <Poco/JSON/Object.h>

#include <sstream>

#include "linkage/batch_linker.h"
#include "schemas/json_document.h"
#include "service/http_error.h"
#include "service/logging.h"

namespace nser::hub {
namespace {

constexpr std::string_view kCandidateKey = "candidate_model";
constexpr std::string_view kAdoptedKey = "model";

Poco::JSON::Object::Ptr summary(const linkage::FellegiSunterModel& model) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("lambda", model.parameters().lambda);
  object->set("comparisons", model.comparisons().size());
  if (const auto& em = model.training().em) {
    object->set("em_iterations", em->iterations);
    object->set("em_converged", em->converged);
    object->set("em_pairs", em->pairs);
  }
  return object;
}

Poco::JSON::Object::Ptr reportJson(const ReresolutionReport& r) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("records", r.records);
  object->set("entities_before", r.entitiesBefore);
  object->set("entities_after", r.entitiesAfter);
  object->set("links_before", r.linksBefore);
  object->set("links_after", r.linksAfter);
  object->set("records_moved", r.recordsMoved);
  object->set("entities_created", r.entitiesCreated);
  object->set("merges", r.merges);
  object->set("splits", r.splits);
  object->set("entities_retired", r.retired);
  object->set("candidates_scored", r.candidatesScored);
  return object;
}

std::string text(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

linkage::FellegiSunterModel parseModel(const std::string& json, const linkage::EncodingHeader& shape) {
  auto model = linkage::FellegiSunterModel::fromJson(schemas::JsonNode::parseText(json, "stored model"));
  model.bindFields(shape.fieldNames);
  return model;
}

}  // namespace

ModelLifecycle::ModelLifecycle(IngestService& ingest) : ingest_(ingest) {}

std::string ModelLifecycle::retrain() {
  std::lock_guard lock(mutex_);
  const EntityIndex* index = ingest_.index();
  if (index == nullptr) throw service::HttpError(409, "nothing_to_train_on", "the hub holds no records yet");
  // Training reads a snapshot of the records; ingest continues meanwhile.
  std::vector<linkage::LinkSource> sources;
  for (auto& [custodian, records] : index->recordsByCustodian()) {
    sources.push_back({"custodian-" + std::to_string(custodian), std::move(records)});
  }
  if (sources.size() < 2) {
    throw service::HttpError(409, "nothing_to_train_on", "training needs records of at least two custodians");
  }
  const auto& shape = index->shape();
  linkage::BatchLinker linker(ingest_.settings(), shape.clkBits, shape.fieldNames, 2);
  linkage::FellegiSunterModel candidate = linker.train(sources);
  candidate.bindFields(shape.fieldNames);
  sources.clear();

  ReresolutionReport report;
  ingest_.exclusive([&](EntityIndex* live, HubStore& store) {
    report = live->reresolve(candidate, nullptr);
    auto batch = store.batch();
    batch.put(Family::Meta, kCandidateKey, candidate.toJson());
    store.commit(batch, true);
  });
  service::logEvent(Poco::Logger::get("hub.model"), Poco::Message::PRIO_NOTICE, "candidate model trained",
                    {{"records", std::to_string(report.records)},
                     {"entities_after", std::to_string(report.entitiesAfter)},
                     {"records_moved", std::to_string(report.recordsMoved)}});
  Poco::JSON::Object out;
  out.set("candidate", summary(candidate));
  out.set("current", summary(index->model()));
  out.set("comparison", reportJson(report));
  return text(out);
}

std::string ModelLifecycle::switchToCandidate() {
  std::lock_guard lock(mutex_);
  ReresolutionReport report;
  Poco::JSON::Object::Ptr adopted;
  ingest_.exclusive([&](EntityIndex* live, HubStore& store) {
    const auto stored = store.get(Family::Meta, kCandidateKey);
    if (live == nullptr || !stored) {
      throw service::HttpError(409, "no_candidate_model", "no candidate model is waiting; retrain first");
    }
    const auto candidate = parseModel(*stored, live->shape());
    auto batch = store.batch();
    report = live->reresolve(candidate, &batch);
    batch.put(Family::Meta, kAdoptedKey, *stored);
    batch.erase(Family::Meta, kCandidateKey);
    store.commit(batch, true);
    adopted = summary(candidate);
  });
  service::logEvent(Poco::Logger::get("hub.model"), Poco::Message::PRIO_NOTICE, "switched to the candidate model",
                    {{"records_moved", std::to_string(report.recordsMoved)},
                     {"merges", std::to_string(report.merges)},
                     {"splits", std::to_string(report.splits)}});
  Poco::JSON::Object out;
  out.set("model", adopted);
  out.set("result", reportJson(report));
  return text(out);
}

std::string ModelLifecycle::describe() {
  Poco::JSON::Object out;
  ingest_.exclusive([&](EntityIndex* live, HubStore& store) {
    if (live == nullptr) return;
    out.set("current", summary(live->model()));
    if (const auto stored = store.get(Family::Meta, kCandidateKey)) {
      out.set("candidate", summary(parseModel(*stored, live->shape())));
    }
  });
  return text(out);
}

}  // namespace nser::hub
