// Odoo's own outgoing webhook ("Send Webhook Notification", Odoo 17+): unsigned, sent once, and in
// Odoo 18 sent from inside the transaction that made the change (before it commits). Its values are
// therefore not taken as data: the delivery names the record that changed, and the host reads the truth
// back from Odoo (the outbound pulls) once it is committed.
#include "map_base.hpp"

namespace odoosync {
inline namespace v0 {
namespace channels {
namespace detail {

result<Mapped> map_odoo(const MapContext& ctx) {
  Reader r("odoo", "");
  ODOOSYNC_TRY(model, r.parse_typed(ctx.delivery.body, "_model"));
  const auto& root = r.root();
  const auto* id = json::find(root, "_id");
  if (!id || !id->IsInt64() || id->GetInt64() <= 0) return r.fail("/_id", "must be a record id (a positive integer)");
  Mapped out;
  out.odoo_records.push_back(Mapped::OdooRecord{model, id->GetInt64()});
  out.note = model + " " + std::to_string(id->GetInt64()) + " changed in Odoo: read back from Odoo, not taken in";
  return out;
}

}  // namespace detail
}  // namespace channels
}  // namespace v0
}  // namespace odoosync
