#include "service/https_client_pool.h"

#include <vector>

namespace nser::service {

HttpsClientPool::HttpsClientPool(std::string host, std::uint16_t port, Poco::Net::Context::Ptr context,
                                 std::chrono::milliseconds timeout, std::size_t maxIdle,
                                 std::chrono::milliseconds idleLimit)
    : host_(std::move(host)),
      port_(port),
      context_(std::move(context)),
      timeout_(timeout),
      maxIdle_(maxIdle),
      idleLimit_(idleLimit) {}

std::unique_ptr<HttpsClient> HttpsClientPool::acquire() {
  std::vector<std::unique_ptr<HttpsClient>> expired;  // closed outside the lock
  std::unique_ptr<HttpsClient> client;
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    while (!idle_.empty() && now - idle_.front().returnedAt > idleLimit_) {
      expired.push_back(std::move(idle_.front().client));
      idle_.pop_front();
    }
    if (!idle_.empty()) {
      client = std::move(idle_.front().client);
      idle_.pop_front();
    }
  }
  if (!client) client = std::make_unique<HttpsClient>(host_, port_, context_, timeout_);
  return client;
}

void HttpsClientPool::release(std::unique_ptr<HttpsClient> client) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < maxIdle_) idle_.push_back({std::move(client), std::chrono::steady_clock::now()});
}

}  // namespace nser::service
