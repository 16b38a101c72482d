// Identifiers of retail things: SKUs, barcodes, locations, channels and references. Each is a string
// with rules (docs/events.md); check() says what is wrong, in the words the event decoder uses.
#pragma once

#include <string>
#include <string_view>

#include <odoosync/core/result.hpp>

namespace odoosync {
inline namespace v0 {
namespace retail {

// 1–64 characters, no control characters, no leading/trailing space, no "@" (it separates subjects).
struct Sku {
  std::string value;
  static result<Sku> parse(std::string_view text);
  friend bool operator==(const Sku&, const Sku&) = default;
};

// Printable ASCII, 1–48; an all-digit code of 8, 12, 13 or 14 digits is a GTIN and its check digit counts.
struct Barcode {
  std::string value;
  static result<Barcode> parse(std::string_view text);
  friend bool operator==(const Barcode&, const Barcode&) = default;
};

// Odoo's full location name, "WH/Stock": segments split by "/", the first one the warehouse code.
struct LocationRef {
  std::string value;
  static result<LocationRef> parse(std::string_view text);
  std::string_view warehouse() const noexcept { return std::string_view(value).substr(0, value.find('/')); }
  friend bool operator==(const LocationRef&, const LocationRef&) = default;
};

// "<kind>/<name>", e.g. "pos/store-12", "web/shop", "marketplace/amazon-de".
struct ChannelRef {
  std::string value;
  static result<ChannelRef> parse(std::string_view text);
  std::string_view kind() const noexcept { return std::string_view(value).substr(0, value.find('/')); }
  friend bool operator==(const ChannelRef&, const ChannelRef&) = default;
};

namespace rules {
// Each returns an empty view when `text` passes, else the complaint ("must not be empty", ...).
std::string check_sku(std::string_view text);
std::string check_barcode(std::string_view text);
std::string check_location(std::string_view text);
std::string check_channel(std::string_view text);
// A reference (order number, payment id, customer ref): 1–64, no control characters, no edge spaces.
std::string check_reference(std::string_view text);
// A carrier's tracking number: 1–128, no control characters, no edge spaces.
std::string check_tracking_number(std::string_view text);
}  // namespace rules

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
