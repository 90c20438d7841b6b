// SecureBuffer: a fixed-size buffer for secret key material in libsodium's
// guarded heap (sodium_malloc: guard pages around it, mlock'd and excluded
// from core dumps where the platform allows). The bytes are wiped when the
// buffer is freed. Move-only; never copied.
#pragma once

#include <sodium.h>

#include <cstddef>
#include <utility>

#include "pki/pki_error.h"

namespace nser::pki {

class SecureBuffer {
 public:
  SecureBuffer() = default;
  explicit SecureBuffer(std::size_t size) : data_(static_cast<unsigned char*>(sodium_malloc(size))), size_(size) {
    if (data_ == nullptr) throw PkiError("sodium_malloc: cannot allocate secure memory for a key");
  }
  ~SecureBuffer() { reset(); }
  SecureBuffer(SecureBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  SecureBuffer& operator=(SecureBuffer&& other) noexcept {
    if (this != &other) {
      reset();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  SecureBuffer(const SecureBuffer&) = delete;
  SecureBuffer& operator=(const SecureBuffer&) = delete;

  unsigned char* data() { return data_; }
  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return data_ == nullptr; }

 private:
  void reset() {
    if (data_ != nullptr) sodium_free(data_);  // sodium_free zeroes before unmapping
    data_ = nullptr;
    size_ = 0;
  }
  unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace nser::pki
