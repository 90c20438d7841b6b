// HubAudit: the hub's audit log and its publication (docs/audit-format.md).
// Owns the Merkle log in <data dir>/audit, the checkpoint signing key in
// <data dir>/keys/checkpoint.key (Ed25519, 0600, generated on first start),
// and a background thread that signs a checkpoint of the log every
// `checkpointInterval` when the log has grown (and on demand). Witnesses'
// cosignatures of recent checkpoints are verified and published with them.
//
// record() blocks until the entry is durable (group commit, audit_log.h) and
// returns its index; recordAll() does the same for several entries at once. Routes (addRoutes): reads for the auditor and admin
// roles; cosignature submission for custodians (connectors) and auditors,
// under their own party id as witness name.
// Thread-safe. stop() ends the publisher and closes the log; idempotent.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_entry.h"
#include "audit/audit_log.h"
#include "audit/checkpoint.h"
#include "audit/signed_note.h"
#include "hub/route_table.h"
#include "pki/signing_key.h"

namespace nser::hub {

struct HubAuditOptions {
  std::filesystem::path dataDirectory;
  std::string origin = "nser-hub";
  std::chrono::milliseconds checkpointInterval{1000};
};

class HubAudit {
 public:
  explicit HubAudit(const HubAuditOptions& options);
  ~HubAudit();
  HubAudit(const HubAudit&) = delete;
  HubAudit& operator=(const HubAudit&) = delete;

  std::uint64_t record(const audit::AuditEntry& entry);
  // Several entries made durable in one group (consecutive indexes); returns
  // the first index. No entries: nothing is written, returns the log's size.
  std::uint64_t recordAll(const std::vector<audit::AuditEntry>& entries);
  void addRoutes(RouteTable& routes);
  void stop();

  // Signs a checkpoint of the current log unless the latest one already
  // covers it; returns the latest signed note with its cosignatures.
  std::string publishCheckpoint();
  std::string verifierKey() const { return audit::formatVerifierKey(verifier_); }
  audit::AuditLog& auditLog() { return *log_; }

 private:
  struct Published {
    audit::Checkpoint checkpoint;
    audit::SignedNote note;  // the log's signature and the witnesses' cosignatures
  };
  void publisherLoop();
  std::string noteText(const Published& published) const;
  void persistLatest();

  HubAuditOptions options_;
  std::unique_ptr<audit::AuditLog> log_;
  pki::SigningKey key_;
  audit::VerifierKey verifier_;

  mutable std::mutex mutex_;
  std::map<std::uint64_t, Published> recent_;  // by tree size, the latest few
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread publisher_;
};

}  // namespace nser::hub
