// HttpServer: a drop-in for Poco::Net::HTTPServer (same constructor, same
// stopAll) whose keep-alive connections wait for their next request with one
// poll(2) on the socket instead of Poco 1.11's Socket::poll, which creates,
// registers, waits on and closes an epoll descriptor for every request
// (four system calls, one file descriptor allocated and freed, per request).
//
// The request loop is Poco's HTTPServerConnection::run, built on Poco's public
// HTTPServerSession, HTTPServerRequestImpl and HTTPServerResponseImpl (HTTP
// parsing and TLS stay Poco's and OpenSSL's). Semantics kept: the first
// request is awaited for HTTPServerParams::getTimeout, later ones for
// getKeepAliveTimeout, at most getMaxKeepAliveRequests per connection (0:
// unlimited), a request without a handler answers 501, an unparsable one 400,
// a handler's uncaught Poco exception 500 when nothing was sent yet. The Date
// header is formatted once per second per thread rather than per request.
//
// stopAll(true) shuts down every open connection's socket (idle keep-alive
// connections end at once); stopAll(false) lets a request in progress finish.
// The params' thread idle time is set to 1 s: it bounds how long stopping can
// wait for a dispatcher thread that missed Poco's stop wake-up.
// Thread-safe like Poco's HTTPServer.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

namespace nser::service {

class HttpConnectionFactory;

class HttpServer : public Poco::Net::TCPServer {
 public:
  HttpServer(Poco::Net::HTTPRequestHandlerFactory::Ptr factory, Poco::ThreadPool& threads,
             const Poco::Net::ServerSocket& socket, Poco::Net::HTTPServerParams::Ptr params);
  ~HttpServer() override;

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Stops accepting, then ends every connection: at once when abortCurrent,
  // else after the request it is handling.
  void stopAll(bool abortCurrent = false);

 private:
  HttpServer(HttpConnectionFactory* connections, Poco::ThreadPool& threads, const Poco::Net::ServerSocket& socket);

  HttpConnectionFactory* connections_;  // owned by TCPServer
};

}  // namespace nser::service
