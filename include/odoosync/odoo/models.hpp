// Typed records for the retail models, with the fields that have the same name and meaning on Odoo
// 17, 18 and 19 (sale.order.line's UoM and taxes were renamed in 19, so they are left out here; map
// them in your own struct for your version).
#pragma once

#include <odoosync/odoo/record.hpp>

namespace odoosync {
inline namespace v0 {
namespace odoo {

struct Product {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> default_code;  // internal reference, the usual SKU
  std::optional<std::string> barcode;
  Decimal list_price;
  Many2one uom_id;
  Many2one categ_id;
  bool sale_ok = false;
  bool active = true;
  DateTime write_date;
};

struct Partner {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> email;
  std::optional<std::string> phone;
  std::optional<std::string> ref;
  bool is_company = false;
  Many2one parent_id;
  DateTime write_date;
};

struct StockQuant {
  std::int64_t id = 0;
  Many2one product_id;
  Many2one location_id;
  Decimal quantity;
  Decimal reserved_quantity;
  Decimal inventory_quantity;
  DateTime write_date;
};

struct Location {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> complete_name;
  std::string usage;  // internal, view, supplier, customer, inventory, transit
  Many2one warehouse_id;
  bool active = true;
};

struct Warehouse {
  std::int64_t id = 0;
  std::string name;
  std::string code;
  Many2one lot_stock_id;
};

struct SaleOrder {
  std::int64_t id = 0;
  std::string name;
  Many2one partner_id;
  std::string state;
  std::optional<std::string> client_order_ref;
  DateTime date_order;
  Decimal amount_untaxed;
  Decimal amount_total;
  Many2one currency_id;
  DateTime write_date;
};

struct SaleOrderLine {
  std::int64_t id = 0;
  Many2one order_id;
  Many2one product_id;
  std::string name;
  Decimal product_uom_qty;
  Decimal price_unit;
  Decimal discount;
  Decimal price_subtotal;
  Decimal price_total;
};

template <>
struct RecordSchema<Product> {
  static constexpr std::string_view model = "product.product";
  static constexpr auto fields =
      std::make_tuple(map_field("id", &Product::id), map_field("name", &Product::name),
                      map_field("default_code", &Product::default_code), map_field("barcode", &Product::barcode),
                      map_field("list_price", &Product::list_price), map_field("uom_id", &Product::uom_id),
                      map_field("categ_id", &Product::categ_id), map_field("sale_ok", &Product::sale_ok),
                      map_field("active", &Product::active), map_field("write_date", &Product::write_date));
};

template <>
struct RecordSchema<Partner> {
  static constexpr std::string_view model = "res.partner";
  static constexpr auto fields =
      std::make_tuple(map_field("id", &Partner::id), map_field("name", &Partner::name),
                      map_field("email", &Partner::email), map_field("phone", &Partner::phone),
                      map_field("ref", &Partner::ref), map_field("is_company", &Partner::is_company),
                      map_field("parent_id", &Partner::parent_id), map_field("write_date", &Partner::write_date));
};

template <>
struct RecordSchema<StockQuant> {
  static constexpr std::string_view model = "stock.quant";
  static constexpr auto fields =
      std::make_tuple(map_field("id", &StockQuant::id), map_field("product_id", &StockQuant::product_id),
                      map_field("location_id", &StockQuant::location_id), map_field("quantity", &StockQuant::quantity),
                      map_field("reserved_quantity", &StockQuant::reserved_quantity),
                      map_field("inventory_quantity", &StockQuant::inventory_quantity),
                      map_field("write_date", &StockQuant::write_date));
};

template <>
struct RecordSchema<Location> {
  static constexpr std::string_view model = "stock.location";
  static constexpr auto fields =
      std::make_tuple(map_field("id", &Location::id), map_field("name", &Location::name),
                      map_field("complete_name", &Location::complete_name), map_field("usage", &Location::usage),
                      map_field("warehouse_id", &Location::warehouse_id), map_field("active", &Location::active));
};

template <>
struct RecordSchema<Warehouse> {
  static constexpr std::string_view model = "stock.warehouse";
  static constexpr auto fields =
      std::make_tuple(map_field("id", &Warehouse::id), map_field("name", &Warehouse::name),
                      map_field("code", &Warehouse::code), map_field("lot_stock_id", &Warehouse::lot_stock_id));
};

template <>
struct RecordSchema<SaleOrder> {
  static constexpr std::string_view model = "sale.order";
  static constexpr auto fields = std::make_tuple(
      map_field("id", &SaleOrder::id), map_field("name", &SaleOrder::name),
      map_field("partner_id", &SaleOrder::partner_id), map_field("state", &SaleOrder::state),
      map_field("client_order_ref", &SaleOrder::client_order_ref), map_field("date_order", &SaleOrder::date_order),
      map_field("amount_untaxed", &SaleOrder::amount_untaxed), map_field("amount_total", &SaleOrder::amount_total),
      map_field("currency_id", &SaleOrder::currency_id), map_field("write_date", &SaleOrder::write_date));
};

template <>
struct RecordSchema<SaleOrderLine> {
  static constexpr std::string_view model = "sale.order.line";
  static constexpr auto fields = std::make_tuple(
      map_field("id", &SaleOrderLine::id), map_field("order_id", &SaleOrderLine::order_id),
      map_field("product_id", &SaleOrderLine::product_id), map_field("name", &SaleOrderLine::name),
      map_field("product_uom_qty", &SaleOrderLine::product_uom_qty),
      map_field("price_unit", &SaleOrderLine::price_unit), map_field("discount", &SaleOrderLine::discount),
      map_field("price_subtotal", &SaleOrderLine::price_subtotal),
      map_field("price_total", &SaleOrderLine::price_total));
};

}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
