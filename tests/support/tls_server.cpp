// TlsServer: an in-memory self-signed certificate (OpenSSL) and a Boost.Asio SSL accept loop that
// answers every request with 200 and closes.
#include "tls_server.hpp"

#include <cstring>
#include <utility>  // before Asio: its awaitable.hpp uses std::exchange without including it

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace odoosync::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
struct Pem {
  std::string key, cert;
};

Pem make_self_signed() {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  if (!pkey) throw std::runtime_error("TlsServer: key generation failed");
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, pkey);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (const char* ext : {"subjectAltName=DNS:localhost,IP:127.0.0.1", "basicConstraints=critical,CA:TRUE"}) {
    const char* eq = std::strchr(ext, '=');
    std::string nm(ext, eq);
    X509_EXTENSION* e = X509V3_EXT_conf(nullptr, &ctx, nm.c_str(), eq + 1);
    if (e) {
      X509_add_ext(x, e, -1);
      X509_EXTENSION_free(e);
    }
  }
  X509_sign(x, pkey, EVP_sha256());
  auto to_string = [](BIO* b) {
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    std::string s(data, static_cast<std::size_t>(n));
    BIO_free(b);
    return s;
  };
  BIO* kb = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(kb, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  BIO* cb = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cb, x);
  Pem pem{to_string(kb), to_string(cb)};
  X509_free(x);
  EVP_PKEY_free(pkey);
  return pem;
}
}  // namespace

struct TlsServer::State {
  asio::io_context io;
  asio::ssl::context ssl{asio::ssl::context::tls_server};
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> handshakes{0};
  std::filesystem::path ca_path;
  std::uint16_t port = 0;

  void loop() {
    while (!stopping) {
      tcp::socket sock(io);
      boost::system::error_code ec;
      acceptor.accept(sock, ec);
      if (ec) {
        if (stopping) return;
        continue;
      }
      asio::ssl::stream<tcp::socket> tls(std::move(sock), ssl);
      tls.handshake(asio::ssl::stream_base::server, ec);
      if (ec) continue;  // the client refused our certificate: exactly what a test may want
      ++handshakes;
      std::string req;
      char buf[4096];
      while (req.find("\r\n\r\n") == std::string::npos) {
        std::size_t n = tls.read_some(asio::buffer(buf), ec);
        if (ec) break;
        req.append(buf, n);
      }
      if (ec) continue;
      static constexpr std::string_view answer =
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\nConnection: "
          "close\r\n\r\n{\"tls\":true}";
      asio::write(tls, asio::buffer(answer.data(), answer.size()), ec);
      tls.shutdown(ec);
    }
  }
};

TlsServer::TlsServer() : state_(std::make_unique<State>()) {
  Pem pem = make_self_signed();
  state_->ssl.use_certificate_chain(asio::buffer(pem.cert));
  state_->ssl.use_private_key(asio::buffer(pem.key), asio::ssl::context::pem);
  state_->ca_path = std::filesystem::temp_directory_path() /
                    ("odoosync-test-ca-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".pem");
  std::ofstream(state_->ca_path) << pem.cert;
  boost::system::error_code ec;
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(ep.protocol(), ec);
  if (!ec) state_->acceptor.bind(ep, ec);
  if (!ec) state_->acceptor.listen(16, ec);
  if (ec) throw std::runtime_error("TlsServer: cannot listen on 127.0.0.1: " + ec.message());
  state_->port = state_->acceptor.local_endpoint().port();
  state_->thread = std::thread([s = state_.get()] { s->loop(); });
}

TlsServer::~TlsServer() {
  state_->stopping = true;
  ::shutdown(state_->acceptor.native_handle(), SHUT_RDWR);
  if (state_->thread.joinable()) state_->thread.join();
  boost::system::error_code ec;
  state_->acceptor.close(ec);
  std::error_code fs_ec;
  std::filesystem::remove(state_->ca_path, fs_ec);
}

std::string TlsServer::url() const { return "https://127.0.0.1:" + std::to_string(state_->port); }
std::string TlsServer::ca_file() const { return state_->ca_path.string(); }
std::size_t TlsServer::handshakes() const { return state_->handshakes.load(); }

}  // namespace odoosync::testing
