// HttpsClientPool: keep-alive mutual-TLS clients to one endpoint, shared by
// many request threads (an HttpsClient is single-threaded). A caller borrows
// a client for one exchange and gives it back; the pool grows to the number
// of concurrent callers and keeps at most `maxIdle` idle connections.
//
// Idle clients are lent out in turn (least recently returned first) and a
// client idle for longer than `idleLimit` is closed instead of lent. Lent
// last-in-first-out, the clients deep in the pool sat idle until Poco's
// client (8 s) or the server (10-15 s) gave up on them, so the first burst
// that reached them paid a TLS handshake for each, at the moment the cores
// were busiest. In turn, every pooled connection stays warm while the load
// uses the pool, and the pool shrinks to what a lighter load needs.
//
//   auto response = pool.with([&](HttpsClient& c) { return c.postJson(path, body); });
//
// A client whose exchange threw is dropped, not returned (its connection is
// in an unknown state). Thread-safe.
#pragma once

#include <Poco/Net/Context.h>

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "service/https_client.h"

namespace nser::service {

class HttpsClientPool {
 public:
  HttpsClientPool(std::string host, std::uint16_t port, Poco::Net::Context::Ptr context,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30), std::size_t maxIdle = 32,
                  std::chrono::milliseconds idleLimit = std::chrono::seconds(5));

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
  std::chrono::milliseconds idleLimit_;
  std::mutex mutex_;
  struct IdleClient {
    std::unique_ptr<HttpsClient> client;
    std::chrono::steady_clock::time_point returnedAt;
  };
  std::deque<IdleClient> idle_;  // oldest return first
};

}  // namespace nser::service
