// Verifier: checks that a delivery comes from the provider it claims, exactly as that provider signs
// (docs/channels.md has the rules as a table), and names the delivery id the provider's retries share
// (the CloudEvent `id` of what it maps to). One per channel, made by make_verifier from its options;
// safe to share between threads (it holds no mutable state).
//
// Refusals are Errors whose message names the reason and never a secret, a token, a URL (it may hold
// a token) or a signature:
//   ErrorKind::auth        the proof of origin fails: a signature or token missing, malformed or
//                          matching none of the secrets; a timestamp outside the tolerance (a replay);
//                          a certificate not valid at the delivery's time; an Amazon message that did
//                          not come from a configured queue. A receiver answers 401.
//   ErrorKind::validation  the delivery or the configuration is unusable whoever sent it: the body over
//                          the size limit, a body without the id the provider puts in it, no secret
//                          configured, a secret the rule cannot use. A receiver answers 400.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/channels/delivery.hpp>
#include <odoosync/core/result.hpp>
#include <odoosync/core/secret.hpp>

namespace odoosync {
inline namespace v0 {
namespace channels {

enum class Provider : std::uint8_t { shopify, woocommerce, stripe, paypal, square, easypost, shippo, odoo, amazon };

std::string_view to_string(Provider p) noexcept;  // "shopify", ...
std::optional<Provider> parse_provider(std::string_view name) noexcept;

struct VerifierOptions {
  // Every active secret (signing key, or the URL token for Shippo and Odoo): a delivery that matches
  // any one of them passes, so a rotation keeps both the old and the new one here for a while.
  std::vector<Secret> secrets;
  std::size_t max_body_bytes = std::size_t{4} << 20;  // larger bodies are refused before any hashing
  // How old a signed timestamp may be. Unset: the provider's own rule (Stripe 300 s; PayPal none).
  std::optional<std::chrono::seconds> tolerance;

  // PayPal: the webhook id of this listener (from PayPal's dashboard), and PayPal's message-verification
  // certificates in PEM (several during PayPal's certificate rotation).
  std::string paypal_webhook_id;
  std::vector<std::string> paypal_certificates_pem;
  // Square: the notification URL of the subscription, byte for byte as Square has it; empty: the
  // delivery's own URL (right only when no proxy rewrites it).
  std::string square_notification_url;
  // EasyPost signs with the NFKD form of the secret. odoosync links no Unicode library, so a secret
  // with non-ASCII characters is refused unless it is stored already normalised and this says so.
  bool easypost_secret_is_nfkd = false;
  // Shippo and Odoo: the query parameter that carries the token (Odoo also takes the last path segment).
  std::string token_parameter = "token";
  // Amazon: the SQS queue URLs the host reads notifications from (Delivery::url must be one of them).
  std::vector<std::string> amazon_queue_urls;
};

struct Verification {
  std::string delivery_id;  // what the provider's retries share
  bool ping = false;        // a WooCommerce ping: answer 200, store nothing
};

class Verifier {
 public:
  virtual ~Verifier() = default;
  virtual Provider provider() const noexcept = 0;
  // The delivery is authentic (and within the size limit and time tolerance), and has a delivery id.
  virtual result<Verification> verify(const Delivery& delivery) const = 0;
  // The id alone, without checking the signature (for logs and tests; never trust it unverified).
  virtual result<std::string> delivery_id(const Delivery& delivery) const = 0;
};

// A validation error when the options cannot work for that provider: no secret, a PayPal certificate
// that does not parse or is not PayPal's, an EasyPost secret that needs NFKD, no Amazon queue, ...
result<std::unique_ptr<Verifier>> make_verifier(Provider provider, VerifierOptions options);

}  // namespace channels
}  // namespace v0
}  // namespace odoosync
