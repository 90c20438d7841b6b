#include "service/https_client_pool.h"

namespace nser::service {

HttpsClientPool::HttpsClientPool(std::string host, std::uint16_t port, Poco::Net::Context::Ptr context,
                                 std::chrono::milliseconds timeout, std::size_t maxIdle)
    : host_(std::move(host)), port_(port), context_(std::move(context)), timeout_(timeout), maxIdle_(maxIdle) {}

std::unique_ptr<HttpsClient> HttpsClientPool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto client = std::move(idle_.back());
      idle_.pop_back();
      return client;
    }
  }
  return std::make_unique<HttpsClient>(host_, port_, context_, timeout_);
}

void HttpsClientPool::release(std::unique_ptr<HttpsClient> client) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < maxIdle_) idle_.push_back(std::move(client));
}

}  // namespace nser::service
