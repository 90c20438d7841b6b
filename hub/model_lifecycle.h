// ModelLifecycle: retraining the hub's Fellegi-Sunter model from the stored
// encodings and switching to it only after seeing what it would change.
//
//   retrain()  trains a candidate model on the records held (the same
//              procedure as `nser link`: u from random pairs, m and the prior
//              by EM on blocked candidate pairs, custodians as sources; at
//              least two custodians must hold records), keeps it (stored, so
//              it survives a restart) and re-resolves every record with it on
//              a copy of the resolver: the report says how many entities,
//              links and record moves the switch would bring;
//   switchToCandidate()  pauses ingest, re-resolves every record with the
//              candidate on the live state (entity ids stay stable where the
//              entities do; merges and splits are recorded as events), makes
//              it the model (stored, so it also replaces the configured model
//              after a restart) and commits everything in one synced write.
// Reports are JSON documents (docs/hub.md, "Model retraining").
//
// Thread-safe (serialised with ingest).
#pragma once

#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "hub/ingest_service.h"

namespace nser::hub {

class ModelLifecycle {
 public:
  explicit ModelLifecycle(IngestService& ingest);

  // Throws service::HttpError 409 when there is nothing to train on.
  std::string retrain();
  // Throws service::HttpError 409 when no candidate is waiting.
  std::string switchToCandidate();
  // The current and (if any) candidate model's training summaries.
  std::string describe();

 private:
  IngestService& ingest_;
  std::mutex mutex_;  // one lifecycle operation at a time
};

}  // namespace nser::hub
