// EasyPost: X-Hmac-Signature is `hmac-sha256-hex=<lower-case hex>`, the HMAC-SHA256 of the raw body keyed
// with the NFKD normalisation of the webhook secret, UTF-8 encoded. odoosync links no Unicode library,
// so it does not normalise: an ASCII secret is its own NFKD form; a secret with other characters is
// refused at configuration unless it is declared stored already normalised (secret_is_nfkd), e.g. with
//   python3 -c 'import unicodedata,sys; sys.stdout.write(unicodedata.normalize("NFKD", sys.stdin.read()))'
// The delivery id is the Event's `id` (evt_...); its body changes between attempts (pending_urls), so a
// hash of it would not do.
#include <odoosync/channels/crypto.hpp>

#include "verifier_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels::detail {

namespace {

constexpr std::string_view signature_name = "X-Hmac-Signature";
constexpr std::string_view scheme = "hmac-sha256-hex=";

class EasyPostVerifier final : public VerifierBase {
 public:
  explicit EasyPostVerifier(VerifierOptions o) : VerifierBase(Provider::easypost, std::move(o)) {}

 protected:
  result<bool> authenticate(const Delivery& d) const override {
    ODOOSYNC_TRY(header, single_header(d, signature_name));
    if (header.substr(0, scheme.size()) != scheme)
      return Error(ErrorKind::auth, "header X-Hmac-Signature does not start with hmac-sha256-hex=");
    auto received = crypto::hex_decode(header.substr(scheme.size()));
    if (!received) return Error(ErrorKind::auth, "header X-Hmac-Signature is not hexadecimal after hmac-sha256-hex=");
    bool match = false;
    for (const auto& s : options().secrets)
      match = crypto::constant_time_equal(crypto::hmac_sha256(s.reveal(), d.body), *received) || match;
    if (!match) return mismatch(signature_name, options().secrets.size());
    return false;
  }

  result<std::string> find_id(const Delivery& d) const override { return body_string(d, {"id"}); }
};

bool ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

}  // namespace

result<std::unique_ptr<Verifier>> make_easypost(VerifierOptions o) {
  ODOOSYNC_TRYV(require_secrets(Provider::easypost, o));
  if (!o.easypost_secret_is_nfkd) {
    for (std::size_t i = 0; i < o.secrets.size(); ++i)
      if (!ascii(o.secrets[i].reveal()))
        return Error::validation(
            "EasyPost: secret " + std::to_string(i + 1) +
            " has non-ASCII characters; EasyPost signs with the secret's NFKD form and odoosync does not "
            "normalise Unicode: store the secret NFKD-normalised and set secret_is_nfkd");
  }
  return std::unique_ptr<Verifier>(std::make_unique<EasyPostVerifier>(std::move(o)));
}

}  // namespace channels::detail
}  // namespace v0
}  // namespace odoosync
