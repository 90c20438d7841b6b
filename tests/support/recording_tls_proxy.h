// RecordingTlsProxy: a TLS-terminating proxy for tests that must look at what
// actually crossed a link (e.g. "no plaintext identifier in the connector's
// traffic to the hub").
//
//   client --TLS 1.3--> proxy (server context: a certificate the client
//   trusts) --mutual TLS--> upstream (client context: the certificate the
//   real client would present)
//
// It accepts any number of connections on 127.0.0.1 (port chosen by the
// system unless given), opens one upstream connection per accepted one,
// relays bytes both ways and records every decrypted byte in both
// directions, per connection and in arrival order. The proxy does not parse
// HTTP: it works for any protocol over TLS.
//
//   auto serverSide = service::makeServerTlsContext({hubCert, hubKey, ca, ""});
//   auto upstreamSide = service::makeClientTlsContext({clientCert, clientKey, ca, ""});
//   RecordingTlsProxy proxy(serverSide, upstreamSide, "127.0.0.1", hubPort);
//   proxy.start();  ... point the client at 127.0.0.1:proxy.port() ...
//   proxy.stop();   const std::string all = proxy.captured();
//
// Errors: start() throws Poco::Exception when it cannot listen. A connection
// whose handshake or upstream connect fails is closed and counted in
// failedConnections(); the proxy keeps serving. Thread-safe: the accessors
// may be called while connections are relayed (they return copies).
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace nser::testing {

class RecordingTlsProxy {
 public:
  enum class Direction { ClientToUpstream, UpstreamToClient };
  struct Chunk {
    std::size_t connection = 0;  // 0-based, in accept order
    Direction direction = Direction::ClientToUpstream;
    std::string bytes;
  };

  // `serverContext` faces the clients (its certificate must be trusted by
  // them; if it demands client certificates, clients must present them);
  // `upstreamContext` connects to upstreamHost:upstreamPort, verifying the
  // upstream's certificate for `upstreamHost`.
  RecordingTlsProxy(Poco::Net::Context::Ptr serverContext, Poco::Net::Context::Ptr upstreamContext,
                    std::string upstreamHost, std::uint16_t upstreamPort, std::uint16_t listenPort = 0);
  ~RecordingTlsProxy();
  RecordingTlsProxy(const RecordingTlsProxy&) = delete;
  RecordingTlsProxy& operator=(const RecordingTlsProxy&) = delete;

  void start();
  // Stops accepting, closes every connection and joins the threads. The
  // capture is kept; start() may be called again (the capture accumulates).
  void stop();
  std::uint16_t port() const { return port_; }

  // Every recorded byte, both directions, all connections, in arrival order.
  std::string captured() const;
  std::string captured(Direction direction) const;
  std::vector<Chunk> chunks() const;
  void clear();
  std::size_t connections() const { return accepted_.load(); }
  std::size_t failedConnections() const { return failed_.load(); }

 private:
  struct Impl;
  void acceptLoop();
  void relay(std::size_t index, Poco::Net::StreamSocket client);
  void record(std::size_t connection, Direction direction, const char* data, std::size_t size);

  Poco::Net::Context::Ptr serverContext_;
  Poco::Net::Context::Ptr upstreamContext_;
  std::string upstreamHost_;
  std::uint16_t upstreamPort_;
  std::uint16_t port_;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> running_{false};
  std::atomic<std::size_t> accepted_{0};
  std::atomic<std::size_t> failed_{0};
  std::thread acceptor_;
  std::mutex threadsMutex_;
  std::vector<std::thread> workers_;
  mutable std::mutex captureMutex_;
  std::vector<Chunk> chunks_;
};

}  // namespace nser::testing
