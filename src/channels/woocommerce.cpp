// WooCommerce: X-WC-Webhook-Signature is the base64 HMAC-SHA256 of the body exactly as sent (PHP's
// json_encode escapes, `\/` and `\u00e9`, included), keyed with the webhook's secret after WordPress's
// wp_specialchars_decode(ENT_QUOTES). The ping sent when a webhook is created is a form body
// `webhook_id=N` with no signature: recognised, not refused, and nothing is stored for it.
// X-WC-Webhook-Delivery-ID is a hash of the webhook id and the current second, so two deliveries in one
// second share it; the delivery id is instead the SHA-256 of source, webhook id, topic and body (the
// body is the resource as it was when sent, so the same body twice is the same state).
#include <odoosync/channels/crypto.hpp>

#include "verifier_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels::detail {

namespace {

constexpr std::string_view signature_name = "X-WC-Webhook-Signature";

// wp_specialchars_decode($s, ENT_QUOTES) as WordPress writes it: &amp; &lt; &gt; &quot; (case-sensitive),
// decimal &#38; &#60; &#62; &#34; &#39; with any leading zeros, and hex &#x26; &#x22; &#x27; (any case).
std::string specialchars_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t semi = s[i] == '&' ? s.find(';', i) : std::string_view::npos;
    if (semi == std::string_view::npos || semi - i > 12) {
      out += s[i++];
      continue;
    }
    const std::string_view name = s.substr(i + 1, semi - i - 1);
    int c = -1;
    if (name == "amp")
      c = '&';
    else if (name == "lt")
      c = '<';
    else if (name == "gt")
      c = '>';
    else if (name == "quot")
      c = '"';
    else if (name.size() > 1 && name[0] == '#') {
      const bool hex = name[1] == 'x' || name[1] == 'X';
      const std::string_view digits = name.substr(hex ? 2 : 1);
      int v = digits.empty() ? -1 : 0;
      for (char d : digits) {
        int x = d >= '0' && d <= '9'          ? d - '0'
                : hex && d >= 'a' && d <= 'f' ? d - 'a' + 10
                : hex && d >= 'A' && d <= 'F' ? d - 'A' + 10
                                              : -1;
        if (x < 0 || v > 255) {
          v = -1;
          break;
        }
        v = v * (hex ? 16 : 10) + x;
      }
      if (hex ? (v == 0x26 || v == 0x22 || v == 0x27) : (v == 38 || v == 60 || v == 62 || v == 34 || v == 39)) c = v;
    }
    if (c < 0) {
      out += s[i++];
      continue;
    }
    out += static_cast<char>(c);
    i = semi + 1;
  }
  return out;
}

// `webhook_id=<digits>`: the ping's whole body.
std::optional<std::string_view> ping_webhook_id(std::string_view body) {
  constexpr std::string_view key = "webhook_id=";
  if (body.substr(0, key.size()) != key || body.size() == key.size() || body.size() > key.size() + 20) return {};
  auto digits = body.substr(key.size());
  for (char c : digits)
    if (c < '0' || c > '9') return {};
  return digits;
}

class WooCommerceVerifier final : public VerifierBase {
 public:
  explicit WooCommerceVerifier(VerifierOptions o) : VerifierBase(Provider::woocommerce, std::move(o)) {
    // The secret as configured and, when WordPress's decoding changes it, the decoded form WooCommerce
    // signs with: an operator may copy either (the admin shows one, the database holds the other).
    for (const auto& s : options().secrets) {
      keys_.push_back(s);
      auto decoded = specialchars_decode(s.reveal());
      if (decoded != s.reveal()) keys_.emplace_back(std::move(decoded));
    }
  }

 protected:
  result<bool> authenticate(const Delivery& d) const override {
    if (!d.headers.contains(signature_name) && ping_webhook_id(d.body)) return true;
    ODOOSYNC_TRY(header, single_header(d, signature_name));
    auto received = crypto::base64_decode(header);
    if (!received) return Error(ErrorKind::auth, "header " + std::string(signature_name) + " is not base64");
    bool match = false;
    for (const auto& k : keys_)
      match = crypto::constant_time_equal(crypto::hmac_sha256(k.reveal(), d.body), *received) || match;
    if (!match) return mismatch(signature_name, options().secrets.size());
    return false;
  }

  result<std::string> find_id(const Delivery& d) const override {
    if (!d.headers.contains(signature_name))
      if (auto id = ping_webhook_id(d.body)) return "ping:" + std::string(*id);
    std::string text;
    for (auto name : {"X-WC-Webhook-Source", "X-WC-Webhook-ID", "X-WC-Webhook-Topic"}) {
      text += d.headers.get(name).value_or("");
      text += '\n';
    }
    text += d.body;
    return crypto::hex_encode(crypto::sha256(text));
  }

 private:
  std::vector<Secret> keys_;
};

}  // namespace

std::unique_ptr<Verifier> make_woocommerce(VerifierOptions o) {
  return std::make_unique<WooCommerceVerifier>(std::move(o));
}

}  // namespace channels::detail
}  // namespace v0
}  // namespace odoosync
