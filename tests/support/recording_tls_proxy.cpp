#include "tests/support/recording_tls_proxy.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>

namespace nser::testing {

struct RecordingTlsProxy::Impl {
  std::unique_ptr<Poco::Net::SecureServerSocket> server;
};

namespace {

void sendAll(Poco::Net::StreamSocket& socket, const char* data, int size) {
  while (size > 0) {
    const int sent = socket.sendBytes(data, size);
    if (sent <= 0) throw Poco::Net::NetException("proxy: send failed");
    data += sent;
    size -= sent;
  }
}

}  // namespace

RecordingTlsProxy::RecordingTlsProxy(Poco::Net::Context::Ptr serverContext, Poco::Net::Context::Ptr upstreamContext,
                                     std::string upstreamHost, std::uint16_t upstreamPort, std::uint16_t listenPort)
    : serverContext_(std::move(serverContext)),
      upstreamContext_(std::move(upstreamContext)),
      upstreamHost_(std::move(upstreamHost)),
      upstreamPort_(upstreamPort),
      port_(listenPort),
      impl_(std::make_unique<Impl>()) {}

RecordingTlsProxy::~RecordingTlsProxy() { stop(); }

void RecordingTlsProxy::start() {
  if (running_) return;
  impl_->server = std::make_unique<Poco::Net::SecureServerSocket>(Poco::Net::SocketAddress("127.0.0.1", port_), 64,
                                                                  serverContext_);
  port_ = impl_->server->address().port();
  running_ = true;
  acceptor_ = std::thread([this] { acceptLoop(); });
}

void RecordingTlsProxy::stop() {
  if (!running_.exchange(false)) return;
  acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(threadsMutex_);
    workers.swap(workers_);
  }
  for (auto& worker : workers) worker.join();
  impl_->server->close();
  impl_->server.reset();
}

void RecordingTlsProxy::acceptLoop() {
  while (running_) {
    try {
      // Poll, so that stop() is noticed within 100 ms.
      if (!impl_->server->poll(Poco::Timespan(0, 100000), Poco::Net::Socket::SELECT_READ)) continue;
      Poco::Net::StreamSocket client = impl_->server->acceptConnection();
      const std::size_t index = accepted_++;
      std::lock_guard lock(threadsMutex_);
      workers_.emplace_back([this, index, client] { relay(index, client); });
    } catch (const Poco::Exception&) {
      ++failed_;
    }
  }
}

void RecordingTlsProxy::relay(std::size_t index, Poco::Net::StreamSocket accepted) {
  try {
    Poco::Net::SecureStreamSocket client(accepted);
    client.completeHandshake();
    Poco::Net::SecureStreamSocket upstream(Poco::Net::SocketAddress(upstreamHost_, upstreamPort_), upstreamHost_,
                                           upstreamContext_);
    upstream.completeHandshake();
    // Short receive timeouts: a TLS record can be readable on the socket yet
    // carry no application data (a session ticket), and a blocked read on
    // one side must not stall the other direction.
    const Poco::Timespan shortWait(0, 50000);
    client.setReceiveTimeout(shortWait);
    upstream.setReceiveTimeout(shortWait);
    char buffer[16384];
    struct Side {
      Poco::Net::SecureStreamSocket& from;
      Poco::Net::SecureStreamSocket& to;
      Direction direction;
    };
    Side sides[] = {{client, upstream, Direction::ClientToUpstream}, {upstream, client, Direction::UpstreamToClient}};
    bool open = true;
    while (open && running_) {
      bool moved = false;
      for (Side& side : sides) {
        if (side.from.available() <= 0 && !side.from.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ)) continue;
        int received = 0;
        try {
          received = side.from.receiveBytes(buffer, sizeof buffer);
        } catch (const Poco::TimeoutException&) {
          continue;  // a record without application data
        }
        if (received <= 0) {
          open = false;
          break;
        }
        record(index, side.direction, buffer, static_cast<std::size_t>(received));
        sendAll(side.to, buffer, received);
        moved = true;
      }
      if (open && !moved) {
        Poco::Net::Socket::SocketList readable{client, upstream}, writable, failed;
        Poco::Net::Socket::select(readable, writable, failed, Poco::Timespan(0, 20000));
      }
    }
    upstream.close();
    client.close();
  } catch (const Poco::Exception&) {
    // A failed handshake, a refused upstream or a peer that went away: the
    // connection ends, the proxy goes on.
    ++failed_;
  }
}

void RecordingTlsProxy::record(std::size_t connection, Direction direction, const char* data, std::size_t size) {
  std::lock_guard lock(captureMutex_);
  // Contiguous bytes of one stream stay one chunk, so a search over chunks
  // finds strings that straddled two TLS records.
  if (!chunks_.empty() && chunks_.back().connection == connection && chunks_.back().direction == direction) {
    chunks_.back().bytes.append(data, size);
    return;
  }
  chunks_.push_back({connection, direction, std::string(data, size)});
}

std::string RecordingTlsProxy::captured() const {
  std::lock_guard lock(captureMutex_);
  std::string all;
  for (const auto& chunk : chunks_) all += chunk.bytes;
  return all;
}

std::string RecordingTlsProxy::captured(Direction direction) const {
  std::lock_guard lock(captureMutex_);
  std::string all;
  for (const auto& chunk : chunks_) {
    if (chunk.direction == direction) all += chunk.bytes;
  }
  return all;
}

std::vector<RecordingTlsProxy::Chunk> RecordingTlsProxy::chunks() const {
  std::lock_guard lock(captureMutex_);
  return chunks_;
}

void RecordingTlsProxy::clear() {
  std::lock_guard lock(captureMutex_);
  chunks_.clear();
}

}  // namespace nser::testing
