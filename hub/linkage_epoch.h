// Key epochs of the linkage secret and the hub's state during a rotation
// (docs/key-rotation.md).
//
// Encodings made under different linkage secrets cannot be compared, so the
// hub holds exactly one "current" epoch at a time. A rotation first prepares
// a "next" epoch: batches at the next epoch are then accepted and their
// encodings kept beside the current ones (StagedEncoding, family
// NextEncodings) without touching resolution, until the switch makes them
// current. KeyEpochs is persisted as JSON under the meta key
// kKeyEpochsKey; once stored it overrides the configuration's key_epoch.
#pragma once

#include <cereal/archives/portable_binary.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "linkage/encoded_record.h"

namespace nser::hub {

inline constexpr std::string_view kKeyEpochsKey = "linkage_epochs";

struct KeyEpochs {
  std::uint32_t current = 1;
  std::string currentFingerprint;  // empty: not checked
  std::uint32_t next = 0;          // 0: no rotation prepared
  std::string nextFingerprint;     // empty: not checked
  std::string preparedAt;          // UTC timestamp of the prepare
  std::string preparedBy;          // admin party that prepared it

  bool rotating() const { return next != 0; }
  // The fingerprint pinned for `epoch` (current or next), empty when none.
  const std::string& fingerprintOf(std::uint32_t epoch) const {
    return epoch == next && rotating() ? nextFingerprint : currentFingerprint;
  }
  bool accepts(std::uint32_t epoch) const { return epoch == current || (rotating() && epoch == next); }

  std::string toJson() const;
  // Throws StoreError when the stored document is malformed.
  static KeyEpochs fromJson(std::string_view json);
};

// The next-epoch encoding of one record, staged during a rotation.
// `dirty`: the record has no current-epoch encoding made from the same data
// (it is new, or changed after it was first re-encoded), so the switch
// re-scores it instead of keeping its links.
struct StagedEncoding {
  std::uint32_t custodian = 0;
  bool dirty = false;
  linkage::EncodedRecord encoding;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(custodian, dirty, encoding);
  }
};

}  // namespace nser::hub
