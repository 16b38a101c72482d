// Square: x-square-hmacsha256-signature is the base64 HMAC-SHA256 of the notification URL followed by
// the raw body (no separator), keyed with the subscription's signature key as text (it looks base64
// but is not decoded). The URL is the one configured in the subscription, byte for byte, which is not
// what a receiver behind a proxy sees: configuration names it; the delivery's URL is the fallback.
// The delivery id is the body's event_id, Square's documented idempotency value.
#include <odoosync/channels/crypto.hpp>

#include "verifier_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels::detail {

namespace {

constexpr std::string_view signature_name = "x-square-hmacsha256-signature";

class SquareVerifier final : public VerifierBase {
 public:
  explicit SquareVerifier(VerifierOptions o) : VerifierBase(Provider::square, std::move(o)) {}

 protected:
  result<bool> authenticate(const Delivery& d) const override {
    const std::string& url = options().square_notification_url.empty() ? d.url : options().square_notification_url;
    if (url.empty())
      return Error::validation("Square signs the notification URL: configure notification_url (or give the URL)");
    ODOOSYNC_TRY(header, single_header(d, signature_name));
    auto received = crypto::base64_decode(header);
    if (!received) return Error(ErrorKind::auth, "header " + std::string(signature_name) + " is not base64");
    const std::string signed_text = url + d.body;
    bool match = false;
    for (const auto& s : options().secrets)
      match = crypto::constant_time_equal(crypto::hmac_sha256(s.reveal(), signed_text), *received) || match;
    if (!match) return mismatch(signature_name, options().secrets.size());
    return false;
  }

  result<std::string> find_id(const Delivery& d) const override { return body_string(d, {"event_id"}); }
};

}  // namespace

std::unique_ptr<Verifier> make_square(VerifierOptions o) { return std::make_unique<SquareVerifier>(std::move(o)); }

}  // namespace channels::detail
}  // namespace v0
}  // namespace odoosync
