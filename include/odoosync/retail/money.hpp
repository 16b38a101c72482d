// Money: integer minor units of an ISO 4217 currency. Never binary floating point; arithmetic refuses
// to mix currencies and to overflow; decimal strings are parsed and written exactly.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {
namespace retail {

// An ISO 4217 currency: its code and its exponent (EUR 2, JPY 0, KWD 3).
class Currency {
 public:
  Currency() = default;
  // A known code (upper case); anything else is a validation error `unknown currency "XYZ"`.
  static result<Currency> of(std::string_view code);
  std::string_view code() const noexcept { return {code_.data(), 3}; }
  int exponent() const noexcept { return exponent_; }
  friend bool operator==(const Currency& a, const Currency& b) noexcept { return a.code_ == b.code_; }

 private:
  std::array<char, 3> code_{{'X', 'X', 'X'}};  // XXX: "no currency", until set
  std::uint8_t exponent_ = 0;
};

class Money {
 public:
  Money() = default;
  Money(std::int64_t minor_units, Currency currency) noexcept : minor_(minor_units), currency_(currency) {}

  // "12.5" EUR is 1250 minor units; more decimals than the currency has is a validation error naming
  // them ("has 3 decimal places; EUR allows 2"); syntax is -?(0|[1-9][0-9]*)(\.[0-9]+)?, ≤ 18 digits.
  static result<Money> parse(std::string_view amount, std::string_view currency_code);
  static result<Money> parse(std::string_view amount, Currency currency);
  static Money zero(Currency c) noexcept { return Money(0, c); }

  std::int64_t minor_units() const noexcept { return minor_; }
  const Currency& currency() const noexcept { return currency_; }
  // The amount with exactly the currency's decimals: "12.50", "-3.00", "1200" (JPY).
  std::string amount() const;
  // "12.50 EUR"
  std::string to_string() const;

  // Validation error when the currencies differ, storage-free overflow error when out of range.
  result<Money> plus(const Money& other) const;
  result<Money> minus(const Money& other) const;

  bool is_zero() const noexcept { return minor_ == 0; }
  bool is_negative() const noexcept { return minor_ < 0; }
  friend bool operator==(const Money&, const Money&) = default;

 private:
  std::int64_t minor_ = 0;
  Currency currency_;
};

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
