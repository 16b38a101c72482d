// The signature primitives against published vectors (RFC 4231, RFC 2202, RFC 4648, FIPS 180-2, the
// CRC-32 check value) and the providers' own, and the certificate reader on PayPal's test certificate.
#include <doctest/doctest.h>

#include <odoosync/channels/certificate.hpp>
#include <odoosync/channels/crypto.hpp>

#include <fstream>
#include <sstream>

using namespace odoosync;
using namespace odoosync::channels;
namespace c = odoosync::channels::crypto;

namespace {
std::string file(const std::string& rel) {
  std::ifstream in(std::string(ODOOSYNC_TEST_DATA_DIR) + "/channels/" + rel, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
std::chrono::system_clock::time_point at(std::int64_t unix_seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds{unix_seconds});
}
}  // namespace

TEST_CASE("HMAC-SHA256 and HMAC-SHA1 match RFC 4231 and RFC 2202") {
  CHECK(c::hex_encode(c::hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(c::hex_encode(c::hmac_sha1("Jefe", "what do ya want for nothing?")) ==
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  // RFC 4231 case 6: a key longer than the block size is hashed first.
  CHECK(c::hex_encode(
            c::hmac_sha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("HMAC with an empty key: WooCommerce's published vector") {
  // tests/legacy/unit-tests/webhooks/crud.php, test_generate_signature: key "" over the bytes "secret".
  CHECK(c::base64_encode(c::hmac_sha256("", "secret")) == "GBDo00G55h6IiV+6CxqivQPLbI//KzaOZm747971tPs=");
}

TEST_CASE("SHA-256 matches FIPS 180-2 and the PayPal fixture's recorded digest") {
  CHECK(c::hex_encode(c::sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(c::hex_encode(c::sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(c::hex_encode(c::sha256(file("paypal/published.body"))) ==
        "2a6bf73fb0bd393a8248abd0491fcdea5444534c17cb60233730bd447f019f03");
}

TEST_CASE("base64 encodes and decodes RFC 4648's vectors and refuses anything else") {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    CHECK(c::base64_encode(plain) == encoded);
    REQUIRE(c::base64_decode(encoded));
    CHECK(*c::base64_decode(encoded) == plain);
  }
  CHECK(c::base64_encode(std::string("\xff\xfe\x00", 3)) == "//4A");
  CHECK_FALSE(c::base64_decode("Zg"));      // padding required
  CHECK_FALSE(c::base64_decode("Zg=a"));    // data after padding
  CHECK_FALSE(c::base64_decode("Zh=="));    // non-zero bits under the padding
  CHECK_FALSE(c::base64_decode("Zm9v\n"));  // no whitespace
  CHECK_FALSE(c::base64_decode("Zm-_"));    // not the URL alphabet
  CHECK_FALSE(c::base64_decode("===="));
}

TEST_CASE("hex encodes lower case and decodes either case") {
  CHECK(c::hex_encode(std::string("\x00\x9f\xff", 3)) == "009fff");
  CHECK(*c::hex_decode("009FfF") == std::string("\x00\x9f\xff", 3));
  CHECK_FALSE(c::hex_decode("abc"));
  CHECK_FALSE(c::hex_decode("zz"));
}

TEST_CASE("CRC-32: the check value and PayPal's published body (3494065244, printed unsigned)") {
  CHECK(c::crc32("123456789") == 0xCBF43926u);
  CHECK(c::crc32("") == 0u);
  CHECK(c::crc32(file("paypal/published.body")) == 3494065244u);
  CHECK(std::to_string(c::crc32(file("paypal/published.body"))) == "3494065244");
}

TEST_CASE("constant_time_equal compares bytes, lengths first") {
  CHECK(c::constant_time_equal("", ""));
  CHECK(c::constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  CHECK_FALSE(c::constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
  CHECK_FALSE(c::constant_time_equal("abc", "abcd"));
}

TEST_CASE("Certificate reads PayPal's test certificate: subject, validity, RSA-SHA256 verification") {
  auto cert = Certificate::from_pem(file("paypal/paypal-sandbox-2017.crt"));
  REQUIRE(cert);
  CHECK(cert.value().subject_common_name() == "messageverificationcerts.sandbox.paypal.com");
  CHECK(utc_text(cert.value().not_before()) == "2017-02-18T00:00:00Z");
  CHECK(utc_text(cert.value().not_after()) == "2019-04-26T12:00:00Z");
  CHECK(cert.value().check_valid_at(at(1491000000)));
  auto expired = cert.value().check_valid_at(at(1700000000));
  REQUIRE(!expired);
  CHECK(expired.error().kind() == ErrorKind::auth);
  CHECK(expired.error().message() == "certificate expired on 2019-04-26T12:00:00Z");
  CHECK(cert.value().check_valid_at(at(1400000000)).error().message() ==
        "certificate not valid before 2017-02-18T00:00:00Z");

  const std::string message = "071f7d20-1584-11e7-abf0-6b62a8a99ac4|2017-03-30T20:04:05Z|96605875FF6516633|3494065244";
  const auto signature = *c::base64_decode(
      "aBjgm5/xljRYu3G64Q0axISrP2xcy7WbW1u4UTCKnQvyprOZ1a1BBmqn2Jdr6ce8E76I3Ti/"
      "AL9y4VYSHyGSEaoE6dVQcCDebLbOXLH0fjTAbTc1/"
      "rmfdWmsk0DPltW84Y8W8jOHe3CLWDOwg5zmozyt+AceG2x5eOiw7mLSycaEoj/5RG+dOIWXnmWcLEArbG3VFshy0wuhZrKuGa9C/"
      "bD4Ku+"
      "Y9gK7Bv5I5IuGRVnTGpcFnVG0KxOyJxccLGyBVCIUMY5IZS7LkmJszQ3HZZFDTNihvgJHECSLwLhzUaysIye5G6CbbLdtAmeeb6wiDciEAvr2dFf"
      "+"
      "SplOR4Lrng==");
  CHECK(cert.value().verify_rsa_sha256(message, signature));
  CHECK_FALSE(cert.value().verify_rsa_sha256(message + " ", signature));
  CHECK_FALSE(cert.value().verify_rsa_sha256(message, signature.substr(1)));
  CHECK_FALSE(cert.value().verify_rsa_sha256(message, ""));
}

TEST_CASE("Certificate refuses text without a PEM certificate") {
  auto none = Certificate::from_pem("not a certificate");
  REQUIRE(!none);
  CHECK(none.error().kind() == ErrorKind::validation);
  auto cut = file("paypal/paypal-sandbox-2017.crt");
  CHECK(!Certificate::from_pem(cut.substr(0, cut.size() / 2)));
}
