// Shopify: X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the raw body, keyed with the app's client
// secret as given (or, for webhooks made in the shop's admin, the shop's own key). The delivery id is
// X-Shopify-Webhook-Id, which Shopify documents as the per-delivery idempotency key; X-Shopify-Event-Id
// is shared by every topic one merchant action fans out to, so it is only a fallback, with the topic.
#include <odoosync/channels/crypto.hpp>

#include "verifier_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels::detail {

namespace {

constexpr std::string_view signature_name = "X-Shopify-Hmac-Sha256";

class ShopifyVerifier final : public VerifierBase {
 public:
  explicit ShopifyVerifier(VerifierOptions o) : VerifierBase(Provider::shopify, std::move(o)) {}

 protected:
  result<bool> authenticate(const Delivery& d) const override {
    ODOOSYNC_TRY(header, single_header(d, signature_name));
    auto received = crypto::base64_decode(header);
    if (!received) return Error(ErrorKind::auth, "header " + std::string(signature_name) + " is not base64");
    bool match = false;
    for (const auto& s : options().secrets)
      match = crypto::constant_time_equal(crypto::hmac_sha256(s.reveal(), d.body), *received) || match;
    if (!match) return mismatch(signature_name, options().secrets.size());
    return false;
  }

  result<std::string> find_id(const Delivery& d) const override {
    if (auto id = d.headers.get("X-Shopify-Webhook-Id"); id && !id->empty()) return std::string(*id);
    auto event = d.headers.get("X-Shopify-Event-Id");
    auto topic = d.headers.get("X-Shopify-Topic");
    if (event && !event->empty() && topic && !topic->empty()) return std::string(*topic) + ":" + std::string(*event);
    return Error::validation(
        "no X-Shopify-Webhook-Id (nor X-Shopify-Topic with X-Shopify-Event-Id) names the delivery");
  }
};

}  // namespace

std::unique_ptr<Verifier> make_shopify(VerifierOptions o) { return std::make_unique<ShopifyVerifier>(std::move(o)); }

}  // namespace channels::detail
}  // namespace v0
}  // namespace odoosync
