// Quantity: a fixed-point decimal (six decimals, magnitude below 10^12) with its unit of measure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <odoosync/core/result.hpp>
#include <odoosync/retail/money.hpp>

namespace odoosync {
inline namespace v0 {
namespace retail {

class Quantity {
 public:
  static constexpr std::int64_t scale = 1'000'000;  // micro-units
  Quantity() = default;
  Quantity(std::int64_t micro_units, std::string uom) : micros_(micro_units), uom_(std::move(uom)) {}
  static Quantity units(std::int64_t whole, std::string uom = "Units") { return {whole * scale, std::move(uom)}; }

  // "2.5" → 2'500'000 micro-units; at most 6 decimals, magnitude below 10^12.
  static result<Quantity> parse(std::string_view value, std::string uom = "Units");

  std::int64_t micro_units() const noexcept { return micros_; }
  const std::string& uom() const noexcept { return uom_; }
  // Shortest exact form: "2.5", "-3", "0.000001".
  std::string value() const;
  bool is_zero() const noexcept { return micros_ == 0; }
  bool is_negative() const noexcept { return micros_ < 0; }
  bool is_positive() const noexcept { return micros_ > 0; }

  // Same unit required (validation error otherwise); overflow is an error.
  result<Quantity> plus(const Quantity& other) const;

  friend bool operator==(const Quantity&, const Quantity&) = default;

 private:
  std::int64_t micros_ = 0;
  std::string uom_ = "Units";
};

// quantity × unit price, rounded half away from zero to the currency's minor unit; overflow is an error.
result<Money> extend(const Quantity& quantity, const Money& unit_price);

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
