// The serve/ headers bring neither Boost.Beast nor Boost.Asio (nor RapidJSON or OpenSSL) into a host's
// files: the HTTP server is compiled in src/serve/, so a host that mounts WebhookReceiver in a server
// of its own never compiles Beast.
#include <odoosync/serve/config.hpp>
#include <odoosync/serve/webhook_receiver.hpp>
#include <odoosync/serve/webhook_server.hpp>

#if defined(BOOST_BEAST_VERSION) || defined(BOOST_ASIO_VERSION)
#error "a serve/ header includes Boost.Beast or Boost.Asio"
#endif
#ifdef RAPIDJSON_VERSION_STRING
#error "a serve/ header includes RapidJSON"
#endif
#if defined(OPENSSL_VERSION_NUMBER) || defined(HEADER_CRYPTO_H) || defined(OPENSSL_CRYPTO_H)
#error "a serve/ header includes OpenSSL"
#endif

#include <doctest/doctest.h>

TEST_CASE("the serve headers compile without Beast, Asio, RapidJSON and OpenSSL") {
  CHECK(odoosync::serve::to_string(odoosync::serve::Outcome::duplicate) == "duplicate");
  CHECK(odoosync::serve::parse_listen_address("127.0.0.1:0"));
}
