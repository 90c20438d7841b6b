#include "service/tls_context.h"

#include <Poco/Net/SSLManager.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <mutex>

#include "pki/revocation_list_store.h"

namespace nser::service {
namespace {

void requireReadable(const std::string& path, const char* what) {
  if (path.empty()) throw TlsConfigError(std::string("TLS: no ") + what + " file configured");
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
    throw TlsConfigError(std::string("TLS: ") + what + " file '" + path + "' does not exist or is not a file");
  }
}

void requirePrivate(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && (info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    throw TlsConfigError("TLS: private key file '" + path +
                         "' is readable by group or others; chmod 600 it");
  }
}

Poco::Net::Context::Ptr makeContext(Poco::Net::Context::Usage usage, const TlsFiles& files) {
  initialiseTls();
  requireReadable(files.certificate, "certificate");
  requireReadable(files.privateKey, "private key");
  requirePrivate(files.privateKey);
  requireReadable(files.caCertificate, "CA certificate");
  Poco::Net::Context::Params params;
  params.certificateFile = files.certificate;
  params.privateKeyFile = files.privateKey;
  params.caLocation = files.caCertificate;
  params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
  params.verificationDepth = 4;
  params.loadDefaultCAs = false;
  Poco::Net::Context::Ptr context;
  try {
    context = new Poco::Net::Context(usage, params);
  } catch (const Poco::Exception& e) {
    throw TlsConfigError("TLS: cannot load certificate '" + files.certificate + "' with its key or CA '" +
                         files.caCertificate + "': " + e.displayText());
  }
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_3);
  if (!files.crl.empty()) {
    try {
      pki::addRevocationList(SSL_CTX_get_cert_store(context->sslContext()), files.crl);
    } catch (const std::exception& e) {
      throw TlsConfigError(std::string("TLS: ") + e.what());
    }
  }
  return context;
}

}  // namespace

void initialiseTls() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

Poco::Net::Context::Ptr makeServerTlsContext(const TlsFiles& files) {
  auto context = makeContext(Poco::Net::Context::TLS_SERVER_USE, files);
  // Session resumption would need a shared session id context; full
  // handshakes keep the peer certificate available on every connection.
  context->disableStatelessSessionResumption();
  // POCO's "extended verification" matches the peer certificate against the
  // peer's host name: right for a client checking its server, meaningless for
  // a client certificate (parties are identified by fingerprint instead).
  context->enableExtendedCertificateVerification(false);
  return context;
}

Poco::Net::Context::Ptr makeClientTlsContext(const TlsFiles& files) {
  auto context = makeContext(Poco::Net::Context::TLS_CLIENT_USE, files);
  // One read(2) per TLS record instead of two (5-byte header, then the
  // rest). Safe for clients only: they block in SSL_read and never poll the
  // descriptor, so bytes OpenSSL has read ahead cannot be missed. Servers
  // wait for a keep-alive request with poll (service/http_server.cpp) and
  // keep the default.
  SSL_CTX_set_read_ahead(context->sslContext(), 1);
  return context;
}

}  // namespace nser::service
