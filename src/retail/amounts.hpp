// Private: what Money::parse, Quantity::parse, extend and Timestamp::parse accept, without a result<>
// (whose Error part is built and destroyed even on success). The public functions are written on top of
// these, so both always agree; the event decoder calls these per field and asks the public function
// for the message only when one of these refuses.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <odoosync/retail/timestamp.hpp>

namespace odoosync {
inline namespace v0 {
namespace retail {
namespace detail {

// Money::parse's minor units of `amount` in a currency with `exponent` decimals.
std::optional<std::int64_t> money_minor_units(std::string_view amount, int exponent) noexcept;
// Quantity::parse's micro-units of `value`.
std::optional<std::int64_t> quantity_micro_units(std::string_view value) noexcept;
// extend's minor units of quantity × unit price (nothing: out of range).
std::optional<std::int64_t> extended_minor_units(std::int64_t micro_units, std::int64_t unit_minor_units) noexcept;
// Timestamp::parse's instant.
std::optional<Timestamp> read_timestamp(std::string_view text) noexcept;

}  // namespace detail
}  // namespace retail
}  // namespace v0
}  // namespace odoosync
