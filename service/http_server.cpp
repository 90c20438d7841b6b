#include "service/http_server.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <ctime>
#include <limits>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace nser::service {
namespace {

using Poco::Net::HTTPResponse;

// An HTTPServerSession that waits for the next request without Poco's
// per-call epoll descriptor.
class KeepAliveSession : public Poco::Net::HTTPServerSession {
 public:
  KeepAliveSession(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params)
      : HTTPServerSession(socket, params),
        secure_(dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(this->socket().impl()) != nullptr) {}

  // True when bytes of a request (or the peer's close) are there to read
  // within `timeout`; false on timeout or when the socket is unusable.
  bool awaitRequest(const Poco::Timespan& timeout) {
    if (buffered() > 0) return true;
    // A TLS record already decrypted but not yet read is invisible to poll
    // (server TLS contexts do not read ahead: OpenSSL holds nothing else).
    if (secure_ && socket().available() > 0) return true;
    pollfd descriptor{};
    descriptor.fd = socket().impl()->sockfd();
    descriptor.events = POLLIN;
    const auto milliseconds = timeout.totalMilliseconds();
    const int wait = milliseconds > std::numeric_limits<int>::max() ? std::numeric_limits<int>::max()
                                                                    : static_cast<int>(milliseconds);
    for (;;) {
      const int ready = ::poll(&descriptor, 1, wait);
      if (ready >= 0) return ready > 0;
      if (errno != EINTR) return false;
    }
  }

 private:
  bool secure_;
};

// The Date header, formatted when the second changes (std::time reads the
// vDSO clock, no system call).
const std::string& httpDate() {
  thread_local std::time_t second = -1;
  thread_local std::string formatted;
  const std::time_t now = std::time(nullptr);
  if (now != second) {
    formatted = Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(now),
                                                Poco::DateTimeFormat::HTTP_FORMAT);
    second = now;
  }
  return formatted;
}

void sendErrorResponse(Poco::Net::HTTPServerSession& session, HTTPResponse::HTTPStatus status) {
  Poco::Net::HTTPServerResponseImpl response(session);
  response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
  response.setStatusAndReason(status);
  response.setKeepAlive(false);
  response.send();
  session.setKeepAlive(false);
}

class Connection;

// The open connections of one server, so stopAll can reach them (Poco's own
// stop event on the handler factory is reserved to its HTTPServer).
struct ConnectionRegistry {
  std::mutex mutex;
  std::set<Connection*> open;
  bool stopped = false;
};

class Connection : public Poco::Net::TCPServerConnection {
 public:
  Connection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
             Poco::Net::HTTPRequestHandlerFactory::Ptr factory, std::shared_ptr<ConnectionRegistry> registry)
      : TCPServerConnection(socket),
        params_(std::move(params)),
        factory_(std::move(factory)),
        registry_(std::move(registry)) {
    std::lock_guard lock(registry_->mutex);
    if (registry_->stopped) stopped_ = true;
    registry_->open.insert(this);
  }

  ~Connection() override {
    std::lock_guard lock(registry_->mutex);
    registry_->open.erase(this);
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void run() override {
    const std::string software = params_->getSoftwareVersion();
    KeepAliveSession session(socket(), params_);
    // Requests this connection may still carry after the current one; a
    // negative count is unlimited (Poco's HTTPServerSession bookkeeping).
    int remaining = params_->getMaxKeepAliveRequests();
    bool first = true;
    while (!stopped_) {
      if (first) {
        first = false;
        --remaining;
        if (!session.awaitRequest(params_->getTimeout())) break;
      } else {
        if (remaining == 0 || !session.getKeepAlive()) break;
        if (remaining > 0) --remaining;
        if (!session.awaitRequest(params_->getKeepAliveTimeout())) break;
      }
      const bool canKeepAlive = remaining != 0;
      try {
        std::lock_guard lock(mutex_);
        if (stopped_) break;
        Poco::Net::HTTPServerResponseImpl response(session);
        Poco::Net::HTTPServerRequestImpl request(response, session, params_);
        response.set("Date", httpDate());
        response.setVersion(request.getVersion());
        response.setKeepAlive(params_->getKeepAlive() && request.getKeepAlive() && canKeepAlive);
        if (!software.empty()) response.set("Server", software);
        try {
          std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(factory_->createRequestHandler(request));
          if (handler) {
            if (request.getExpectContinue() && response.getStatus() == HTTPResponse::HTTP_OK) {
              response.sendContinue();
            }
            handler->handleRequest(request, response);
            session.setKeepAlive(params_->getKeepAlive() && response.getKeepAlive() && canKeepAlive);
          } else {
            sendErrorResponse(session, HTTPResponse::HTTP_NOT_IMPLEMENTED);
          }
        } catch (const Poco::Exception&) {
          if (!response.sent()) {
            try {
              sendErrorResponse(session, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
            } catch (...) {
              // The connection is broken; the original exception says why.
            }
          }
          throw;
        }
      } catch (const Poco::Net::NoMessageException&) {
        break;  // the peer closed the connection between requests
      } catch (const Poco::Net::MessageException&) {
        sendErrorResponse(session, HTTPResponse::HTTP_BAD_REQUEST);
      } catch (const Poco::Exception&) {
        if (session.networkException() != nullptr) session.networkException()->rethrow();
        throw;
      }
    }
  }

  // Called by HttpServer::stopAll under the registry's lock.
  void stop(bool abortCurrent) {
    stopped_ = true;
    // The socket's descriptor is shut down, not the TLS session: another
    // thread may be inside OpenSSL on it. A blocked poll or read returns.
    const auto shutdownSocket = [this] { ::shutdown(socket().impl()->sockfd(), SHUT_RDWR); };
    if (abortCurrent) {
      shutdownSocket();
    } else {
      std::lock_guard lock(mutex_);
      shutdownSocket();
    }
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
  std::shared_ptr<ConnectionRegistry> registry_;
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;
};

}  // namespace

class HttpConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  HttpConnectionFactory(Poco::Net::HTTPServerParams::Ptr params, Poco::Net::HTTPRequestHandlerFactory::Ptr factory)
      : params_(std::move(params)), factory_(std::move(factory)) {
    // Poco's dispatcher threads wait for the next connection for the thread
    // idle time. One that goes back to waiting just as the server stops
    // misses the stop's wake-up (TCPServerDispatcher checks its stop flag
    // before it waits) and waits the whole time, and stopping waits for it:
    // with Poco's default of 10 s, a stop took 10 s now and then.
    params_->setThreadIdleTime(Poco::Timespan(1, 0));
  }

  Poco::Net::HTTPServerParams::Ptr params() const { return params_; }

  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new Connection(socket, params_, factory_, registry_);
  }

  ConnectionRegistry& registry() { return *registry_; }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
  std::shared_ptr<ConnectionRegistry> registry_ = std::make_shared<ConnectionRegistry>();
};

HttpServer::HttpServer(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, Poco::ThreadPool& threads,
                       const Poco::Net::ServerSocket& socket, Poco::Net::HTTPServerParams::Ptr params)
    : HttpServer(new HttpConnectionFactory(std::move(params), std::move(factory)), threads, socket) {}

HttpServer::HttpServer(HttpConnectionFactory* connections, Poco::ThreadPool& threads,
                       const Poco::Net::ServerSocket& socket)
    : TCPServer(connections, threads, socket, connections->params()), connections_(connections) {}

HttpServer::~HttpServer() {
  try {
    stopAll();
  } catch (...) {
    // Stopping must not throw from a destructor.
  }
}

void HttpServer::stopAll(bool abortCurrent) {
  stop();
  auto& registry = connections_->registry();
  std::lock_guard lock(registry.mutex);
  registry.stopped = true;
  for (Connection* connection : registry.open) connection->stop(abortCurrent);
}

}  // namespace nser::service
