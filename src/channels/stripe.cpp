// Stripe: Stripe-Signature is `t=<unix seconds>,v1=<hex>[,v1=<hex>...]`; each v1 is the hex HMAC-SHA256
// of "<t>.<raw body>" keyed with the endpoint secret as given (the `whsec_` prefix included, nothing
// decoded). Any v1 matching any secret passes (Stripe sends one per active secret while rolling).
// Like stripe-node, only a timestamp older than the tolerance (default 300 s) is refused; one in the
// future is accepted. The delivery id is the event's `id` (evt_...), which retries repeat.
#include <odoosync/channels/crypto.hpp>

#include "verifier_base.hpp"

#include <charconv>
#include <vector>

namespace odoosync {
inline namespace v0 {
namespace channels::detail {

namespace {

constexpr std::string_view signature_name = "Stripe-Signature";

struct Parsed {
  std::optional<std::int64_t> t;
  std::string_view t_text;
  std::vector<std::string_view> v1;
};

Parsed parse(std::string_view header) {
  Parsed p;
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    const auto key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "t" && !p.t) {
      std::int64_t t = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
      if (ec == std::errc() && end == value.data() + value.size() && !value.empty() && value[0] != '-') {
        p.t = t;
        p.t_text = value;
      }
    } else if (key == "v1") {
      p.v1.push_back(value);
    }
  }
  return p;
}

class StripeVerifier final : public VerifierBase {
 public:
  explicit StripeVerifier(VerifierOptions o) : VerifierBase(Provider::stripe, std::move(o)) {}

 protected:
  result<bool> authenticate(const Delivery& d) const override {
    ODOOSYNC_TRY(header, single_header(d, signature_name));
    const Parsed p = parse(header);
    if (!p.t) return Error(ErrorKind::auth, "header Stripe-Signature has no timestamp (t=<unix seconds>)");
    if (p.v1.empty()) return Error(ErrorKind::auth, "header Stripe-Signature has no v1 signature");
    std::string signed_text;
    signed_text.reserve(p.t_text.size() + 1 + d.body.size());
    signed_text.append(p.t_text).append(".").append(d.body);
    bool match = false;
    for (const auto& s : options().secrets) {
      const std::string expected = crypto::hmac_sha256(s.reveal(), signed_text);
      for (auto v1 : p.v1) {
        const auto received = crypto::hex_decode(v1);
        match = (received && crypto::constant_time_equal(expected, *received)) || match;
      }
    }
    if (!match) return mismatch("any v1 of Stripe-Signature", options().secrets.size());
    // After the signature, so that an unsigned timestamp is never reported as merely late.
    const auto tolerance = options().tolerance.value_or(std::chrono::seconds{300});
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(d.received_at.time_since_epoch()).count();
    if (tolerance.count() > 0 && now - *p.t > tolerance.count())
      return Error(ErrorKind::auth, "timestamp " + std::to_string(now - *p.t) + " s old (tolerance " +
                                        std::to_string(tolerance.count()) + " s)");
    return false;
  }

  result<std::string> find_id(const Delivery& d) const override { return body_string(d, {"id"}); }
};

}  // namespace

std::unique_ptr<Verifier> make_stripe(VerifierOptions o) { return std::make_unique<StripeVerifier>(std::move(o)); }

}  // namespace channels::detail
}  // namespace v0
}  // namespace odoosync
