// Certificate: an X.509 certificate supplied by configuration (PayPal's message-verification
// certificate; never fetched from the URL a delivery names), its validity window, and RSA-SHA256
// signature checks with its public key. OpenSSL stays behind the pointer.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {
namespace channels {

class Certificate {
 public:
  // The first certificate of a PEM text. A validation error when there is none or it does not parse.
  static result<Certificate> from_pem(std::string_view pem);

  std::chrono::system_clock::time_point not_before() const;
  std::chrono::system_clock::time_point not_after() const;
  std::string subject_common_name() const;  // empty when the subject has none

  // Ok when `now` is inside the validity window; else an auth error: "certificate expired on
  // 2019-04-26T12:00:00Z" or "certificate not valid before ...".
  result<void> check_valid_at(std::chrono::system_clock::time_point now) const;
  // RSA PKCS#1 v1.5 with SHA-256 over `message` (Java's SHA256withRSA). False for any failure.
  bool verify_rsa_sha256(std::string_view message, std::string_view signature) const;

 private:
  struct Impl;
  explicit Certificate(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// "2019-04-26T12:00:00Z": how errors print a certificate's dates.
std::string utc_text(std::chrono::system_clock::time_point t);

}  // namespace channels
}  // namespace v0
}  // namespace odoosync
