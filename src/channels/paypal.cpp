// PayPal: PAYPAL-TRANSMISSION-SIG is the base64 RSA-SHA256 (SHA256withRSA) signature of
// "<transmission id>|<transmission time>|<webhook id>|<CRC-32 of the body, unsigned decimal>", the id
// and time exactly as in their headers and the webhook id of this listener. The certificate comes from
// configuration (PAYPAL-CERT-URL is never fetched: a delivery would choose its own key) and must be
// valid at the delivery's time; several may be configured across PayPal's certificate rotation.
// PayPal documents no replay window; a tolerance can be set, checked against PAYPAL-TRANSMISSION-TIME.
// The delivery id is the event's `id` (WH-...): transmission ids change with every attempt.
#include <odoosync/channels/certificate.hpp>
#include <odoosync/channels/crypto.hpp>
#include <odoosync/retail/timestamp.hpp>

#include "verifier_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels::detail {

namespace {

class PayPalVerifier final : public VerifierBase {
 public:
  PayPalVerifier(VerifierOptions o, std::vector<Certificate> certs)
      : VerifierBase(Provider::paypal, std::move(o)), certs_(std::move(certs)) {}

 protected:
  result<bool> authenticate(const Delivery& d) const override {
    ODOOSYNC_TRY(id, single_header(d, "PAYPAL-TRANSMISSION-ID"));
    ODOOSYNC_TRY(time, single_header(d, "PAYPAL-TRANSMISSION-TIME"));
    ODOOSYNC_TRY(algo, single_header(d, "PAYPAL-AUTH-ALGO"));
    ODOOSYNC_TRY(sig_text, single_header(d, "PAYPAL-TRANSMISSION-SIG"));
    // The header's value is not shown: nothing a sender wrote is echoed into an error.
    if (algo != "SHA256withRSA")
      return Error(ErrorKind::auth, "PAYPAL-AUTH-ALGO is not SHA256withRSA, the only algorithm PayPal signs with");
    auto signature = crypto::base64_decode(sig_text);
    if (!signature) return Error(ErrorKind::auth, "header PAYPAL-TRANSMISSION-SIG is not base64");
    const std::string message = std::string(id) + "|" + std::string(time) + "|" + options().paypal_webhook_id + "|" +
                                std::to_string(crypto::crc32(d.body));
    std::optional<Error> validity;
    bool match = false;
    for (const auto& cert : certs_) {
      if (auto valid = cert.check_valid_at(d.received_at); !valid) {
        if (!validity) validity = valid.error();
        continue;
      }
      match = cert.verify_rsa_sha256(message, *signature) || match;
    }
    if (!match) {
      if (validity && certs_.size() == 1) return *validity;
      return Error(ErrorKind::auth, "signature mismatch (PAYPAL-TRANSMISSION-SIG verifies with none of the " +
                                        std::to_string(certs_.size()) + " configured certificates valid now" +
                                        (validity ? "; " + validity->message() : std::string()) + ")");
    }
    if (options().tolerance && options().tolerance->count() > 0) {
      auto sent = retail::Timestamp::parse(time);
      if (!sent) return Error(ErrorKind::auth, "PAYPAL-TRANSMISSION-TIME is not an RFC 3339 time");
      const auto now = retail::Timestamp::from(d.received_at).seconds;
      if (now - sent.value().seconds > options().tolerance->count())
        return Error(ErrorKind::auth, "transmission time " + std::to_string(now - sent.value().seconds) +
                                          " s old (tolerance " + std::to_string(options().tolerance->count()) + " s)");
    }
    return false;
  }

  result<std::string> find_id(const Delivery& d) const override { return body_string(d, {"id"}); }

 private:
  std::vector<Certificate> certs_;
};

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

}  // namespace

result<std::unique_ptr<Verifier>> make_paypal(VerifierOptions o) {
  if (o.paypal_webhook_id.empty()) return Error::validation("PayPal: no webhook_id configured");
  if (o.paypal_certificates_pem.empty()) return Error::validation("PayPal: no certificate configured");
  std::vector<Certificate> certs;
  for (std::size_t i = 0; i < o.paypal_certificates_pem.size(); ++i) {
    auto cert = Certificate::from_pem(o.paypal_certificates_pem[i]);
    if (!cert) return std::move(cert.error()).with_message_prefix("PayPal certificate " + std::to_string(i + 1));
    // PayPal's SDK accepts only its message-verification certificates.
    const std::string cn = cert.value().subject_common_name();
    if (cn.rfind("messageverificationcerts", 0) != 0 || !ends_with(cn, ".paypal.com"))
      return Error::validation("PayPal certificate " + std::to_string(i + 1) + ": subject CN " + cn +
                               " is not messageverificationcerts...paypal.com");
    certs.push_back(std::move(cert.value()));
  }
  return std::unique_ptr<Verifier>(std::make_unique<PayPalVerifier>(std::move(o), std::move(certs)));
}

}  // namespace channels::detail
}  // namespace v0
}  // namespace odoosync
