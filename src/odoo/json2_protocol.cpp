// JSON-2: POST /json/2/<model>/<method> with a bearer API key and named arguments only; positional
// arguments of Client::call are named from the method's signature in /doc-bearer/<model>.json (cached).
#include "protocol.hpp"

#include <map>

#include <fmt/format.h>

namespace odoosync {
inline namespace v0 {
namespace odoo {
namespace detail {

namespace {

struct DocMethod {
  bool model_method = false;            // @api.model: no ids
  std::vector<std::string> parameters;  // in order, without **kwargs
  bool var_positional = false;
};

class Json2Protocol final : public WireProtocol {
 public:
  explicit Json2Protocol(Connection& c) : c_(c) {}

  result<json::Document> invoke(std::string_view model, std::string_view method, const std::vector<std::int64_t>* ids,
                                const std::vector<Arg>& args, const CallOptions& o) override {
    json::Writer w;
    w.begin_object();
    for (const auto& a : args) w.key(a.name).raw(a.json);
    w.end_object();
    auto kw = w.view();
    if (!kw) return kw.error();
    auto body = json2_body(ids, kw.value(), o);
    if (!body) return body.error();
    return json2(model, method, body.value(), o);
  }

  // JSON-2 takes named arguments only: name the positional ones from the method's signature.
  result<json::Document> call(std::string_view model, std::string_view method, const RawArgs& raw,
                              const CallOptions& o) override {
    const auto& a = raw.args;
    json::Writer w;
    w.begin_object();
    std::vector<std::int64_t> ids;
    bool has_ids = false;
    if (a.Size() > 0) {
      auto dm = doc_method(model, method, o);
      if (!dm) return dm.error();
      std::size_t next = 0;
      if (!dm.value().model_method) {
        auto parsed_ids = as_ids(a[0], "call: the first positional argument of a record method (ids)");
        if (!parsed_ids) return std::move(parsed_ids.error());
        ids = std::move(parsed_ids.value());
        has_ids = true;
        next = 1;
      }
      const auto& names = dm.value().parameters;
      if (a.Size() - next > names.size()) {
        return Error::validation(fmt::format("call: {}.{} takes {} positional argument(s) after ids, {} given", model,
                                             method, names.size(), a.Size() - next));
      }
      for (std::size_t i = next; i < a.Size(); ++i) {
        const std::string& name = names[i - next];
        if (json::find(raw.kwargs, name)) {
          return Error::validation(
              fmt::format("call: {}.{} got '{}' both by position and by name", model, method, name));
        }
        w.key(name).value(a[i]);
      }
    }
    for (const auto& m : raw.kwargs.GetObject()) w.key(json::text(m.name)).value(m.value);
    w.end_object();
    auto kw = w.view();
    if (!kw) return kw.error();
    auto body = json2_body(has_ids ? &ids : nullptr, kw.value(), o);
    if (!body) return body.error();
    return json2(model, method, body.value(), o);
  }

  result<json::Document> call_named(std::string_view model, std::string_view method,
                                    const std::vector<std::int64_t>& ids, std::string_view kwargs_json,
                                    const CallOptions& o) override {
    auto body = json2_body(ids.empty() ? nullptr : &ids, kwargs_json, o);
    if (!body) return body.error();
    return json2(model, method, body.value(), o);
  }

 private:
  result<json::Document> json2(std::string_view model, std::string_view method, std::string_view body,
                               const CallOptions& o) {
    auto req = c_.request(c_.base(fmt::format("/json/2/{}/{}", model, method)), std::string(body), o);
    req.headers.add("Authorization", fmt::format("bearer {}", c_.key().reveal()));
    if (!c_.config.database.empty()) req.headers.add("X-Odoo-Database", c_.config.database);
    auto r = c_.transport->send(req);
    if (!r) return r.error();
    auto doc = decode_json2(r.value(), c_.config.keep_debug);
    if (!doc) return c_.scrubbed(std::move(doc.error()));
    return doc;
  }

  // The body from ids and named arguments (a JSON object text) plus the context.
  result<std::string> json2_body(const std::vector<std::int64_t>* ids, std::string_view kwargs, const CallOptions& o) {
    auto ctx = c_.context_for(o);
    if (!ctx) return ctx.error();
    json::Writer w;
    w.begin_object();
    if (ids) w.key("ids").raw(ids_json(*ids));
    if (!ctx.value().empty()) w.key("context").raw(ctx.value());
    auto parsed = json::parse(kwargs.empty() ? std::string_view("{}") : kwargs);
    if (!parsed || !parsed.value().IsObject()) return Error::validation("kwargs must be a JSON object");
    for (const auto& m : parsed.value().GetObject()) {
      if ((ids && json::text(m.name) == "ids") || (!ctx.value().empty() && json::text(m.name) == "context")) continue;
      w.key(json::text(m.name)).value(m.value);
    }
    w.end_object();
    auto t = w.view();
    if (!t) return t.error();
    return std::string(t.value());
  }

  result<DocMethod> doc_method(std::string_view model, std::string_view method, const CallOptions& o) {
    {
      std::lock_guard lock(c_.mutex);
      auto m = docs_.find(model);
      if (m != docs_.end()) {
        auto it = m->second.find(std::string(method));
        if (it == m->second.end()) {
          return Error(ErrorKind::not_found,
                       fmt::format("{} has no public method '{}' (per /doc-bearer)", model, method));
        }
        return it->second;
      }
    }
    CallOptions go = o;
    go.idempotent = true;
    http::Request req = c_.request(c_.base(fmt::format("/doc-bearer/{}.json", model)), "", go);
    req.method = http::Method::get;
    req.headers.remove("Content-Type");  // a GET: no body (the trace headers stay)
    req.headers.add("Authorization", fmt::format("bearer {}", c_.key().reveal()));
    if (!c_.config.database.empty()) req.headers.add("X-Odoo-Database", c_.config.database);
    auto r = c_.transport->send(req);
    if (!r) return r.error();
    auto doc = decode_json2(r.value(), c_.config.keep_debug);
    if (!doc) {
      return c_.scrubbed(std::move(doc.error()))
          .with_message_prefix(
              fmt::format("naming positional arguments for {}.{} needs /doc-bearer/{}.json", model, method, model));
    }
    const auto* methods = json::find(doc.value(), "methods");
    if (!methods || !methods->IsObject()) return Error::protocol("/doc-bearer answer has no 'methods' object");
    std::map<std::string, DocMethod> parsed;
    for (const auto& m : methods->GetObject()) {
      DocMethod dm;
      if (const auto* api = json::find(m.value, "api"); api && api->IsArray()) {
        for (const auto& a : api->GetArray())
          if (a.IsString() && json::text(a) == "model") dm.model_method = true;
      }
      if (const auto* params = json::find(m.value, "parameters"); params && params->IsObject()) {
        for (const auto& p : params->GetObject()) {
          const auto* kind = json::find(p.value, "kind");
          std::string_view k = kind && kind->IsString() ? json::text(*kind) : std::string_view();
          if (k == "VAR_KEYWORD") continue;
          if (k == "VAR_POSITIONAL") {
            dm.var_positional = true;
            continue;
          }
          dm.parameters.emplace_back(json::text(p.name));
        }
      }
      parsed.emplace(std::string(json::text(m.name)), std::move(dm));
    }
    std::lock_guard lock(c_.mutex);
    auto& slot = docs_[std::string(model)];
    slot = std::move(parsed);
    auto it = slot.find(std::string(method));
    if (it == slot.end()) {
      return Error(ErrorKind::not_found, fmt::format("{} has no public method '{}' (per /doc-bearer)", model, method));
    }
    return it->second;
  }

  Connection& c_;
  // Under c_.mutex: the positional mapping, per model and method.
  std::map<std::string, std::map<std::string, DocMethod>, std::less<>> docs_;
};

}  // namespace

std::unique_ptr<WireProtocol> make_json2_protocol(Connection& c) { return std::make_unique<Json2Protocol>(c); }

}  // namespace detail
}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
