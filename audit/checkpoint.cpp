#include "audit/checkpoint.h"

#include <charconv>

namespace nser::audit {

std::string formatCheckpoint(const Checkpoint& checkpoint) {
  std::string body = checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
                     hashToBase64(checkpoint.root) + "\n";
  for (const auto& extension : checkpoint.extensions) body += extension + "\n";
  return body;
}

Checkpoint parseCheckpoint(std::string_view body) {
  std::vector<std::string_view> lines;
  if (body.empty() || body.back() != '\n') throw CheckpointError("checkpoint: body must end with a newline");
  while (!body.empty()) {
    const auto end = body.find('\n');
    lines.push_back(body.substr(0, end));
    body.remove_prefix(end + 1);
  }
  if (lines.size() < 3) throw CheckpointError("checkpoint: expected origin, size and root lines");
  Checkpoint checkpoint;
  checkpoint.origin = std::string(lines[0]);
  if (checkpoint.origin.empty()) throw CheckpointError("checkpoint: line 1 (origin) is empty");
  const auto sizeLine = lines[1];
  const auto [end, error] = std::from_chars(sizeLine.data(), sizeLine.data() + sizeLine.size(), checkpoint.size);
  if (error != std::errc() || end != sizeLine.data() + sizeLine.size() || sizeLine.empty() ||
      (sizeLine.size() > 1 && sizeLine[0] == '0')) {
    throw CheckpointError("checkpoint: line 2 (tree size) is not a decimal number");
  }
  const auto root = hashFromBase64(lines[2]);
  if (!root) throw CheckpointError("checkpoint: line 3 (root hash) is not base64 of 32 bytes");
  checkpoint.root = *root;
  for (std::size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) throw CheckpointError("checkpoint: line " + std::to_string(i + 1) + " is empty");
    checkpoint.extensions.emplace_back(lines[i]);
  }
  return checkpoint;
}

std::string signCheckpoint(const Checkpoint& checkpoint, const pki::SigningKey& key) {
  SignedNote note;
  note.body = formatCheckpoint(checkpoint);
  note.signatures.push_back(signNote(note.body, checkpoint.origin, key));
  return formatNote(note);
}

VerifiedCheckpoint openCheckpoint(std::string_view noteText, const VerifierKey& logKey) {
  VerifiedCheckpoint result;
  try {
    result.note = parseNote(noteText);
  } catch (const NoteError& e) {
    throw CheckpointError(std::string("checkpoint: ") + e.what());
  }
  if (!verifyNote(result.note, logKey)) {
    throw CheckpointError("checkpoint signature invalid: no valid signature by the pinned key '" + logKey.name + "'");
  }
  result.checkpoint = parseCheckpoint(result.note.body);
  if (result.checkpoint.origin != logKey.name) {
    throw CheckpointError("checkpoint origin '" + result.checkpoint.origin + "' is not the pinned log '" +
                          logKey.name + "'");
  }
  return result;
}

}  // namespace nser::audit
