// libFuzzer target: a webhook delivery through channels::parse_header_lines and every provider's
// verifier, and the strict base64/hex decoders, with the fuzzer's bytes.
// Input: one byte choosing the provider (modulo 9), then header lines ("Name: value"; a header X-Fuzz-Url
// gives the delivery's URL), a blank line, and the body.
// Invariants: parsed header names are non-empty RFC 9110 tokens and values hold no line break and no
// surrounding blanks, a refused header file is a validation error naming its line; a refused delivery
// is an auth or validation error starting "<Provider> delivery refused: " that never shows the secret;
// an accepted one has a delivery id equal to delivery_id()'s, and is a WooCommerce ping, or carries the
// token (Shippo, Odoo), or came from the queue (Amazon) — a keyed provider accepting a forged HMAC or
// RSA signature breaks `channel.forged`; base64 and hex decode only canonical text (re-encoding gives
// the input back).
#include <odoosync/channels/crypto.hpp>
#include <odoosync/channels/verifier.hpp>

#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"

using namespace odoosync;
using namespace odoosync::channels;
using odoosync_fuzz::check;
using odoosync_fuzz::shown;

namespace {

constexpr std::string_view secret = "fuzz-secret-0123456789";
constexpr std::string_view queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/fuzz";

std::string certificate() {
  std::ifstream in(std::string(ODOOSYNC_TEST_DATA_DIR) + "/channels/paypal/other-test.crt");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::vector<std::unique_ptr<Verifier>>& verifiers() {
  static const auto all = [] {
    std::vector<std::unique_ptr<Verifier>> out;
    for (int i = 0; i < 9; ++i) {
      VerifierOptions o;
      o.secrets.emplace_back(std::string(secret));
      o.secrets.emplace_back(std::string(secret) + "-old");
      o.max_body_bytes = 4096;
      o.paypal_webhook_id = "FUZZWEBHOOK";
      o.paypal_certificates_pem = {certificate()};
      o.amazon_queue_urls = {std::string(queue)};
      auto v = make_verifier(static_cast<Provider>(i), std::move(o));
      if (!v) {
        std::fprintf(stderr, "fuzz: cannot make the %s verifier: %s\n",
                     std::string(to_string(static_cast<Provider>(i))).c_str(), v.error().message().c_str());
        std::abort();
      }
      out.push_back(std::move(v.value()));
    }
    return out;
  }();
  return all;
}

std::string_view label_of(Provider p) {
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

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto provider = static_cast<Provider>(data[0] % 9);
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  // The decoders on the whole text.
  if (auto b = crypto::base64_decode(text))
    check(crypto::base64_encode(*b) == text, "channel.base64_canonical", [&] { return shown(text); });
  if (auto h = crypto::hex_decode(text))
    check(crypto::hex_encode(*h) == lower(text), "channel.hex_canonical", [&] { return shown(text); });

  const auto split = text.find("\n\n");
  const std::string_view header_text = text.substr(0, split);
  auto headers = parse_header_lines(header_text);
  if (!headers) {
    check(headers.error().kind() == ErrorKind::validation && headers.error().message().rfind("header line ", 0) == 0,
          "channel.header_refusal", [&] { return headers.error().message(); });
    return 0;
  }
  for (const auto& field : headers.value()) {
    const std::string& name = field.first;  // (clang 14 cannot capture structured bindings)
    const std::string& value = field.second;
    bool token = !name.empty();
    for (char c : name)
      token =
          token && c > 0x20 && c < 0x7F && std::string_view("\"(),/:;<=>?@[\\]{}").find(c) == std::string_view::npos;
    check(token, "channel.header_name", [&] { return shown(name); });
    check(value.find('\n') == std::string::npos && (value.empty() || (value.front() != ' ' && value.front() != '\t' &&
                                                                      value.back() != ' ' && value.back() != '\t')),
          "channel.header_value", [&] { return shown(value); });
  }

  Delivery d;
  d.headers = headers.value();
  d.body = split == std::string_view::npos ? std::string() : std::string(text.substr(split + 2));
  d.url = std::string(d.headers.get("X-Fuzz-Url").value_or(""));
  d.received_at = std::chrono::system_clock::time_point(std::chrono::seconds{1800000000});
  const Verifier& v = *verifiers()[static_cast<std::size_t>(provider)];
  auto verdict = v.verify(d);
  auto id = v.delivery_id(d);
  if (!verdict) {
    const auto& e = verdict.error();
    check(e.kind() == ErrorKind::auth || e.kind() == ErrorKind::validation, "channel.refusal_kind",
          [&] { return e.to_string(); });
    check(e.message().rfind(std::string(label_of(provider)) + " delivery refused: ", 0) == 0, "channel.refusal_text",
          [&] { return e.message(); });
    check(e.message().find(secret) == std::string::npos, "channel.secret_shown", [&] { return e.message(); });
    return 0;
  }
  check(id && id.value() == verdict.value().delivery_id, "channel.id", [&] { return shown(d.body); });
  check(!verdict.value().delivery_id.empty() || verdict.value().ping, "channel.empty_id");
  switch (provider) {
    case Provider::woocommerce:
      check(verdict.value().ping && !d.headers.contains("X-WC-Webhook-Signature"), "channel.forged",
            [&] { return shown(text); });
      break;
    case Provider::shippo:
    case Provider::odoo: check(d.url.find(secret) != std::string::npos, "channel.forged", [&] { return d.url; }); break;
    case Provider::amazon: check(d.url == queue, "channel.forged", [&] { return d.url; }); break;
    default: check(false, "channel.forged", [&] { return shown(text); });
  }
  return 0;
}
