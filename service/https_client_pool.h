// HttpsClientPool: keep-alive mutual-TLS clients to one endpoint, shared by
// many request threads (an HttpsClient is single-threaded). A caller borrows
// a client for one exchange and gives it back; the pool grows to the number
// of concurrent callers and keeps at most `maxIdle` idle connections.
//
//   auto response = pool.with([&](HttpsClient& c) { return c.postJson(path, body); });
//
// A client whose exchange threw is dropped, not returned (its connection is
// in an unknown state). Thread-safe.
#pragma once

#include <Poco/Net/Context.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "service/https_client.h"

namespace nser::service {

class HttpsClientPool {
 public:
  HttpsClientPool(std::string host, std::uint16_t port, Poco::Net::Context::Ptr context,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30), std::size_t maxIdle = 32);

  template <class Exchange>
  auto with(Exchange&& exchange) {
    auto client = acquire();
    auto result = exchange(*client);  // a throw drops the client
    release(std::move(client));
    return result;
  }

  std::string endpoint() const { return host_ + ":" + std::to_string(port_); }

 private:
  std::unique_ptr<HttpsClient> acquire();
  void release(std::unique_ptr<HttpsClient> client);

  std::string host_;
  std::uint16_t port_;
  Poco::Net::Context::Ptr context_;
  std::chrono::milliseconds timeout_;
  std::size_t maxIdle_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<HttpsClient>> idle_;
};

}  // namespace nser::service
