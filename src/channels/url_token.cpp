// Shippo and Odoo: neither signs its webhooks, so the URL they post to carries a secret token, compared
// in constant time (as digests, so not even its length shows). Shippo documents it as a query parameter
// (`?token=...`); Odoo's "Send Webhook Notification" posts to whatever URL the action holds, so the token
// may be the query parameter or the URL's last path segment. A token proves the sender knows the URL,
// not that the body is unchanged: these channels read the truth back (Odoo) or carry little (Shippo).
// Delivery ids, since neither sends one: Shippo `<carrier>:<tracking number>:<tracking_status.object_id>`
// (the status object is new for each status), else the body's SHA-256; Odoo `<_model>:<_id>:<write_date>`
// when the action sends write_date, else `<_model>:<_id>:<16 hex of the body's SHA-256>@<arrival second>`
// (Odoo never retries, so this only folds a proxy's repeat within one second).
#include <odoosync/channels/crypto.hpp>

#include "verifier_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels::detail {

namespace {

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      auto byte = crypto::hex_decode(s.substr(i + 1, 2));
      if (byte) {
        out += *byte;
        i += 2;
        continue;
      }
    }
    out += plus_is_space && s[i] == '+' ? ' ' : s[i];
  }
  return out;
}

// The candidate tokens of a URL: the query parameter `name` (every occurrence), and the last path
// segment when `path_too`.
std::vector<std::string> tokens_of(std::string_view url, std::string_view name, bool path_too) {
  std::vector<std::string> out;
  url = url.substr(0, url.find('#'));
  const auto q = url.find('?');
  std::string_view path = url.substr(0, q),
                   query = q == std::string_view::npos ? std::string_view() : url.substr(q + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && percent_decode(pair.substr(0, eq), true) == name)
      out.push_back(percent_decode(pair.substr(eq + 1), true));
  }
  if (path_too) {
    if (const auto scheme = path.find("://"); scheme != std::string_view::npos) {
      path = path.substr(scheme + 3);
      const auto slash = path.find('/');
      path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
    }
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    const auto slash = path.rfind('/');
    if (slash != std::string_view::npos && slash + 1 < path.size())
      out.push_back(percent_decode(path.substr(slash + 1), false));
  }
  return out;
}

class UrlTokenVerifier final : public VerifierBase {
 public:
  UrlTokenVerifier(Provider p, VerifierOptions o) : VerifierBase(p, std::move(o)) {
    for (const auto& s : options().secrets) digests_.push_back(crypto::sha256(s.reveal()));
  }

 protected:
  std::string_view proof() const noexcept override { return "token"; }

  result<bool> authenticate(const Delivery& d) const override {
    const bool odoo = provider() == Provider::odoo;
    const auto candidates = tokens_of(d.url, options().token_parameter, odoo);
    if (candidates.empty()) return Error(ErrorKind::auth, "the URL has no " + options().token_parameter + " parameter");
    bool match = false;
    for (const auto& c : candidates) {
      const std::string digest = crypto::sha256(c);
      for (const auto& expected : digests_) match = crypto::constant_time_equal(digest, expected) || match;
    }
    if (!match)
      return Error(ErrorKind::auth, "the URL's token matches none of the " + std::to_string(digests_.size()) +
                                        (digests_.size() == 1 ? " configured token" : " configured tokens"));
    return false;
  }

  result<std::string> find_id(const Delivery& d) const override {
    ODOOSYNC_TRY(doc, body_json(d));
    if (provider() == Provider::shippo) {
      const json::Value* data = json::find(doc, "data");
      const json::Value* carrier = data ? json::find(*data, "carrier") : nullptr;
      const json::Value* number = data ? json::find(*data, "tracking_number") : nullptr;
      const json::Value* status = data ? json::find(*data, "tracking_status") : nullptr;
      const json::Value* object_id = status ? json::find(*status, "object_id") : nullptr;
      if (carrier && number && object_id && carrier->IsString() && number->IsString() && object_id->IsString() &&
          object_id->GetStringLength() > 0)
        return std::string(json::text(*carrier)) + ":" + std::string(json::text(*number)) + ":" +
               std::string(json::text(*object_id));
      return "sha256:" + crypto::hex_encode(crypto::sha256(d.body));
    }
    const json::Value* model = json::find(doc, "_model");
    const json::Value* id = json::find(doc, "_id");
    if (!model || !model->IsString() || !id || !id->IsInt64())
      return Error::validation("the body has no _model and _id (is it Odoo's webhook notification?)");
    std::string out = std::string(json::text(*model)) + ":" + std::to_string(id->GetInt64()) + ":";
    if (const json::Value* wd = json::find(doc, "write_date"); wd && wd->IsString() && wd->GetStringLength() > 0)
      return out + std::string(json::text(*wd));
    const auto second = std::chrono::duration_cast<std::chrono::seconds>(d.received_at.time_since_epoch()).count();
    return out + crypto::hex_encode(crypto::sha256(d.body)).substr(0, 16) + "@" + std::to_string(second);
  }

 private:
  std::vector<std::string> digests_;
};

}  // namespace

std::unique_ptr<Verifier> make_url_token(Provider provider, VerifierOptions o) {
  return std::make_unique<UrlTokenVerifier>(provider, std::move(o));
}

}  // namespace channels::detail
}  // namespace v0
}  // namespace odoosync
