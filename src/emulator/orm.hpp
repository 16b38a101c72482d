// The emulator's database: models defined by real Odoo's fields_get, records seeded from a real demo
// database (data/odoo18, data/odoo19), and the ORM methods Odoo's clients call, with Odoo's semantics
// and Odoo's exception classes. Not thread-safe: the server serialises calls (one transaction at a time).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <odoosync/core/json.hpp>

namespace odoosync::emulator {

using Alloc = rapidjson::CrtAllocator;  // records change all the time: memory must really be freed
using Val = rapidjson::GenericValue<rapidjson::UTF8<>, Alloc>;
using Doc = rapidjson::GenericDocument<rapidjson::UTF8<>, Alloc>;

// What an ORM method raises: Odoo's exception class and message (and HTTP status for JSON-2).
struct OdooException {
  std::string name;  // e.g. "odoo.exceptions.MissingError"
  std::string message;
  int json2_status = 500;
};

// The clock of create_date/write_date: UTC with microseconds, advancing in real time, or frozen and
// stepped by tests (POST /__emulator__/clock). Thread-safe.
class Clock {
 public:
  std::int64_t now_us() const;    // microseconds since the epoch
  void freeze(std::int64_t us);   // stands still at `us` until run()
  void advance(std::int64_t us);  // moves forward by `us` (frozen or running)
  void run();                     // advances in real time again, from where it stands
  bool frozen() const;

 private:
  mutable std::mutex mutex_;
  bool frozen_ = false;
  std::int64_t frozen_at_ = 0;
  std::int64_t offset_ = 0;  // added to the system clock while running
};

// "YYYY-MM-DD HH:MM:SS.ffffff" (UTC) of microseconds since the epoch, and back (the fraction and the
// time are optional when parsing: "2025-01-31" is midnight). nullopt: not a date.
std::string format_datetime_us(std::int64_t us);
// A JSON value's string ("" when it is not one), and a value as compact JSON text: every emulator file's.
std::string sv(const Val& v);
std::string dump(const Val& v);
std::optional<std::int64_t> parse_datetime_us(std::string_view text);
// Minutes east of UTC of a time zone (a tz name, e.g. "Europe/Brussels") at a UTC instant: UTC and the
// zones of Europe and the mainland US with their daylight-saving rules, and a few without any (Asia,
// Australia's east). Other names: nullopt (callers take UTC). computed.cpp.
std::optional<int> utc_offset_minutes(std::string_view tz, std::int64_t utc_us);

struct FieldDef {
  std::string name, type, relation, string;
  bool required = false, readonly = false, store = true;
  std::vector<std::pair<std::string, std::string>> selection;
};

struct ModelDef {
  std::string name;
  std::map<std::string, FieldDef, std::less<>> fields;
  std::string inherits_model, inherits_field;  // _inherits: product.product → product.template
};

struct Context {
  std::int64_t uid = 2;  // the calling user
  bool inventory_mode = false;
  std::string lang = "en_US";
  std::vector<std::int64_t> allowed_company_ids;
  bool active_test = true;
  // The whole context as the call gave it (an object), for the keys business methods read
  // (disable_cancel_warning, skip_backorder, picking_ids_not_to_backorder, ...).
  std::shared_ptr<const Doc> raw;
  bool flag(const char* key) const;                      // a truthy value under `key`
  std::vector<std::int64_t> ids(const char* key) const;  // a list of ids (or one id) under `key`
};

class Database {
 public:
  // Loads fields and records of every model under `dir` (fields/<model>.json, records/<model>.json).
  static Database load(const std::string& dir, int odoo_version);

  int odoo_version() const { return version_; }
  bool has_model(std::string_view model) const { return models_.count(std::string(model)) > 0; }
  const ModelDef* model(std::string_view name) const;

  // The ORM methods. `out` receives the JSON value Odoo would return (Python None → leave it null and
  // set `none` true). Failures throw OdooException (the protocol layer turns them into error bodies).
  void search(const std::string& model, const Val& domain, std::int64_t offset, std::optional<std::int64_t> limit,
              std::string_view order, const Context& ctx, Doc& out) const;
  void search_read(const std::string& model, const Val& domain, const Val* fields, std::int64_t offset,
                   std::optional<std::int64_t> limit, std::string_view order, const Context& ctx, Doc& out) const;
  void read(const std::string& model, const std::vector<std::int64_t>& ids, const Val* fields, bool classic_m2o,
            Doc& out) const;
  std::int64_t search_count(const std::string& model, const Val& domain, const Context& ctx) const;
  std::vector<std::int64_t> create(const std::string& model, const Val& vals_list, const Context& ctx);
  void write(const std::string& model, const std::vector<std::int64_t>& ids, const Val& vals, const Context& ctx);
  void unlink(const std::string& model, const std::vector<std::int64_t>& ids);
  std::int64_t copy(const std::string& model, std::int64_t id, const Val* defaults, const Context& ctx);
  void name_search(const std::string& model, std::string_view name, const Val* domain, std::string_view op,
                   std::int64_t limit, const Context& ctx, Doc& out) const;
  void fields_get(const std::string& model, const Val* allfields, const Val* attributes, Doc& out) const;
  void default_get(const std::string& model, const Val& fields, const Context& ctx, Doc& out) const;
  void read_group(const std::string& model, const Val& domain, const Val& fields, const Val& groupby, bool lazy,
                  const Context& ctx, Doc& out) const;
  void load(const std::string& model, const Val& fields, const Val& rows, const Context& ctx, Doc& out);

  // mail.thread's message_post on one record (chatter.cpp): the new mail.message's id.
  struct MessagePost {
    std::string body, message_type = "notification", subtype_xmlid;
    std::int64_t subtype_id = 0;
    bool body_is_html = false;
  };
  std::int64_t message_post(const std::string& model, const std::vector<std::int64_t>& ids, const MessagePost& post,
                            const Context& ctx);

  std::string display_name(const std::string& model, std::int64_t id) const;
  bool exists(const std::string& model, std::int64_t id) const;
  std::size_t count(const std::string& model) const;
  // A snapshot of every record of a model, as stored (for tests and the control endpoint).
  void snapshot(const std::string& model, Doc& out) const;
  // Applies a JSON fixture {"<model>": [{...}, ...], ...}: a record with an "id" that exists is updated,
  // one with a new "id" is created with that id, one without is created. Values as in create/write
  // (many2one as an id, x2many as commands or ids). Throws OdooException or std::runtime_error.
  void apply_fixture(const std::string& path);
  // Adds N generated products with barcodes and internal references (the --products option).
  void add_products(std::size_t n);
  // What a module installed on top of the demo database adds (the --module option). stock_delivery:
  // stock.picking's carrier_tracking_ref (char "Tracking Reference", stored, not copied), as fields_get
  // of real 18 and 19 with stock_delivery installed shows it. Throws std::runtime_error for another name.
  void install_module(const std::string& name);
  static bool known_module(std::string_view name) { return name == "stock_delivery"; }

  // One call is one transaction: every record it creates or writes gets the same create_date /
  // write_date, the transaction's start (PostgreSQL now()), kept with microseconds and read back to the
  // second. `snapshot_xmlids_below`: ir.model.data rows with this id or higher were committed after the
  // transaction's snapshot was taken (a call that waited, slow_commit): load does not see them.
  void begin(std::int64_t stamp_us, std::optional<std::int64_t> snapshot_xmlids_below = std::nullopt);
  void set_clock(std::shared_ptr<Clock> clock) { clock_ = std::move(clock); }
  const std::shared_ptr<Clock>& clock() const { return clock_; }
  std::string now() const;     // "YYYY-MM-DD HH:MM:SS" UTC: the transaction's start, to the second
  std::string now_us() const;  // the same with microseconds (create_date / write_date as stored)
  // fields.Date.context_today: the transaction's date in the context's time zone ("tz"), else the
  // calling user's; "YYYY-MM-DD".
  std::string context_today(const Context& ctx) const;
  // The company a call works in (env.company): the first of the context's allowed_company_ids, else the
  // calling user's company.
  std::int64_t current_company(const Context& ctx) const;
  std::int64_t next_id(const std::string& model) const;
  // Commits so far (the protocol layer counts one per call): a snapshot is the count when it was taken.
  std::uint64_t commit_seq() const { return commits_; }
  void committed() { ++commits_; }
  // A value kept on a record outside its fields (never read back by clients), e.g. the commit that
  // posted an entry.
  void mark(const std::string& model, std::int64_t id, const char* key, std::int64_t value);
  std::optional<std::int64_t> mark_of(const std::string& model, std::int64_t id, const char* key) const;
  // The default order of a model's searches (its _order in Odoo's source).
  std::string default_order(const std::string& model) const;

 private:
  struct Table {
    std::map<std::int64_t, Doc> rows;
    std::int64_t next_id = 1;
  };

  const Val* field_value(const std::string& model, std::int64_t id, std::string_view field) const;
  void check_domain(const Val& domain) const;  // a malformed domain is a ValueError, as in Odoo
  bool matches(const std::string& model, std::int64_t id, const Val& domain, const Context& ctx) const;
  bool eval_term(const std::string& model, std::int64_t id, const Val& term, const Context& ctx) const;
  std::vector<std::int64_t> search_ids(const std::string& model, const Val& domain, std::int64_t offset,
                                       std::optional<std::int64_t> limit, std::string_view order,
                                       const Context& ctx) const;
  void format_value(const FieldDef& f, const Val* stored, bool classic_m2o, Val& out, Alloc& a) const;
  void set_field(const std::string& model, std::int64_t id, Doc& row, const FieldDef& f, const Val& v,
                 const Context& ctx);
  std::int64_t create_one(const std::string& model, const Val& vals, const Context& ctx);
  void derive(const std::string& model, std::int64_t id);
  // Values Odoo computes that are not stored in the seed (computed.cpp): the image sizes and avatars
  // (binaries are not exported), res.partner's non-stored computes. A stored-form value (a many2one as
  // its id) in `out`; false when the field is not one of them.
  bool computed_value(const std::string& model, std::int64_t id, const FieldDef& f, Val& out, Alloc& a) const;
  // sale.order's stored computes that follow its lines (`lines`, its sale.order.line ids) and deliveries
  // (computed.cpp): the lines' state, qty_delivered (from done moves), qty_to_invoice and
  // invoice_status, the order's invoice_status and delivery_status (from its transfers).
  void derive_sale_statuses(std::int64_t order, const std::vector<std::int64_t>& lines);
  // The seed's partners and product templates get an image (computed.cpp): the demo gives them pictures,
  // the reference export leaves binaries out.
  void seed_images();
  bool model_def_has(const std::string& model, const std::string& field) const;
  const ModelDef& require_model(const std::string& model) const;
  const FieldDef& require_field(const ModelDef& m, std::string_view field, std::string_view where) const;

  // Sort keys of a record for an order spec ("f desc, g, ..."); many2one fields sort by their comodel's
  // order, NULLs sort as larger than any value (last ascending, first descending), as PostgreSQL does.
  struct SortPart {
    bool null = true, number = false, desc = false;
    double num = 0;
    std::string text;
  };
  void sort_keys(const std::string& model, std::int64_t id, std::string_view order, bool reverse, int depth,
                 std::vector<SortPart>& out) const;
  std::vector<std::pair<std::string, bool>> parse_order(const std::string& model, std::string_view order,
                                                        bool strict) const;
  std::int64_t xmlid_lookup(const std::string& module, const std::string& name, const std::string& model,
                            bool* invisible = nullptr) const;

  int version_ = 18;
  std::map<std::string, ModelDef, std::less<>> models_;
  std::map<std::string, Table, std::less<>> tables_;
  std::shared_ptr<Clock> clock_ = std::make_shared<Clock>();
  std::int64_t txn_us_ = 0;  // the current transaction's start
  std::optional<std::int64_t> snapshot_xmlids_below_;
  std::uint64_t commits_ = 0;
};

}  // namespace odoosync::emulator
