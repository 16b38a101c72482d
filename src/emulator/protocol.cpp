// Odoo's routes, envelopes and error bodies, version by version, and the control endpoint.
#include "protocol.hpp"

#include "business.hpp"

#include <algorithm>
#include <filesystem>
#include <random>

#include <fmt/format.h>

namespace odoosync::emulator {

namespace {

std::string sv(const Val& v) { return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : std::string(); }

template <class V>
std::string dump(const V& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

struct User {
  std::int64_t uid;
  std::string login, password, api_key, name;
};

std::vector<User> users_for(int version, const std::string& admin_key) {
  if (version >= 19) {
    return {{2, "admin", "admin", admin_key, "Mitchell Admin"},
            {5, "demo", "demo", "", "Marc Demo"},
            {6, "portal", "portal", "0dd05ec0ffee0dd05ec0ffee0dd05ec0ffee0006", "Joel Willis"},
            {7, "rpc_limited", "rpc_limited", "0dd05ec0ffee0dd05ec0ffee0dd05ec0ffee0007", "RPC Limited"}};
  }
  return {{2, "admin", "admin", admin_key, "Mitchell Admin"},
          {6, "demo", "demo", "", "Marc Demo"},
          {7, "portal", "portal", "", "Joel Willis"},
          {8, "rpc_limited", "rpc_limited", "", "RPC Limited"}};
}

std::string html_page(int status, std::string_view title, std::string_view text) {
  return fmt::format("<!doctype html>\n<html lang=en>\n<title>{} {}</title>\n<h1>{}</h1>\n<p>{}</p>\n", status, title,
                     title, text);
}

HttpReply json_reply(int status, std::string body) {
  HttpReply r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  r.body = std::move(body);
  return r;
}

HttpReply html_reply(int status, std::string_view title, std::string_view text) {
  HttpReply r;
  r.status = status;
  r.headers = {{"Content-Type", "text/html; charset=utf-8"}};
  r.body = html_page(status, title, text);
  return r;
}

// A server-side traceback shaped like Odoo's (never real: the emulator has no Python).
std::string traceback(const OdooException& e) {
  return fmt::format(
      "Traceback (most recent call last):\n  File \"/opt/odoo/odoo/http.py\", line 1954, in _transactioning\n"
      "    return service_model.retrying(func, env=self.env)\n{}: {}\n",
      e.name, e.message);
}

struct Signature {
  bool record = false;  // first positional is ids
  std::vector<std::pair<std::string, bool>> params;  // name, required
};

const std::map<std::string, Signature>& signatures(int version) {
  static const std::map<std::string, Signature> common = {
      {"search", {false, {{"domain", true}, {"offset", false}, {"limit", false}, {"order", false}}}},
      {"search_read", {false, {{"domain", false}, {"fields", false}, {"offset", false}, {"limit", false}, {"order", false}}}},
      {"search_count", {false, {{"domain", true}, {"limit", false}}}},
      {"read", {true, {{"fields", false}, {"load", false}}}},
      {"create", {false, {{"vals_list", true}}}},
      {"write", {true, {{"vals", true}}}},
      {"unlink", {true, {}}},
      {"copy", {true, {{"default", false}}}},
      {"name_search", {false, {{"name", false}, {"domain", false}, {"operator", false}, {"limit", false}}}},
      {"fields_get", {false, {{"allfields", false}, {"attributes", false}}}},
      {"read_group", {false, {{"domain", true}, {"fields", true}, {"groupby", true}, {"offset", false}, {"limit", false},
                              {"orderby", false}, {"lazy", false}}}},
      {"load", {false, {{"fields", true}, {"data", true}}}},
      {"exists", {true, {}}},
      {"action_confirm", {true, {}}},
      {"action_cancel", {true, {}}},
      {"action_apply_inventory", {true, {}}},
      {"action_post", {true, {}}},
      {"button_validate", {true, {}}},
      {"context_get", {false, {}}},
      {"formatted_read_group", {false, {{"domain", false}, {"groupby", false}, {"aggregates", false}, {"having", false},
                                        {"offset", false}, {"limit", false}, {"order", false}}}},
  };
  static const std::map<std::string, Signature> v18 = [] {
    auto m = common;
    m["default_get"] = {false, {{"fields_list", true}}};
    m["search_fetch"] = {false, {{"domain", true}, {"field_names", true}, {"offset", false}, {"limit", false}, {"order", false}}};
    m["sudo"] = {true, {{"flag", false}}};
    m.erase("formatted_read_group");
    return m;
  }();
  static const std::map<std::string, Signature> v19 = [] {
    auto m = common;
    m["default_get"] = {false, {{"fields", true}}};
    return m;
  }();
  // 17: name_search takes `args` (renamed `domain` in 18) and name_get still exists (deprecated).
  static const std::map<std::string, Signature> v17 = [] {
    auto m = v18;
    m["name_search"] = {false, {{"name", false}, {"args", false}, {"operator", false}, {"limit", false}}};
    m["name_get"] = {true, {}};
    m.erase("search_fetch");
    return m;
  }();
  return version >= 19 ? v19 : version <= 17 ? v17 : v18;
}

}  // namespace

std::string HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequal(k, name)) return v;
  return {};
}

namespace {
std::shared_ptr<const Doc> copy_context(const Val& c) {
  auto d = std::make_shared<Doc>();
  d->CopyFrom(c, d->GetAllocator());
  return d;
}
}  // namespace

struct Emulator::Call {
  std::string model, method;
  std::int64_t uid = 2;
  bool json2 = false;
  Doc args;    // positional (JSON-RPC)
  Doc kwargs;  // named
  Doc ids;     // JSON-2 `ids`, if given
  bool has_ids = false;
  Context ctx;
  std::optional<std::uint64_t> snapshot_commit;  // set when the call waited to commit (slow_commit)
};

Emulator::Emulator(Options options) : options_(std::move(options)), rng_(options_.seed) {
  if (options_.database.empty()) options_.database = options_.odoo_version >= 19 ? "retail19" : "retail18";
  const std::string dir = (std::filesystem::path(options_.data_dir) / (options_.odoo_version >= 19 ? "odoo19" : "odoo18")).string();
  db_ = Database::load(dir, options_.odoo_version);
  db_.set_clock(clock_);
  if (options_.extra_products) db_.add_products(options_.extra_products);
  if (!options_.fixture.empty()) db_.apply_fixture(options_.fixture);
}

void Emulator::add_fault(Fault fault) {
  std::lock_guard lock(mutex_);
  faults_.push_back(std::move(fault));
}

std::optional<Fault> Emulator::take_fault(const std::string& model, const std::string& method,
                                          std::initializer_list<std::string_view> kinds) {
  for (auto& f : faults_) {
    if (std::find(kinds.begin(), kinds.end(), f.kind) == kinds.end()) continue;
    if (!f.model.empty() && f.model != model) continue;
    if (!f.method.empty() && f.method != method) continue;
    if (f.times > 0 && f.consumed >= f.times) continue;
    if (f.probability < 1.0 && std::uniform_real_distribution<double>(0.0, 1.0)(rng_) >= f.probability) continue;
    ++f.consumed;
    return f;
  }
  return std::nullopt;
}

namespace {
// The request a server thread is handling: its hold on the database, and what it asked of the delivery.
struct RequestState {
  std::unique_lock<std::mutex>* lock = nullptr;
  bool reset_after = false;
};
thread_local RequestState* current_request = nullptr;

// A call dropped before committing (the emulator stopped or was reset while it waited).
struct Abandoned {};
}  // namespace

HttpReply Emulator::handle(const HttpRequest& request) {
  std::string path = request.target.substr(0, request.target.find('?'));
  std::unique_lock lock(mutex_);
  if (shutting_down_) return html_reply(503, "Service Unavailable", "The server is shutting down.");
  RequestState state{&lock};
  current_request = &state;
  struct Done {
    ~Done() { current_request = nullptr; }
  } done;
  db_.begin(clock_->now_us());  // this call's transaction starts now
  try {
    if (path.rfind("/__emulator__/", 0) != 0 && !faults_.empty()) {
      HttpReply injected = network_fault(request, path);
      if (injected.status != 0) return injected;
    }
    HttpReply reply = route(request, path);
    db_.committed();
    if (state.reset_after) reply.delivery = Delivery::reset_after;  // applied and committed; the client never hears back
    return reply;
  } catch (const Abandoned&) {
    HttpReply r;
    r.status = 500;
    r.delivery = Delivery::reset_before;  // the process died mid-transaction: nothing written, no answer
    return r;
  }
}

bool Emulator::wait_unlocked(std::chrono::steady_clock::time_point until) {
  if (!current_request || !current_request->lock) return true;
  const std::uint64_t generation = generation_;
  wake_.wait_until(*current_request->lock, until, [&] { return shutting_down_ || generation_ != generation; });
  return !shutting_down_ && generation_ == generation;
}

void Emulator::shutdown() {
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
  }
  wake_.notify_all();
}

std::size_t Emulator::in_flight() const {
  std::lock_guard lock(mutex_);
  return in_flight_.size();
}

std::vector<std::string> Emulator::in_flight_calls() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& f : in_flight_) out.push_back(f.model + "." + f.method);
  return out;
}

std::uint64_t Emulator::slow_calls_started() const {
  std::lock_guard lock(mutex_);
  return in_flight_counter_;
}

// Faults that happen before Odoo looks at the call: latency, gateway errors, 429, resets, "down".
HttpReply Emulator::network_fault(const HttpRequest& request, const std::string& path) {
  std::string model, method;
  if (path.rfind("/json/2/", 0) == 0) {
    const std::string rest = path.substr(8);
    model = rest.substr(0, rest.find('/'));
    method = rest.find('/') == std::string::npos ? "" : rest.substr(rest.find('/') + 1);
  } else {
    Doc body;
    body.Parse(request.body.c_str(), request.body.size());
    if (!body.HasParseError() && body.IsObject() && body.HasMember("params") && body["params"].IsObject()) {
      const auto& p = body["params"];
      if (p.HasMember("model") && p["model"].IsString()) {
        model = sv(p["model"]);
        method = p.HasMember("method") ? sv(p["method"]) : "";
      } else if (p.HasMember("args") && p["args"].IsArray() && p["args"].Size() >= 5) {
        model = sv(p["args"][3]);
        method = sv(p["args"][4]);
      }
    }
  }
  HttpReply r;
  r.status = 0;
  auto f = take_fault(model, method, {"latency", "http_502", "http_503", "http_504", "http_429", "reset_before", "down"});
  if (!f) return r;
  if (f->kind == "latency") {
    HttpReply slow = route(request, path);
    slow.delay = std::chrono::milliseconds(f->latency_ms);
    return slow;
  }
  if (f->kind == "reset_before") {
    r.status = 500;
    r.delivery = Delivery::reset_before;
    return r;
  }
  const int status = f->kind == "http_502" ? 502 : f->kind == "http_504" ? 504 : f->kind == "http_429" ? 429 : 503;
  r = html_reply(status, status == 429 ? "Too Many Requests" : status == 502 ? "Bad Gateway" : status == 504 ? "Gateway Timeout" : "Service Unavailable",
                 "injected by the odoosync emulator");
  if (status == 429 || status == 503) r.headers.emplace_back("Retry-After", std::to_string(f->retry_after_s));
  return r;
}

HttpReply Emulator::route(const HttpRequest& request, const std::string& path) {
  const int v = options_.odoo_version;
  if (path.rfind("/__emulator__/", 0) == 0) return control(request, path);
  if (path == "/web/version" || path == "/json/version") {
    if (v < 19) return html_reply(404, "Not Found", "The requested URL was not found on the server.");
    if (request.method != "GET") return html_reply(400, "Bad Request", "Session expired (invalid CSRF token)");
    return json_reply(200, R"({"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"})");
  }
  if (path.rfind("/json/2/", 0) == 0 || path.rfind("/doc-bearer/", 0) == 0) {
    if (v < 19) return html_reply(404, "Not Found", "The requested URL was not found on the server.");
    return json2(request, path);
  }
  if (path == "/jsonrpc" || path == "/web/webclient/version_info" || path.rfind("/web/session/", 0) == 0 ||
      path.rfind("/web/dataset/call_kw", 0) == 0) {
    return jsonrpc(request, path);
  }
  return html_reply(404, "Not Found", "The requested URL was not found on the server.");
}



void Emulator::execute(Call& call, Doc& out, bool& none) {
  const int v = options_.odoo_version;
  ++counters_[call.model + "." + call.method];
  log_.push_back(call.model + "." + call.method);
  if (auto fault = take_fault(call.model, call.method, {"serialization_failure", "reset_after"})) {
    if (fault->kind == "serialization_failure") {
      // what reaches the client once Odoo's own five attempts are spent
      throw OdooException{"psycopg2.errors.SerializationFailure",
                          "could not serialize access due to concurrent update\n", 500};
    }
    if (current_request) current_request->reset_after = true;
  }
  if (log_.size() > 10000) log_.erase(log_.begin(), log_.begin() + 5000);
  if (auto slow = take_fault(call.model, call.method, {"slow_commit"})) {
    // The call takes `latency_ms` between starting and committing, without holding the database:
    // others run and commit meanwhile and do not see its effects; it commits even if its client is
    // gone. Its records carry its start as create_date/write_date (PostgreSQL's now()), and load does
    // not see external ids committed after that start (its snapshot).
    const std::int64_t started = clock_->now_us();
    const std::int64_t xmlids_below = db_.next_id("ir.model.data");
    call.snapshot_commit = db_.commit_seq();
    auto& entry = in_flight_.emplace_back(InFlight{++in_flight_counter_, call.model, call.method, format_datetime_us(started),
                                                   std::chrono::steady_clock::now() + std::chrono::milliseconds(slow->latency_ms)});
    const std::uint64_t mine = entry.id;
    const bool commit = wait_unlocked(entry.commit_at);
    in_flight_.remove_if([&](const InFlight& f) { return f.id == mine; });
    if (!commit) throw Abandoned{};
    db_.begin(started, xmlids_below);
  }
  if ((!call.method.empty() && call.method[0] == '_') || (v >= 19 && (call.method == "search_fetch" || call.method == "sudo"))) {
    throw OdooException{"odoo.exceptions.AccessError",
                        v >= 19 ? fmt::format("Private methods (such as '{}.{}') cannot be called remotely.", call.model, call.method)
                                : fmt::format("Private methods (such as {}) cannot be called remotely.", call.method),
                        403};
  }
  if (!db_.has_model(call.model)) {
    if (v >= 19) throw OdooException{"werkzeug.exceptions.NotFound", fmt::format("the model '{}' does not exist", call.model), 404};
    throw OdooException{"odoo.exceptions.UserError", fmt::format("Object {} doesn't exist", call.model), 422};
  }
  const auto& sigs = signatures(v);
  auto sit = sigs.find(call.method);
  if (sit == sigs.end()) {
    if (v >= 19) {
      throw OdooException{"werkzeug.exceptions.NotFound",
                          fmt::format("The method '{}.{}' does not exist", call.model, call.method), 404};
    }
    throw OdooException{"builtins.AttributeError",
                        fmt::format("The method '{}' does not exist on the model '{}'", call.method, call.model), 422};
  }
  const Signature& sig = sit->second;
  const std::string owner = fmt::format("{}.{}()", sig.record ? "ResPartner" : "BaseModel", call.method);
  auto type_error = [&](std::string json2_text, std::string rpc_text) -> OdooException {
    if (call.json2) return {"werkzeug.exceptions.UnprocessableEntity", std::move(json2_text), 422};
    return {"builtins.TypeError", std::move(rpc_text), 500};
  };

  // Bind positional and named arguments to the signature.
  std::map<std::string, const Val*> bound;
  std::vector<std::int64_t> ids;
  rapidjson::SizeType pos = 0;
  const Val* ids_value = nullptr;
  if (call.json2) {
    if (call.has_ids) {
      if (!sig.record) {
        throw OdooException{"werkzeug.exceptions.UnprocessableEntity",
                            fmt::format("cannot call {}.{} with ids", call.model, call.method), 422};
      }
      ids_value = &call.ids;
    }
  } else if (sig.record) {
    if (!call.args.IsArray() || call.args.Empty()) {
      throw type_error("missing a required argument: 'ids'",
                       fmt::format("{} missing 1 required positional argument: 'ids'", owner));
    }
    ids_value = &call.args[0];
    pos = 1;
  }
  if (ids_value) {
    if (ids_value->IsInt64()) ids.push_back(ids_value->GetInt64());
    else if (ids_value->IsArray()) {
      for (const auto& x : ids_value->GetArray()) {
        if (!x.IsInt64()) {
          throw OdooException{"psycopg2.errors.InvalidTextRepresentation",
                              fmt::format("invalid input syntax for type integer: \"{}\"", x.IsString() ? sv(x).substr(0, 1) : dump(x)),
                              500};
        }
        ids.push_back(x.GetInt64());
      }
    } else if (ids_value->IsString()) {
      throw OdooException{"psycopg2.errors.InvalidTextRepresentation",
                          fmt::format("invalid input syntax for type integer: \"{}\"", sv(*ids_value).substr(0, 1)), 500};
    }
  }
  if (call.args.IsArray()) {
    for (; pos < call.args.Size(); ++pos) {
      const std::size_t k = pos - (sig.record ? 1 : 0);
      if (k >= sig.params.size()) {
        throw type_error("too many positional arguments",
                         fmt::format("{} takes {} positional arguments but {} were given", owner, sig.params.size() + 1,
                                     call.args.Size() + (sig.record ? 0 : 1)));
      }
      bound[sig.params[k].first] = &call.args[pos];
    }
  } else if (!call.json2 && !call.args.IsNull()) {
    throw OdooException{"builtins.AssertionError",
                        "Domains to normalize must have a 'domain' form: a list or tuple of domain components", 500};
  }
  if (call.kwargs.IsObject()) {
    for (const auto& m : call.kwargs.GetObject()) {
      const std::string name = sv(m.name);
      if (name == "context") continue;
      auto p = std::find_if(sig.params.begin(), sig.params.end(), [&](const auto& x) { return x.first == name; });
      if (p == sig.params.end()) {
        throw type_error(fmt::format("got an unexpected keyword argument '{}'", name),
                         fmt::format("{} got an unexpected keyword argument '{}'", owner, name));
      }
      bound[name] = &m.value;
    }
  }
  for (const auto& [name, required] : sig.params) {
    if (required && !bound.count(name)) {
      throw type_error(fmt::format("missing a required argument: '{}'", name),
                       fmt::format("{} missing 1 required positional argument: '{}'", owner, name));
    }
  }
  auto arg = [&](const char* name) -> const Val* {
    auto it = bound.find(name);
    return it == bound.end() || it->second->IsNull() ? nullptr : it->second;
  };
  auto int_arg = [&](const char* name, std::int64_t fallback) {
    const Val* x = arg(name);
    return x && x->IsInt64() ? x->GetInt64() : fallback;
  };
  auto limit_arg = [&]() -> std::optional<std::int64_t> {
    const Val* x = arg("limit");
    if (x && x->IsInt64()) return x->GetInt64();
    return std::nullopt;
  };
  auto order_arg = [&]() { const Val* x = arg("order"); return x && x->IsString() ? sv(*x) : std::string(); };
  Doc empty_domain;
  empty_domain.SetArray();
  auto domain_arg = [&]() -> const Val& {
    const Val* d = arg("domain");
    if (!d) return empty_domain;
    if (!d->IsArray()) {
      throw OdooException{"builtins.AssertionError",
                          "Domains to normalize must have a 'domain' form: a list or tuple of domain components", 500};
    }
    return *d;
  };

  // Access rights of the non-admin demo users (the shapes real Odoo 18/19 answered).
  const auto& us = users_for(v, options_.admin_api_key);
  const bool limited = call.uid == us[3].uid, portal = call.uid == us[2].uid;
  const bool writes = call.method == "create" || call.method == "write" || call.method == "unlink" ||
                      call.method == "copy" || call.method == "load" || call.method.rfind("action_", 0) == 0 ||
                      call.method == "button_validate";
  const bool accounting = call.model.rfind("account.", 0) == 0;
  const bool business = call.model.rfind("product.", 0) == 0 || call.model.rfind("stock.", 0) == 0 ||
                        call.model.rfind("sale.", 0) == 0 || call.model.rfind("purchase.", 0) == 0 ||
                        call.model.rfind("pos.", 0) == 0;
  if ((limited || portal) && (accounting || (writes && (business || portal)))) {
    const std::string& label = call.model;
    throw OdooException{"odoo.exceptions.AccessError",
                        fmt::format("You are not allowed to {} '{}' ({}) records.", writes ? "modify" : "access", label, call.model),
                        403};
  }

  Context& ctx = call.ctx;
  auto& a = out.GetAllocator();
  const std::string& m = call.method;
  if (m == "search") {
    db_.search(call.model, domain_arg(), int_arg("offset", 0), limit_arg(), order_arg(), ctx, out);
  } else if (m == "search_read") {
    db_.search_read(call.model, domain_arg(), arg("fields"), int_arg("offset", 0), limit_arg(), order_arg(), ctx, out);
  } else if (m == "search_count") {
    out.SetInt64(db_.search_count(call.model, domain_arg(), ctx));
  } else if (m == "read") {
    const Val* load = bound.count("load") ? bound["load"] : nullptr;
    db_.read(call.model, ids, arg("fields"), !(load && (load->IsNull() || (load->IsBool() && !load->GetBool()))), out);
  } else if (m == "create") {
    const Val& vals = *bound["vals_list"];
    if (call.model == "stock.quant" && ctx.inventory_mode && (vals.IsObject() || vals.IsArray())) {
      // Inventory mode: a quant per product and location; creating one again sets the counted quantity
      // on the existing quant and returns it.
      std::vector<std::int64_t> result;
      auto one = [&](const Val& q) {
        Doc dom;
        dom.SetArray();
        for (const char* key : {"product_id", "location_id"}) {
          if (!q.HasMember(key)) continue;
          Val term(rapidjson::kArrayType);
          term.PushBack(Val(key, dom.GetAllocator()), dom.GetAllocator()).PushBack("=", dom.GetAllocator());
          term.PushBack(Val(q[key], dom.GetAllocator()), dom.GetAllocator());
          dom.PushBack(term, dom.GetAllocator());
        }
        Doc found;
        db_.search("stock.quant", dom, 0, 1, "", ctx, found);
        Doc vals_doc;
        vals_doc.CopyFrom(q, vals_doc.GetAllocator());
        const bool apply = q.HasMember("inventory_quantity_auto_apply");
        auto put = [&](const char* key, Val value) {
          if (vals_doc.HasMember(key)) vals_doc[key] = value;
          else vals_doc.AddMember(Val(key, vals_doc.GetAllocator()), value, vals_doc.GetAllocator());
        };
        if (apply) {
          // _set_inventory_quantity: the count is applied at once (action_apply_inventory), which
          // leaves inventory_quantity at 0 and inventory_quantity_set False.
          Val qty(q["inventory_quantity_auto_apply"], vals_doc.GetAllocator());
          vals_doc.RemoveMember("inventory_quantity_auto_apply");
          put("quantity", std::move(qty));
          put("inventory_quantity", Val(0.0));
          put("inventory_quantity_set", Val(false));
        } else if (q.HasMember("inventory_quantity")) {
          put("inventory_quantity_set", Val(true));  // a count waiting to be applied
        }
        if (!found.Empty()) {
          const std::int64_t id = found[0].GetInt64();
          Doc w;
          w.SetObject();
          for (auto& mm : vals_doc.GetObject())
            if (sv(mm.name) != "product_id" && sv(mm.name) != "location_id")
              w.AddMember(Val(mm.name, w.GetAllocator()), Val(mm.value, w.GetAllocator()), w.GetAllocator());
          db_.write("stock.quant", {id}, w, ctx);
          result.push_back(id);
        } else {
          auto created = db_.create("stock.quant", vals_doc, ctx);
          result.push_back(created.front());
        }
      };
      if (vals.IsArray()) for (const auto& q : vals.GetArray()) one(q);
      else one(vals);
      out.SetArray();
      for (auto id : result) out.PushBack(Val(id), a);
      if (!call.json2 && vals.IsObject()) out.SetInt64(result.front());
    } else {
      auto created = db_.create(call.model, vals, ctx);
      if (!call.json2 && vals.IsObject()) {
        out.SetInt64(created.front());  // JSON-RPC: one dict gives a bare id
      } else {
        out.SetArray();
        for (auto id : created) out.PushBack(Val(id), a);
      }
    }
  } else if (m == "write") {
    const Val& vals = *bound["vals"];
    if (call.model == "res.partner" && vals.IsObject() && vals.HasMember("parent_id") && vals["parent_id"].IsInt64()) {
      for (auto id : ids)
        if (vals["parent_id"].GetInt64() == id)
          throw OdooException{"odoo.exceptions.ValidationError", "You cannot create recursive Partner hierarchies.", 422};
    }
    db_.write(call.model, ids, vals, ctx);
    out.SetBool(true);
  } else if (m == "unlink") {
    db_.unlink(call.model, ids);
    out.SetBool(true);
  } else if (m == "copy") {
    out.SetArray();
    for (auto id : ids) out.PushBack(Val(db_.copy(call.model, id, arg("default"), ctx)), a);
  } else if (m == "name_search") {
    const Val* name = arg("name");
    const Val* op = arg("operator");
    db_.name_search(call.model, name ? sv(*name) : "", arg(v <= 17 ? "args" : "domain"), op ? sv(*op) : "ilike", int_arg("limit", 100), ctx, out);
  } else if (m == "name_get" && v <= 17) {
    // [[id, display_name], ...] for the records that exist
    Doc f = fields_doc({"display_name"});
    Doc rows;
    db_.read(call.model, ids, &f, false, rows);
    out.SetArray();
    for (const auto& row : rows.GetArray()) {
      Val pair(rapidjson::kArrayType);
      pair.PushBack(Val(row["id"].GetInt64()), a);
      Val label;
      label.CopyFrom(row["display_name"], a);
      pair.PushBack(label, a);
      out.PushBack(pair, a);
    }
  } else if (m == "fields_get") {
    db_.fields_get(call.model, arg("allfields"), arg("attributes"), out);
  } else if (m == "default_get") {
    db_.default_get(call.model, *bound.begin()->second, out);
  } else if (m == "read_group") {
    const Val* lazy = arg("lazy");
    db_.read_group(call.model, domain_arg(), *bound["fields"], *bound["groupby"], !lazy || (lazy->IsBool() && lazy->GetBool()), ctx, out);
    // offset and limit apply to the groups
    const auto offset = static_cast<rapidjson::SizeType>(std::max<std::int64_t>(0, int_arg("offset", 0)));
    for (rapidjson::SizeType i = 0; i < offset && !out.Empty(); ++i) out.Erase(out.Begin());
    if (auto limit = limit_arg())
      while (static_cast<std::int64_t>(out.Size()) > *limit) out.PopBack();
  } else if (m == "load") {
    db_.load(call.model, *bound["fields"], *bound["data"], ctx, out);
  } else if (m == "search_fetch") {
    // returns a recordset: JSON-RPC serialises it as its ids
    db_.search(call.model, domain_arg(), int_arg("offset", 0), limit_arg(), order_arg(), ctx, out);
  } else if (m == "sudo") {
    // a recordset returned without @api.returns: JSON-RPC gives its str()
    std::string text = call.model + "(";
    for (std::size_t i = 0; i < ids.size(); ++i) text += (i ? ", " : "") + std::to_string(ids[i]);
    text += ids.size() == 1 ? ",)" : ")";
    out.SetString(text.c_str(), a);
  } else if (m == "formatted_read_group") {
    Doc fields;
    fields.SetArray();
    const Val* aggs = arg("aggregates");
    if (aggs && aggs->IsArray())
      for (const auto& x : aggs->GetArray()) fields.PushBack(Val(x, fields.GetAllocator()), fields.GetAllocator());
    Doc groupby;
    if (const Val* g = arg("groupby")) groupby.CopyFrom(*g, groupby.GetAllocator());
    else groupby.SetArray();
    Doc rows;
    db_.read_group(call.model, domain_arg(), fields, groupby, false, ctx, rows);
    // 19's shape: "<field>:<agg>" keys, __count only when asked, __extra_domain = the group's own condition
    out.SetArray();
    for (auto& r : rows.GetArray()) {
      Val g(rapidjson::kObjectType);
      for (auto& mm : r.GetObject()) {
        const std::string k = sv(mm.name);
        if (k == "__domain") {
          Val extra(rapidjson::kArrayType);
          const auto& dom = mm.value;
          // the group's own conditions: the last leaves of the combined domain, one per groupby field
          const rapidjson::SizeType n = groupby.IsArray() ? groupby.Size() : 1;
          for (rapidjson::SizeType i = dom.Size() >= n ? dom.Size() - n : 0; i < dom.Size(); ++i) extra.PushBack(Val(dom[i], a), a);
          g.AddMember("__extra_domain", extra, a);
        } else if (k == "__count") {
          bool asked = false;
          if (aggs && aggs->IsArray())
            for (const auto& x : aggs->GetArray()) asked = asked || sv(x) == "__count";
          if (asked) g.AddMember("__count", Val(mm.value, a), a);
        } else {
          std::string key = k;
          if (aggs && aggs->IsArray())
            for (const auto& x : aggs->GetArray())
              if (sv(x).rfind(k + ":", 0) == 0) key = sv(x);
          g.AddMember(Val(key.c_str(), a), Val(mm.value, a), a);
        }
      }
      out.PushBack(g, a);
    }
  } else if (m == "exists") {
    out.SetArray();
    for (auto id : ids)
      if (db_.exists(call.model, id)) out.PushBack(Val(id), a);
  } else if (m == "context_get") {
    // only the admin has a time zone in the demo databases
    out.Parse(fmt::format(R"({{"lang": "{}", "tz": {}, "uid": {}}})", ctx.lang, call.uid == 2 ? "\"Europe/Brussels\"" : "false", call.uid).c_str());
  } else if (run_button(db_, ButtonCall{v, call.model, m, ids, &ctx, call.snapshot_commit}, out, none)) {
    // a button (business method): business.cpp
  } else {
    if (v >= 19) {
      throw OdooException{"werkzeug.exceptions.NotFound",
                          fmt::format("The method '{}.{}' does not exist", call.model, call.method), 404};
    }
    throw OdooException{"builtins.AttributeError",
                        fmt::format("The method '{}' does not exist on the model '{}'", call.method, call.model), 422};
  }
}

// --- JSON-RPC --------------------------------------------------------------------------------------------

HttpReply Emulator::jsonrpc(const HttpRequest& request, const std::string& path) {
  const int v = options_.odoo_version;
  const std::string ctype = request.header("Content-Type");
  const std::string mime = ctype.substr(0, ctype.find(';'));
  if (request.method != "POST" || (mime != "application/json" && mime != "application/json-rpc")) {
    if (v >= 19) {
      auto r = html_reply(415, "Unsupported Media Type",
                          fmt::format("Request inferred type is compatible with ['http', 'json2'] but '{}' is type='jsonrpc'.", path));
      r.headers.emplace_back("Accept", "application/json, application/json-rpc");
      return r;
    }
    return html_reply(400, "Bad Request", fmt::format("Request inferred type is compatible with ['http'] but '{}' is type='json'.", path));
  }
  Doc body;
  body.Parse(request.body.c_str(), request.body.size());
  if (body.HasParseError()) {
    HttpReply r;
    r.status = 400;
    r.headers = {{"Content-Type", "text/html; charset=utf-8"}};
    r.body = "Invalid JSON data";
    return r;
  }
  if (!body.IsObject()) {
    HttpReply r;
    r.status = 400;
    r.headers = {{"Content-Type", "text/html; charset=utf-8"}};
    r.body = "Invalid JSON-RPC data";
    return r;
  }
  const std::string id_json = body.HasMember("id") ? dump(body["id"]) : "null";

  auto envelope = [&](const std::string& result_json, bool none, std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpReply r = json_reply(200, none ? fmt::format(R"({{"jsonrpc": "2.0", "id": {}}})", id_json)
                                       : fmt::format(R"({{"jsonrpc": "2.0", "id": {}, "result": {}}})", id_json, result_json));
    for (auto& h : headers) r.headers.push_back(std::move(h));
    return r;
  };
  auto error = [&](const OdooException& e, int code = -1) {
    Doc err;
    err.SetObject();
    auto& a = err.GetAllocator();
    const bool expired = e.name == "odoo.http.SessionExpiredException";
    const int c = code >= 0 ? code : expired ? 100 : (v >= 19 ? 0 : 200);
    err.AddMember("code", c, a);
    err.AddMember("message", Val(expired ? "Odoo Session Expired" : "Odoo Server Error", a), a);
    Val data(rapidjson::kObjectType);
    Val args(rapidjson::kArrayType);
    args.PushBack(Val(e.message.c_str(), a), a);
    const std::string dbg = (v >= 19 && e.name == "odoo.exceptions.AccessDenied") ? e.name + ": " + e.message + "\n" : traceback(e);
    data.AddMember("name", Val(e.name.c_str(), a), a);
    if (v < 19) data.AddMember("debug", Val(dbg.c_str(), a), a);
    data.AddMember("message", Val(e.message.c_str(), a), a);
    data.AddMember("arguments", args, a);
    data.AddMember("context", Val(rapidjson::kObjectType), a);
    if (v >= 19) data.AddMember("debug", Val(dbg.c_str(), a), a);
    err.AddMember("data", data, a);
    return json_reply(200, fmt::format(R"({{"jsonrpc": "2.0", "id": {}, "error": {}}})", expired ? "null" : id_json, dump(err)));
  };
  const Val* params = body.HasMember("params") ? &body["params"] : nullptr;
  const auto& us = users_for(v, options_.admin_api_key);
  auto version_info = [&]() {
    return fmt::format(R"({{"server_version": "{0}.0", "server_version_info": [{0}, 0, 0, "final", 0, ""], "server_serie": "{0}.0", "protocol_version": 1}})", v);
  };
  auto session_uid = [&]() -> std::optional<std::int64_t> {
    const std::string cookie = request.header("Cookie");
    auto p = cookie.find("session_id=");
    if (p == std::string::npos) return std::nullopt;
    std::string sid = cookie.substr(p + 11);
    sid = sid.substr(0, sid.find(';'));
    auto it = sessions_.find(sid);
    if (it == sessions_.end()) return std::nullopt;
    return it->second;
  };
  const OdooException expired{"odoo.http.SessionExpiredException", "Session expired", 403};
  // The session-info object of /web/session/authenticate and get_session_info (the members clients read).
  auto session_info = [&](const User& user) {
    return fmt::format(
        R"({{"uid": {}, "is_system": {}, "is_admin": {}, "is_public": false, "is_internal_user": true, "user_context": {{"lang": "en_US", "tz": "Europe/Brussels", "uid": {}}}, "db": "{}", {}"name": "{}", "username": "{}", "partner_id": 3, "server_version": "{}.0", "server_version_info": [{}, 0, 0, "final", 0, ""]}})",
        user.uid, user.uid == 2 ? "true" : "false", user.uid == 2 ? "true" : "false", user.uid, options_.database,
        v >= 19 ? R"("registry_hash": "0000000000000000", )" : R"("user_settings": {"id": 1, "user_id": {"id": 2}}, )",
        user.name, user.login, v, v);
  };

  try {
    if (path == "/web/webclient/version_info") return envelope(version_info(), false);
    if (path == "/web/session/authenticate") {
      const std::string login = params && params->HasMember("login") ? sv((*params)["login"]) : "";
      const std::string password = params && params->HasMember("password") ? sv((*params)["password"]) : "";
      const User* user = nullptr;
      for (const auto& u : us)
        if (u.login == login && u.password == password) user = &u;
      if (!user) throw OdooException{"odoo.exceptions.AccessDenied", "Access Denied", 403};
      const std::string sid = fmt::format("{:040x}", std::hash<std::string>{}(login) ^ (++session_counter_ * 0x9E3779B97F4A7C15ULL));
      sessions_[sid] = user->uid;
      const std::string info = session_info(*user);
      return envelope(info, false, {{"Set-Cookie", "session_id=" + sid + "; Expires=Mon, 22 Nov 2027 15:04:57 GMT; Max-Age=604800; HttpOnly; Path=/"}});
    }
    if (path == "/web/session/destroy") {
      const std::string cookie = request.header("Cookie");
      auto p = cookie.find("session_id=");
      if (p != std::string::npos) sessions_.erase(cookie.substr(p + 11, cookie.find(';', p) == std::string::npos ? std::string::npos : cookie.find(';', p) - p - 11));
      return envelope("", true, {{"Set-Cookie", "session_id=; Max-Age=0; Path=/"}});
    }
    if (path == "/web/session/get_session_info") {
      auto uid = session_uid();
      if (!uid) return error(expired);
      for (const auto& u : us)
        if (u.uid == *uid) return envelope(session_info(u), false);
      return error(expired);
    }
    if (path.rfind("/web/dataset/call_kw", 0) == 0) {
      auto uid = session_uid();
      if (!uid) return error(expired);
      Call call;
      call.uid = *uid;
      if (!params || !params->IsObject() || !params->HasMember("model") || !params->HasMember("method") ||
          !params->HasMember("args") || !params->HasMember("kwargs")) {
        throw OdooException{"builtins.TypeError", "call_kw() missing 1 required positional argument: 'kwargs'", 500};
      }
      call.model = sv((*params)["model"]);
      call.method = sv((*params)["method"]);
      call.args.CopyFrom((*params)["args"], call.args.GetAllocator());
      call.kwargs.CopyFrom((*params)["kwargs"], call.kwargs.GetAllocator());
      if (call.kwargs.IsObject() && call.kwargs.HasMember("context") && call.kwargs["context"].IsObject()) {
        const auto& c = call.kwargs["context"];
        call.ctx.inventory_mode = c.HasMember("inventory_mode") && c["inventory_mode"].IsBool() && c["inventory_mode"].GetBool();
        call.ctx.raw = copy_context(c);
      }
      if (take_fault(call.model, call.method, {"session_expired"})) {
        sessions_.clear();  // the session is gone, as after a server restart
        return error(expired);
      }
      Doc out;
      bool none = false;
      execute(call, out, none);
      return envelope(dump(out), none);
    }
    // /jsonrpc
    if (!params) {
      throw OdooException{"builtins.TypeError",
                          "RPC.jsonrpc() missing 3 required positional arguments: 'service', 'method', and 'args'", 500};
    }
    if (!params->IsObject()) {
      throw OdooException{"builtins.ValueError", "dictionary update sequence element #0 has length 6; 2 is required", 500};
    }
    const std::string service = params->HasMember("service") ? sv((*params)["service"]) : "";
    const std::string method = params->HasMember("method") ? sv((*params)["method"]) : "";
    const Val* args = params->HasMember("args") ? &(*params)["args"] : nullptr;
    if (service == "common") {
      if (method == "version") return envelope(version_info(), false);
      if (method == "login" || method == "authenticate") {
        const rapidjson::SizeType needed = method == "login" ? 3 : 4;
        if (!args || !args->IsArray() || args->Size() < needed) {
          throw OdooException{"builtins.TypeError",
                              fmt::format("exp_{}() missing 1 required positional argument: '{}'", method,
                                          method == "login" ? "password" : "user_agent_env"),
                              500};
        }
        const std::string login = sv((*args)[1]), secret = sv((*args)[2]);
        for (const auto& u : us) {
          if (u.login == login && (u.password == secret || (!u.api_key.empty() && u.api_key == secret)) &&
              sv((*args)[0]) == options_.database) {
            return envelope(std::to_string(u.uid), false);
          }
        }
        return envelope("false", false);
      }
      throw OdooException{"builtins.Exception", "Method not found: " + method, 500};
    }
    if (service == "object") {
      if (method != "execute_kw" && method != "execute") throw OdooException{"builtins.NameError", "Method not available " + method, 500};
      if (!args || !args->IsArray() || args->Size() < 5) {
        throw OdooException{"builtins.TypeError", "execute_kw() missing required positional arguments", 500};
      }
      const Val& a = *args;
      if (sv(a[0]) != options_.database) {
        throw OdooException{"psycopg2.OperationalError",
                            fmt::format("connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  database \"{}\" does not exist\n", sv(a[0])),
                            500};
      }
      if (a[1].IsString()) throw OdooException{"builtins.ValueError", fmt::format("invalid literal for int() with base 10: '{}'", sv(a[1])), 500};
      const std::int64_t uid = a[1].IsInt64() ? a[1].GetInt64() : 0;
      const std::string secret = sv(a[2]);
      const User* user = nullptr;
      for (const auto& u : us)
        if (u.uid == uid && (u.password == secret || (!u.api_key.empty() && u.api_key == secret))) user = &u;
      Call call;
      call.model = sv(a[3]);
      call.method = sv(a[4]);
      call.uid = uid;
      if (take_fault(call.model, call.method, {"key_expired"})) user = nullptr;
      if (!user) throw OdooException{"odoo.exceptions.AccessDenied", "Access Denied", 403};
      if (method == "execute_kw") {
        if (a.Size() > 5) call.args.CopyFrom(a[5], call.args.GetAllocator());
        else call.args.SetArray();
        if (a.Size() > 6) call.kwargs.CopyFrom(a[6], call.kwargs.GetAllocator());
        else call.kwargs.SetObject();
      } else {  // execute: positional after the method name
        call.args.SetArray();
        for (rapidjson::SizeType i = 5; i < a.Size(); ++i) call.args.PushBack(Val(a[i], call.args.GetAllocator()), call.args.GetAllocator());
        call.kwargs.SetObject();
      }
      if (call.kwargs.IsObject() && call.kwargs.HasMember("context") && call.kwargs["context"].IsObject()) {
        const auto& c = call.kwargs["context"];
        call.ctx.inventory_mode = c.HasMember("inventory_mode") && c["inventory_mode"].IsBool() && c["inventory_mode"].GetBool();
        call.ctx.raw = copy_context(c);
        if (c.HasMember("active_test") && c["active_test"].IsBool()) call.ctx.active_test = c["active_test"].GetBool();
      }
      Doc out;
      bool none = false;
      execute(call, out, none);
      // JSON-RPC answers copy() with [id] (18) and create(dict) with a bare id (execute() did that)
      return envelope(dump(out), none);
    }
    throw OdooException{"builtins.KeyError", service, 500};
  } catch (const OdooException& e) {
    return error(e);
  }
}

// --- JSON-2 ----------------------------------------------------------------------------------------------

HttpReply Emulator::json2(const HttpRequest& request, const std::string& path) {
  const auto& us = users_for(options_.odoo_version, options_.admin_api_key);
  auto error = [&](const OdooException& e, int status) {
    Doc err;
    err.SetObject();
    auto& a = err.GetAllocator();
    err.AddMember("name", Val(e.name.c_str(), a), a);
    err.AddMember("message", Val(e.message.c_str(), a), a);
    Val args(rapidjson::kArrayType);
    args.PushBack(Val(e.message.c_str(), a), a);
    if (e.name.rfind("werkzeug.", 0) == 0) args.PushBack(status, a);
    err.AddMember("arguments", args, a);
    err.AddMember("context", Val(rapidjson::kObjectType), a);
    const std::string dbg = e.name == "odoo.exceptions.AccessDenied" ? e.name + ": " + e.message + "\n" : traceback(e);
    err.AddMember("debug", Val(dbg.c_str(), a), a);
    HttpReply r = json_reply(status, dump(err));
    if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer ");
    return r;
  };
  // Authentication: bearer key only.
  const std::string auth = request.header("Authorization");
  const User* user = nullptr;
  std::string key;
  if (auth.size() > 7 && iequal(auth.substr(0, 7), "bearer ")) {
    key = auth.substr(7);
    for (const auto& u : us)
      if (!u.api_key.empty() && u.api_key == key) user = &u;
  }
  const std::string dbh = request.header("X-Odoo-Database");
  if (!dbh.empty() && dbh != options_.database) {
    return html_reply(404, "Not Found",
                      "No database is selected and the requested URL was not found in the server-wide controllers.");
  }
  if (path.rfind("/doc-bearer/", 0) == 0) {
    if (!user) return error({"werkzeug.exceptions.Unauthorized", "Invalid apikey", 401}, 401);
    if (user->uid != 2) return error({"odoo.exceptions.AccessError", "This page is only accessible to Technical Documentation users.", 403}, 403);
    std::string model = path.substr(12);
    if (model.ends_with(".json")) model.resize(model.size() - 5);
    if (!db_.has_model(model)) return error({"werkzeug.exceptions.NotFound", fmt::format("the model '{}' does not exist", model), 404}, 404);
    Doc out;
    out.SetObject();
    auto& a = out.GetAllocator();
    out.AddMember("model", Val(model.c_str(), a), a);
    out.AddMember("name", Val(model.c_str(), a), a);
    out.AddMember("doc", Val(), a);  // Odoo 19 sends null when the model has no docstring
    Doc fields;
    db_.fields_get(model, nullptr, nullptr, fields);
    out.AddMember("fields", Val(fields, a), a);
    Val methods(rapidjson::kObjectType);
    for (const auto& [name, sig] : signatures(options_.odoo_version)) {
      Val m(rapidjson::kObjectType);
      Val params(rapidjson::kObjectType);
      std::string signature = "(";
      for (const auto& [p, required] : sig.params) {
        params.AddMember(Val(p.c_str(), a), Val(rapidjson::kObjectType), a);
        signature += (signature.size() > 1 ? ", " : "") + p + (required ? "" : "=None");
      }
      m.AddMember("signature", Val((signature + ")").c_str(), a), a);
      m.AddMember("parameters", params, a);
      if (!sig.record) {
        Val api(rapidjson::kArrayType);
        api.PushBack("model", a);
        m.AddMember("api", api, a);
      }
      methods.AddMember(Val(name.c_str(), a), m, a);
    }
    out.AddMember("methods", methods, a);
    return json_reply(200, dump(out));
  }
  const std::string rest = path.substr(8);
  const auto slash = rest.find('/');
  if (request.method != "POST" || slash == std::string::npos) {
    return error({"werkzeug.exceptions.NotFound", "Did you mean POST /json/2/<model>/<method>?", 404}, 404);
  }
  const std::string ctype = request.header("Content-Type");
  if (!request.body.empty() && ctype.substr(0, ctype.find(';')) != "application/json") {
    auto r = html_reply(415, "Unsupported Media Type",
                        "Request inferred type is compatible with ['http'] but '/json/2/<__model__>/<__method__>' is type='json2'. Please verify the Content-Type request header and try again.");
    r.headers.emplace_back("Accept", "application/json");
    return r;
  }
  Call call;
  call.json2 = true;
  call.model = rest.substr(0, slash);
  call.method = rest.substr(slash + 1);
  if (take_fault(call.model, call.method, {"key_expired"})) user = nullptr;
  if (!user) {
    if (auth.empty() || !iequal(auth.substr(0, std::min<std::size_t>(7, auth.size())), "bearer ")) {
      return error({"werkzeug.exceptions.Unauthorized", "User not authenticated, use an API Key with a Bearer Authorization header.", 401}, 401);
    }
    return error({"werkzeug.exceptions.Unauthorized", "Invalid apikey", 401}, 401);
  }
  call.uid = user->uid;
  // A browser session cookie next to the key must belong to the same user.
  if (const std::string cookie = request.header("Cookie"); cookie.find("session_id=") != std::string::npos) {
    std::string sid = cookie.substr(cookie.find("session_id=") + 11);
    sid = sid.substr(0, sid.find(';'));
    auto it = sessions_.find(sid);
    if (it != sessions_.end() && it->second != user->uid) {
      return error({"odoo.exceptions.AccessDenied", "Session user does not match the used apikey.", 403}, 403);
    }
  }
  Doc body;
  if (!request.body.empty()) {
    body.Parse(request.body.c_str(), request.body.size());
    if (body.HasParseError()) {
      return error({"werkzeug.exceptions.BadRequest",
                    fmt::format("could not parse the body as json: Expecting value: line 1 column {} (char {})",
                                body.GetErrorOffset() + 1, body.GetErrorOffset()),
                    400},
                   400);
    }
  }
  call.kwargs.SetObject();
  call.args.SetNull();
  if (body.IsObject()) {  // anything else is ignored, as 19.0 does
    for (auto& m : body.GetObject()) {
      const std::string name = sv(m.name);
      if (name == "ids") {
        call.ids.CopyFrom(m.value, call.ids.GetAllocator());
        call.has_ids = !(m.value.IsArray() && m.value.Empty());
      } else if (name == "context") {
        if (!m.value.IsObject()) return error({"builtins.ValueError", "dictionary update sequence element #0 has length 1; 2 is required", 500}, 500);
        const auto& c = m.value;
        if (c.HasMember("inventory_mode") && c["inventory_mode"].IsBool()) call.ctx.inventory_mode = c["inventory_mode"].GetBool();
        call.ctx.raw = copy_context(c);
        if (c.HasMember("active_test") && c["active_test"].IsBool()) call.ctx.active_test = c["active_test"].GetBool();
        if (c.HasMember("lang") && c["lang"].IsString()) {
          call.ctx.lang = sv(c["lang"]);
          if (call.ctx.lang != "en_US" && call.ctx.lang != "fr_FR") {
            return error({"odoo.exceptions.UserError", "Invalid language code: " + call.ctx.lang, 422}, 422);
          }
        }
        if (c.HasMember("allowed_company_ids") && c["allowed_company_ids"].IsArray()) {
          for (const auto& id : c["allowed_company_ids"].GetArray()) {
            if (!id.IsInt64() || id.GetInt64() < 1 || id.GetInt64() > 3) {
              return error({"odoo.exceptions.AccessError", "Access to unauthorized or invalid companies.", 403}, 403);
            }
          }
        }
      } else {
        call.kwargs.AddMember(Val(m.name, call.kwargs.GetAllocator()), Val(m.value, call.kwargs.GetAllocator()),
                              call.kwargs.GetAllocator());
      }
    }
  }
  try {
    Doc out;
    bool none = false;
    if (call.ids.IsNull() || (call.ids.IsArray() && call.ids.Empty())) {
      // a record method without ids runs on an empty recordset
      const auto& sigs = signatures(options_.odoo_version);
      auto sit = sigs.find(call.method);
      if (sit != sigs.end() && sit->second.record) {
        call.ids.SetArray();
        call.has_ids = true;
      }
    }
    execute(call, out, none);
    if (none) return json_reply(200, "null");
    HttpReply r = json_reply(200, dump(out));
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return r;
  } catch (const OdooException& e) {
    return error(e, e.json2_status);
  }
}

// --- control endpoint -------------------------------------------------------------------------------------

HttpReply Emulator::control(const HttpRequest& request, const std::string& path) {
  Doc body;
  if (!request.body.empty()) body.Parse(request.body.c_str(), request.body.size());
  if (path == "/__emulator__/faults") {
    if (request.method == "POST") {
      if (!body.IsObject() || !body.HasMember("kind")) return json_reply(400, R"({"error": "expected {\"kind\": ...}"})");
      Fault f;
      f.kind = sv(body["kind"]);
      if (body.HasMember("model")) f.model = sv(body["model"]);
      if (body.HasMember("method")) f.method = sv(body["method"]);
      if (body.HasMember("times") && body["times"].IsInt()) f.times = body["times"].GetInt();
      if (body.HasMember("latency_ms") && body["latency_ms"].IsInt()) f.latency_ms = body["latency_ms"].GetInt();
      if (body.HasMember("retry_after_s") && body["retry_after_s"].IsInt()) f.retry_after_s = body["retry_after_s"].GetInt();
      if (body.HasMember("probability") && body["probability"].IsNumber()) f.probability = body["probability"].GetDouble();
      faults_.push_back(f);
      return json_reply(200, R"({"ok": true})");
    }
    if (request.method == "DELETE") {
      faults_.clear();
      return json_reply(200, R"({"ok": true})");
    }
    std::string out = "[";
    for (std::size_t i = 0; i < faults_.size(); ++i) {
      const auto& f = faults_[i];
      out += fmt::format(R"({}{{"kind": "{}", "model": "{}", "method": "{}", "times": {}, "consumed": {}{}}})", i ? ", " : "",
                         f.kind, f.model, f.method, f.times, f.consumed,
                         f.probability < 1.0 ? fmt::format(", \"probability\": {}", f.probability) : std::string());
    }
    return json_reply(200, out + "]");
  }
  if (path == "/__emulator__/clock") {
    // {"freeze": "YYYY-MM-DD HH:MM:SS[.ffffff]"} or {"freeze": true} (where it stands), {"advance_ms": N},
    // {"run": true}; GET tells the time and whether it is frozen.
    if (request.method == "POST") {
      if (!body.IsObject()) return json_reply(400, R"({"error": "expected {\"freeze\": ..., \"advance_ms\": ..., \"run\": true}"})");
      if (body.HasMember("freeze")) {
        if (body["freeze"].IsString()) {
          const auto us = parse_datetime_us(sv(body["freeze"]));
          if (!us) return json_reply(400, R"({"error": "freeze: not a datetime"})");
          clock_->freeze(*us);
        } else {
          clock_->freeze(clock_->now_us());
        }
      }
      if (body.HasMember("advance_ms") && body["advance_ms"].IsNumber()) {
        clock_->advance(static_cast<std::int64_t>(body["advance_ms"].GetDouble() * 1000.0));
      }
      if (body.HasMember("run") && body["run"].IsBool() && body["run"].GetBool()) clock_->run();
    }
    return json_reply(200, fmt::format(R"({{"now": "{}", "frozen": {}}})", format_datetime_us(clock_->now_us()),
                                       clock_->frozen() ? "true" : "false"));
  }
  if (path == "/__emulator__/inflight") {
    // calls started and not yet committed (slow_commit), oldest first
    std::string out = "[";
    const auto now = std::chrono::steady_clock::now();
    for (const auto& f : in_flight_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(f.commit_at - now).count();
      out += fmt::format(R"({}{{"id": {}, "model": "{}", "method": "{}", "started": "{}", "commit_in_ms": {}}})", out.size() > 1 ? ", " : "",
                         f.id, f.model, f.method, f.started, std::max<long long>(0, left));
    }
    return json_reply(200, out + "]");
  }
  if (path == "/__emulator__/log") {
    std::string out = "[";
    for (std::size_t i = 0; i < log_.size(); ++i) out += fmt::format(R"({}"{}")", i ? ", " : "", log_[i]);
    return json_reply(200, out + "]");
  }
  if (path == "/__emulator__/counters") {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, n] : counters_) {
      out += fmt::format(R"({}"{}": {})", first ? "" : ", ", k, n);
      first = false;
    }
    return json_reply(200, out + "}");
  }
  if (path == "/__emulator__/snapshot") {
    const auto q = request.target.find("model=");
    const std::string model = q == std::string::npos ? "" : request.target.substr(q + 6);
    if (!db_.has_model(model)) return json_reply(404, R"({"error": "unknown model"})");
    Doc out;
    db_.snapshot(model, out);
    return json_reply(200, dump(out));
  }
  if (path == "/__emulator__/reset" && request.method == "POST") {
    const std::string dir = (std::filesystem::path(options_.data_dir) / (options_.odoo_version >= 19 ? "odoo19" : "odoo18")).string();
    db_ = Database::load(dir, options_.odoo_version);
    db_.set_clock(clock_);
    db_.begin(clock_->now_us());
    if (options_.extra_products) db_.add_products(options_.extra_products);
    if (!options_.fixture.empty()) db_.apply_fixture(options_.fixture);
    ++generation_;  // calls waiting to commit belonged to the old database: they are dropped
    wake_.notify_all();
    sessions_.clear();
    faults_.clear();
    log_.clear();
    counters_.clear();
    return json_reply(200, R"({"ok": true})");
  }
  return json_reply(404, R"({"error": "unknown control path"})");
}

}  // namespace odoosync::emulator
