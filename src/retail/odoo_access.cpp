// What each event type's effect needs from Odoo's access rights (odoo_mapping.hpp), written from the
// effects in odoo_mapping.cpp and resolver.cpp and checked against their calls on the emulator.
#include <odoosync/retail/events.hpp>
#include <odoosync/retail/odoo_mapping.hpp>

#include <algorithm>
#include <map>

namespace odoosync {
inline namespace v0 {
namespace retail {

namespace {

struct Need {
  std::string_view model;
  std::string_view ops;  // r, w, c, u
};

// The models every effect that loads records under our external ids touches besides its own.
constexpr Need xmlids{"ir.model.data", "rc"};

std::vector<Need> needs_of(std::string_view type) {
  if (type == ProductUpserted::type)
    return {{"product.product", "rwc"}, xmlids, {"product.category", "r"}, {"uom.uom", "r"}};
  if (type == PriceChanged::type) return {{"product.product", "rwc"}, xmlids};
  if (type == CustomerUpserted::type) return {{"res.partner", "rwc"}, xmlids, {"res.country", "r"}};
  if (type == StockAdjusted::type)  // deltas: a validated transfer; counts: quants applied in inventory mode
    return {{"stock.picking", "rwc"}, {"stock.move", "rc"},        {"stock.quant", "rwc"},   {"stock.location", "r"},
            {"stock.warehouse", "r"}, {"stock.picking.type", "r"}, {"product.product", "r"}, xmlids};
  if (type == StockReserved::type || type == StockReleased::type) return {};
  if (type == GoodsReceived::type || type == TransferCompleted::type)
    return {{"stock.picking", "rwc"},    {"stock.move", "rc"},     {"stock.location", "r"}, {"stock.warehouse", "r"},
            {"stock.picking.type", "r"}, {"product.product", "r"}, {"res.partner", "r"},    xmlids};
  if (type == OrderCreated::type)
    return {{"sale.order", "rwc"},    {"sale.order.line", "rc"}, {"res.partner", "r"},
            {"stock.warehouse", "r"}, {"product.product", "r"},  xmlids};
  if (type == OrderCancelled::type) return {{"sale.order", "rw"}};
  if (type == PaymentCaptured::type)
    return {{"account.payment", "rwc"}, {"account.journal", "r"}, {"sale.order", "r"}, xmlids};
  if (type == RefundApproved::type || type == InvoicePosted::type)
    return {
        {"account.move", "rwc"}, {"account.move.line", "rc"}, {"sale.order", "r"}, {"product.product", "r"}, xmlids};
  if (type == ShipmentDispatched::type) return {{"stock.picking", "rw"}, {"sale.order", "r"}};
  if (type == ShipmentTracked::type)  // the tracking number on the picking, one chatter note under our external id
    return {
        {"stock.picking", "rw"}, {"sale.order", "r"}, {"mail.message", "rwc"}, {"mail.message.subtype", "r"}, xmlids};
  return {};
}

}  // namespace

std::vector<ModelAccess> odoo_access_needed(std::span<const std::string_view> types) {
  std::map<std::string, ModelAccess, std::less<>> by_model;
  auto add = [&](std::string_view type) {
    for (const auto& n : needs_of(type)) {
      auto& a = by_model[std::string(n.model)];
      a.model = std::string(n.model);
      a.read = a.read || n.ops.find('r') != std::string_view::npos;
      a.write = a.write || n.ops.find('w') != std::string_view::npos;
      a.create = a.create || n.ops.find('c') != std::string_view::npos;
      a.unlink = a.unlink || n.ops.find('u') != std::string_view::npos;
    }
  };
  if (types.empty()) {
    for (auto t : event_types()) add(t);
  } else {
    for (auto t : types) add(t);
  }
  std::vector<ModelAccess> out;
  for (auto& [_, a] : by_model) out.push_back(std::move(a));
  return out;
}

}  // namespace retail
}  // namespace v0
}  // namespace odoosync
