#include <odoosync/retail/money.hpp>
#include <odoosync/retail/quantity.hpp>

#include <algorithm>
#include <limits>

#include "amounts.hpp"
#include "decimal_text.hpp"

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace {
using detail::i128;
using detail::u128;

struct CurrencyInfo {
  const char* code;
  std::uint8_t exponent;
};

// ISO 4217 active codes with their minor-unit exponents, sorted by code.
constexpr CurrencyInfo currencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2}, {"AWG", 2},
    {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2},
    {"BOB", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2},
    {"CHF", 2}, {"CLF", 4}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2},
    {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2},
    {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2},
    {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2},
    {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2},
    {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2},
    {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2},
    {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2},
    {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2}, {"PKR", 2},
    {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2},
    {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2},
    {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2},
    {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYI", 0}, {"UYU", 2},
    {"UYW", 4}, {"UZS", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XOF", 0},
    {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();

}  // namespace

result<Currency> Currency::of(std::string_view code) {
  if (code.size() == 3) {
    auto it =
        std::lower_bound(std::begin(currencies), std::end(currencies), code,
                         [](const CurrencyInfo& c, std::string_view k) { return std::string_view(c.code, 3) < k; });
    if (it != std::end(currencies) && std::string_view(it->code, 3) == code) {
      Currency c;
      std::copy_n(it->code, 3, c.code_.begin());
      c.exponent_ = it->exponent;
      return c;
    }
  }
  return Error::validation("unknown currency \"" + std::string(code) + "\"");
}

result<Money> Money::parse(std::string_view amount, std::string_view currency_code) {
  ODOOSYNC_TRY(c, Currency::of(currency_code));
  return parse(amount, c);
}

std::optional<std::int64_t> detail::money_minor_units(std::string_view amount, int exponent) noexcept {
  const auto d = detail::parse_decimal_text(amount);
  if (!d.ok || d.too_many_digits || d.decimals > exponent) return std::nullopt;
  const i128 v = d.digits * detail::pow10_128(exponent - d.decimals);
  if (v >= static_cast<i128>(1'000'000'000'000'000'000)) return std::nullopt;  // 18 digits in minor units
  return static_cast<std::int64_t>(d.negative ? -v : v);
}

result<Money> Money::parse(std::string_view amount, Currency currency) {
  if (auto minor = detail::money_minor_units(amount, currency.exponent())) return Money(*minor, currency);
  // Refused: say why.
  const auto d = detail::parse_decimal_text(amount);
  if (!d.ok) return Error::validation("must be a decimal string such as \"12.50\"");
  if (d.too_many_digits) return Error::validation("is out of range");
  if (d.decimals > currency.exponent()) {
    return Error::validation("has " + std::to_string(d.decimals) + " decimal places; " + std::string(currency.code()) +
                             " allows " + std::to_string(currency.exponent()));
  }
  return Error::validation("is out of range");  // 18 digits in minor units
}

std::string Money::amount() const { return detail::format_fixed(minor_, currency_.exponent()); }
std::string Money::to_string() const { return amount() + " " + std::string(currency_.code()); }

result<Money> Money::plus(const Money& other) const {
  if (!(currency_ == other.currency_)) {
    return Error::validation("cannot add " + std::string(other.currency_.code()) + " to " +
                             std::string(currency_.code()));
  }
  std::int64_t r = 0;
  if (__builtin_add_overflow(minor_, other.minor_, &r)) return Error::validation("amount is out of range");
  return Money(r, currency_);
}

result<Money> Money::minus(const Money& other) const {
  if (!(currency_ == other.currency_)) {
    return Error::validation("cannot subtract " + std::string(other.currency_.code()) + " from " +
                             std::string(currency_.code()));
  }
  std::int64_t r = 0;
  if (__builtin_sub_overflow(minor_, other.minor_, &r)) return Error::validation("amount is out of range");
  return Money(r, currency_);
}

std::optional<std::int64_t> detail::quantity_micro_units(std::string_view value) noexcept {
  const auto d = detail::parse_decimal_text(value);
  if (!d.ok || d.too_many_digits || d.decimals > 6) return std::nullopt;
  const i128 v = d.digits * detail::pow10_128(6 - d.decimals);
  if (v >= static_cast<i128>(1'000'000'000'000) * Quantity::scale) return std::nullopt;
  return static_cast<std::int64_t>(d.negative ? -v : v);
}

result<Quantity> Quantity::parse(std::string_view value, std::string uom) {
  if (auto micros = detail::quantity_micro_units(value)) return Quantity(*micros, std::move(uom));
  // Refused: say why.
  const auto d = detail::parse_decimal_text(value);
  if (!d.ok) return Error::validation("must be a decimal string such as \"12.50\"");
  if (d.too_many_digits) return Error::validation("is out of range");
  if (d.decimals > 6) {
    return Error::validation("has " + std::to_string(d.decimals) + " decimal places; at most 6 allowed");
  }
  return Error::validation("is out of range");
}

std::string Quantity::value() const {
  std::string s = detail::format_fixed(micros_, 6);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

result<Quantity> Quantity::plus(const Quantity& other) const {
  if (uom_ != other.uom_) return Error::validation("cannot add " + other.uom_ + " to " + uom_);
  std::int64_t r = 0;
  if (__builtin_add_overflow(micros_, other.micros_, &r)) return Error::validation("quantity is out of range");
  return Quantity(r, uom_);
}

std::optional<std::int64_t> detail::extended_minor_units(std::int64_t micro_units,
                                                         std::int64_t unit_minor_units) noexcept {
  const i128 p = static_cast<i128>(micro_units) * unit_minor_units;
  const i128 half = Quantity::scale / 2;
  i128 q = p / Quantity::scale;
  const i128 rem = p % Quantity::scale;
  if (rem >= half)
    ++q;  // half away from zero, positive side
  else if (rem <= -half)
    --q;  // and negative side
  if (q > i64_max || q < -i64_max) return std::nullopt;
  return static_cast<std::int64_t>(q);
}

result<Money> extend(const Quantity& quantity, const Money& unit_price) {
  auto minor = detail::extended_minor_units(quantity.micro_units(), unit_price.minor_units());
  if (!minor) return Error::validation("amount is out of range");
  return Money(*minor, unit_price.currency());
}

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
