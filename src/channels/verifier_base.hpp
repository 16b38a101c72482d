// What every provider's verifier shares: the size limit first, then the provider's proof of origin,
// then the delivery id; and the refusal messages ("<Provider> delivery refused: <reason>").
#pragma once

#include <odoosync/channels/verifier.hpp>
#include <odoosync/core/json.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace odoosync {
inline namespace v0 {
namespace channels::detail {

std::string_view label(Provider p) noexcept;  // "Shopify", "Amazon SP-API", ...

class VerifierBase : public Verifier {
 public:
  VerifierBase(Provider provider, VerifierOptions options) : provider_(provider), options_(std::move(options)) {}
  Provider provider() const noexcept final { return provider_; }
  result<Verification> verify(const Delivery& delivery) const final;
  result<std::string> delivery_id(const Delivery& delivery) const final;

 protected:
  // The provider's proof of origin. True for a WooCommerce ping. Errors carry their kind and a bare
  // reason ("signature mismatch (...)"); verify() adds the provider.
  virtual result<bool> authenticate(const Delivery& delivery) const = 0;
  // The id the provider's retries share; errors carry a bare reason ("the body has no event_id").
  virtual result<std::string> find_id(const Delivery& delivery) const = 0;
  // What authenticate() checked, for "signature holds, but the body has no event_id".
  virtual std::string_view proof() const noexcept { return "signature"; }

  const VerifierOptions& options() const noexcept { return options_; }

 private:
  Provider provider_;
  VerifierOptions options_;
};

// The one value of a signature header: missing or empty, or given twice, is an auth error.
result<std::string_view> single_header(const Delivery& delivery, std::string_view name);
// "signature mismatch (<header> matches none of the N configured secrets)".
Error mismatch(std::string_view what, std::size_t secrets);
// The body as JSON (size-limited like the body): a validation error "the body is not JSON (...)".
result<json::Document> body_json(const Delivery& delivery);
// A string member of the body at a path of object keys; an error "the body has no <path>" otherwise.
result<std::string> body_string(const Delivery& delivery, std::initializer_list<std::string_view> path);
// A validation error unless there is at least one non-empty secret.
result<void> require_secrets(Provider provider, const VerifierOptions& options, std::string_view what = "secret");

// The providers, one file each.
std::unique_ptr<Verifier> make_shopify(VerifierOptions o);
std::unique_ptr<Verifier> make_woocommerce(VerifierOptions o);
std::unique_ptr<Verifier> make_stripe(VerifierOptions o);
result<std::unique_ptr<Verifier>> make_paypal(VerifierOptions o);
std::unique_ptr<Verifier> make_square(VerifierOptions o);
result<std::unique_ptr<Verifier>> make_easypost(VerifierOptions o);
std::unique_ptr<Verifier> make_url_token(Provider provider, VerifierOptions o);  // Shippo, Odoo
result<std::unique_ptr<Verifier>> make_amazon(VerifierOptions o);

}  // namespace channels::detail
}  // namespace v0
}  // namespace odoosync
