// `nser pki`: the deployment's certificate authority (pki/, docs/pki.md).
// Subcommands init-ca, issue, revoke, renew-crl and fingerprint; the
// deploy/ca/*.sh scripts are thin wrappers around them.
#include <ostream>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "pki/certificate_authority.h"
#include "pki/certificate_builder.h"
#include "pki/certificate_info.h"
#include "pki/certificate_issuer.h"
#include "pki/certificate_revocation.h"

namespace nser::cli {

namespace {

void rejectPositionals(const Arguments& parsed) {
  if (!parsed.positionals().empty()) throw UsageError("unexpected argument '" + parsed.positionals().front() + "'");
}

int days(const Arguments& parsed, const std::string& option, int fallback) {
  return static_cast<int>(parsed.integerOr(option, fallback, 1, pki::kMaxValidityDays));
}

int initCa(const std::vector<std::string>& args, CommandIo io) {
  const Arguments parsed = Arguments::parse(args, {{"dir"}, {"name"}, {"days"}, {"crl-days"}, {"force", false}});
  rejectPositionals(parsed);
  pki::CaOptions options;
  options.validityDays = days(parsed, "days", pki::kDefaultCaValidityDays);
  options.crlValidityDays = days(parsed, "crl-days", pki::kDefaultCrlValidityDays);
  options.overwrite = parsed.has("force");
  const pki::CaFiles files =
      pki::createCertificateAuthority(parsed.required("dir"), parsed.valueOr("name", "NSER Hub CA"), options);
  io.out << "ca_certificate=" << files.certificate().string() << "\n"
         << "ca_key=" << files.key().string() << "\n"
         << "crl=" << files.crl().string() << "\n"
         << "fingerprint=" << pki::certificateFingerprint(files.certificate()) << "\n";
  return kExitOk;
}

int issue(const std::vector<std::string>& args, CommandIo io) {
  const Arguments parsed = Arguments::parse(args, {{"ca"},
                                                   {"party"},
                                                   {"server", false},
                                                   {"client", false},
                                                   {"san", true, true},
                                                   {"out"},
                                                   {"days"},
                                                   {"force", false}});
  rejectPositionals(parsed);
  pki::IssueRequest request;
  request.partyId = parsed.required("party");
  request.serverAuth = parsed.has("server");
  request.clientAuth = parsed.has("client");
  if (!request.serverAuth && !request.clientAuth) throw UsageError("give '--server', '--client' or both");
  request.subjectAltNames = parsed.all("san");
  request.validityDays = days(parsed, "days", pki::kDefaultPartyValidityDays);
  request.overwrite = parsed.has("force");
  const pki::IssuedCertificate issued = pki::issueCertificate(parsed.required("ca"), request, parsed.required("out"));
  io.out << "party=" << issued.partyId << "\n"
         << "fingerprint=" << issued.fingerprint << "\n"
         << "serial=" << issued.serial << "\n"
         << "not_after=" << issued.notAfter << "\n"
         << "certificate=" << issued.certificatePath.string() << "\n"
         << "key=" << issued.keyPath.string() << "\n";
  return kExitOk;
}

int revoke(const std::vector<std::string>& args, CommandIo io) {
  const Arguments parsed = Arguments::parse(args, {{"ca"}, {"cert"}, {"serial"}, {"crl-days"}});
  rejectPositionals(parsed);
  if (parsed.has("cert") == parsed.has("serial")) throw UsageError("give exactly one of '--cert' and '--serial'");
  pki::RevocationOptions options;
  options.crlValidityDays = days(parsed, "crl-days", pki::kDefaultCrlValidityDays);
  const std::string ca = parsed.required("ca");
  const pki::IndexEntry revoked = parsed.has("cert") ? pki::revokeCertificateFile(ca, parsed.required("cert"), options)
                                                     : pki::revokeCertificate(ca, parsed.required("serial"), options);
  io.out << "party=" << revoked.partyId << "\n"
         << "serial=" << revoked.serial << "\n"
         << "fingerprint=" << revoked.fingerprint << "\n"
         << "revoked_at=" << revoked.revokedAt << "\n"
         << "crl=" << pki::CaFiles{ca}.crl().string() << "\n";
  return kExitOk;
}

int renewCrl(const std::vector<std::string>& args, CommandIo io) {
  const Arguments parsed = Arguments::parse(args, {{"ca"}, {"crl-days"}});
  rejectPositionals(parsed);
  pki::RevocationOptions options;
  options.crlValidityDays = days(parsed, "crl-days", pki::kDefaultCrlValidityDays);
  const std::string ca = parsed.required("ca");
  pki::renewRevocationList(ca, options);
  io.out << "crl=" << pki::CaFiles{ca}.crl().string() << "\n";
  return kExitOk;
}

int fingerprint(const std::vector<std::string>& args, CommandIo io) {
  const Arguments parsed = Arguments::parse(args, {});
  if (parsed.positionals().size() != 1) throw UsageError("give exactly one certificate file");
  io.out << pki::certificateFingerprint(parsed.positionals().front()) << "\n";
  return kExitOk;
}

}  // namespace

Command pkiCommand() {
  Command command;
  command.name = "pki";
  command.summary = "Run the deployment's certificate authority: create it, issue, revoke, fingerprint";
  command.help =
      "Usage: nser pki init-ca --dir DIR [--name NAME] [--days N] [--crl-days N] [--force]\n"
      "       nser pki issue --ca DIR --party ID (--server | --client | both) [--san NAME]...\n"
      "                      --out DIR [--days N] [--force]\n"
      "       nser pki revoke --ca DIR (--cert FILE | --serial HEX) [--crl-days N]\n"
      "       nser pki renew-crl --ca DIR [--crl-days N]\n"
      "       nser pki fingerprint FILE\n\n"
      "The certificate authority that makes the mutual-TLS identities of a deployment\n"
      "(docs/pki.md). Keys are ECDSA P-256; private keys are written with mode 0600 and\n"
      "existing files are never replaced without --force.\n\n"
      "  init-ca      create DIR/ca.key, ca.crt, ca.crl (empty), index.tsv\n"
      "               (--name: CA common name, default 'NSER Hub CA'; --days default 3650)\n"
      "  issue        write OUT/ID.key and OUT/ID.crt with CN = ID, extended key usage\n"
      "               serverAuth (--server) and/or clientAuth (--client), subject alternative\n"
      "               names from --san (DNS name or IP address, repeatable; --days default 365);\n"
      "               prints the SHA-256 fingerprint the hub binds to the party\n"
      "  revoke       mark a certificate revoked and re-sign DIR/ca.crl (--crl-days: the\n"
      "               CRL's nextUpdate, default 30)\n"
      "  renew-crl    re-sign DIR/ca.crl with a fresh nextUpdate before the current one lapses\n"
      "  fingerprint  print the SHA-256 fingerprint (lowercase hex of the DER) of FILE\n\n"
      "Output: key=value lines (fingerprint prints the bare fingerprint).\n";
  command.run = [](const std::vector<std::string>& args, CommandIo io) {
    if (args.empty()) throw UsageError("missing pki subcommand (init-ca, issue, revoke, renew-crl, fingerprint)");
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    const std::string& sub = args.front();
    if (sub == "init-ca") return initCa(rest, io);
    if (sub == "issue") return issue(rest, io);
    if (sub == "revoke") return revoke(rest, io);
    if (sub == "renew-crl") return renewCrl(rest, io);
    if (sub == "fingerprint") return fingerprint(rest, io);
    throw UsageError("unknown pki subcommand '" + sub + "'");
  };
  return command;
}

}  // namespace nser::cli
