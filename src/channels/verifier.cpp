// The verifier skeleton every provider shares, provider names, and make_verifier.
#include <odoosync/channels/verifier.hpp>

#include "verifier_base.hpp"

#include <array>

namespace odoosync {
inline namespace v0 {
namespace channels {

namespace {
constexpr std::array<std::string_view, 9> names = {"shopify",  "woocommerce", "stripe", "paypal", "square",
                                                   "easypost", "shippo",      "odoo",   "amazon"};
}

std::string_view to_string(Provider p) noexcept { return names[static_cast<std::size_t>(p)]; }

std::optional<Provider> parse_provider(std::string_view name) noexcept {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (http::iequals(names[i], name)) return static_cast<Provider>(i);
  return std::nullopt;
}

namespace detail {

std::string_view label(Provider p) noexcept {
  switch (p) {
    case Provider::shopify: return "Shopify";
    case Provider::woocommerce: return "WooCommerce";
    case Provider::stripe: return "Stripe";
    case Provider::paypal: return "PayPal";
    case Provider::square: return "Square";
    case Provider::easypost: return "EasyPost";
    case Provider::shippo: return "Shippo";
    case Provider::odoo: return "Odoo";
    case Provider::amazon: return "Amazon SP-API";
  }
  return "?";
}

result<Verification> VerifierBase::verify(const Delivery& delivery) const {
  const std::string prefix = std::string(label(provider_)) + " delivery refused";
  if (delivery.body.size() > options_.max_body_bytes)
    return Error::validation(prefix + ": the body is " + std::to_string(delivery.body.size()) +
                             " bytes, over the limit of " + std::to_string(options_.max_body_bytes));
  auto ping = authenticate(delivery);
  if (!ping) return std::move(ping.error()).with_message_prefix(prefix);
  auto id = find_id(delivery);
  if (!id) return Error::validation(prefix + ": " + std::string(proof()) + " holds, but " + id.error().message());
  return Verification{.delivery_id = std::move(id.value()), .ping = ping.value()};
}

result<std::string> VerifierBase::delivery_id(const Delivery& delivery) const {
  auto id = find_id(delivery);
  if (!id) return Error::validation(std::string(label(provider_)) + " delivery: " + id.error().message());
  return id;
}

result<std::string_view> single_header(const Delivery& delivery, std::string_view name) {
  std::optional<std::string_view> found;
  for (const auto& [n, v] : delivery.headers) {
    if (!http::iequals(n, name)) continue;
    if (found) return Error(ErrorKind::auth, "header " + std::string(name) + " appears more than once");
    found = v;
  }
  if (!found || found->empty()) return Error(ErrorKind::auth, "missing header " + std::string(name));
  return *found;
}

Error mismatch(std::string_view what, std::size_t secrets) {
  return Error(ErrorKind::auth, "signature mismatch (" + std::string(what) + " matches none of the " +
                                    std::to_string(secrets) +
                                    (secrets == 1 ? " configured secret)" : " configured secrets)"));
}

result<json::Document> body_json(const Delivery& delivery) {
  auto doc = json::parse(delivery.body, json::Limits{.max_bytes = delivery.body.size() + 1, .max_depth = 128});
  if (!doc) return Error::validation("the body is not JSON (" + doc.error().message() + ")");
  return doc;
}

result<std::string> body_string(const Delivery& delivery, std::initializer_list<std::string_view> path) {
  ODOOSYNC_TRY(doc, body_json(delivery));
  const json::Value* v = &doc;
  std::string dotted;
  for (auto key : path) {
    dotted += (dotted.empty() ? "" : ".") + std::string(key);
    v = json::find(*v, key);
    if (!v) break;
  }
  if (!v || !v->IsString() || v->GetStringLength() == 0) return Error::validation("the body has no " + dotted);
  return std::string(json::text(*v));
}

result<void> require_secrets(Provider provider, const VerifierOptions& options, std::string_view what) {
  if (options.secrets.empty())
    return Error::validation(std::string(label(provider)) + ": no " + std::string(what) + " configured");
  for (const auto& s : options.secrets)
    if (s.empty())
      return Error::validation(std::string(label(provider)) + ": an empty " + std::string(what) + " is configured");
  return success();
}

}  // namespace detail

result<std::unique_ptr<Verifier>> make_verifier(Provider provider, VerifierOptions options) {
  using namespace detail;
  if (options.max_body_bytes == 0) return Error::validation(std::string(label(provider)) + ": max_body_bytes is 0");
  if (options.tolerance && options.tolerance->count() < 0)
    return Error::validation(std::string(label(provider)) + ": a negative tolerance");
  switch (provider) {
    case Provider::paypal: return make_paypal(std::move(options));
    case Provider::amazon: return make_amazon(std::move(options));
    case Provider::easypost: return make_easypost(std::move(options));
    default: break;
  }
  const std::string_view what = provider == Provider::shippo || provider == Provider::odoo ? "token" : "secret";
  ODOOSYNC_TRYV(require_secrets(provider, options, what));
  switch (provider) {
    case Provider::shopify: return make_shopify(std::move(options));
    case Provider::woocommerce: return make_woocommerce(std::move(options));
    case Provider::stripe: return make_stripe(std::move(options));
    case Provider::square: return make_square(std::move(options));
    case Provider::shippo:
    case Provider::odoo: return make_url_token(provider, std::move(options));
    default: break;
  }
  return Error::validation("unknown provider");
}

}  // namespace channels
}  // namespace v0
}  // namespace odoosync
