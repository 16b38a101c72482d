// The channels/ headers bring neither RapidJSON nor OpenSSL into a host's files: bodies are read and
// signatures computed in src/channels/.
#include <odoosync/channels/certificate.hpp>
#include <odoosync/channels/config.hpp>
#include <odoosync/channels/crypto.hpp>
#include <odoosync/channels/delivery.hpp>
#include <odoosync/channels/verifier.hpp>

#ifdef RAPIDJSON_VERSION_STRING
#error "a channels/ header includes RapidJSON"
#endif
#if defined(OPENSSL_VERSION_NUMBER) || defined(HEADER_CRYPTO_H) || defined(OPENSSL_CRYPTO_H)
#error "a channels/ header includes OpenSSL"
#endif

#include <doctest/doctest.h>

TEST_CASE("the channels headers compile without RapidJSON and OpenSSL") {
  CHECK(odoosync::channels::parse_provider("Stripe") == odoosync::channels::Provider::stripe);
  CHECK(!odoosync::channels::parse_provider("ebay"));
}
