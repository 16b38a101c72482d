// odoosync: the command-line tool. Talks to one Odoo database with the same Client the SDK gives
// (version detection, JSON-RPC or JSON-2). Run `odoosync --help` for commands, examples and exit codes.
#include <odoosync/odoo/client.hpp>
#include <odoosync/odoo/cursor.hpp>
#include <odoosync/sync/engine.hpp>

#include <CLI/CLI.hpp>

#include "channel_commands.hpp"
#include "doctor_command.hpp"
#include "common.hpp"
#include "push_commands.hpp"
#include "serve_command.hpp"
#include "sync_commands.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

namespace os = odoosync;
namespace odoo = odoosync::odoo;

using namespace cli;

namespace {

os::Secret read_secret_file(const std::string& path, const char* what, std::string& error) {
  auto secret = os::Secret::from_file(path);
  if (!secret) {
    error = std::string("cannot read the ") + what + ": " + secret.error().message();
    return {};
  }
  return std::move(secret).value();
}

std::vector<std::string> split_fields(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

// A cell for tables and CSV: many2one shows its name, false shows nothing, lists show as JSON.
std::string cell(const os::json::Value& v) {
  if (v.IsString()) return {v.GetString(), v.GetStringLength()};
  if (v.IsFalse() || v.IsNull()) return {};
  if (v.IsArray() && v.Size() == 2 && v[0].IsInt64() && v[1].IsString()) return v[1].GetString();
  return os::json::to_string(v);
}

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::vector<std::string> columns_of(const os::json::Value& rows, const std::vector<std::string>& fields) {
  if (!fields.empty()) {
    std::vector<std::string> cols{"id"};
    for (const auto& f : fields)
      if (f != "id") cols.push_back(f);
    return cols;
  }
  std::vector<std::string> cols;
  if (rows.IsArray() && !rows.Empty() && rows[0].IsObject())
    for (const auto& m : rows[0].GetObject()) cols.emplace_back(m.name.GetString());
  return cols;
}

void print_table(const os::json::Value& rows, const std::vector<std::string>& fields) {
  auto cols = columns_of(rows, fields);
  std::vector<std::size_t> width(cols.size());
  for (std::size_t c = 0; c < cols.size(); ++c) width[c] = cols[c].size();
  std::vector<std::vector<std::string>> cells;
  for (const auto& r : rows.GetArray()) {
    std::vector<std::string> line;
    for (std::size_t c = 0; c < cols.size(); ++c) {
      const auto* v = os::json::find(r, cols[c]);
      std::string s = v ? cell(*v) : std::string();
      if (s.size() > 60) s = s.substr(0, 57) + "...";
      width[c] = std::max(width[c], s.size());
      line.push_back(std::move(s));
    }
    cells.push_back(std::move(line));
  }
  auto print_line = [&](const std::vector<std::string>& line) {
    std::string out;
    for (std::size_t c = 0; c < line.size(); ++c) {
      out += line[c];
      if (c + 1 < line.size()) out += std::string(width[c] - line[c].size() + 2, ' ');
    }
    std::puts(out.c_str());
  };
  print_line(cols);
  for (const auto& l : cells) print_line(l);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"odoosync: talk to an Odoo database (JSON-RPC for Odoo <= 19, JSON-2 for 19+, chosen automatically)"};
  // The global options (--json, --url, --store, ...) are taken after a subcommand too: every subcommand
  // created below inherits this and hands an option it does not know to its parent.
  app.fallthrough();
  app.footer(R"(Connection: --url/--db/--user or ODOO_URL, ODOO_DB, ODOO_USER; secrets only from ODOO_API_KEY /
ODOO_PASSWORD or --api-key-file / --password-file, never on the command line.

Examples:
  odoosync version
  odoosync count res.partner --domain '[["is_company","=",true]]'
  odoosync search-read product.product --fields name,list_price --limit 5 --order "id asc"
  odoosync call res.partner read '[[3]]' --kwargs '{"fields":["name"]}'
  odoosync fields stock.quant
  odoosync export product.product --fields name,barcode --format csv > products.csv
  odoosync export product.product --format jsonl --since "2026-11-22 10:05:00#1234"
  odoosync sync submit events.jsonl          (no Odoo needed: the store is ./odoosync.db or --store)
  odoosync sync run --until-idle
  odoosync sync status
  odoosync sync dlq list
  odoosync sync dlq replay EVENT_ID
  odoosync sync audit EVENT_ID
  odoosync reconcile stock --snapshot stock.csv --fix
  odoosync metrics
  odoosync channel verify shopify --headers h.txt --body body.json --secret-file shopify.secret
  odoosync channel verify paypal --config channels.json --headers h.txt --body body.json --now 1491000000
  odoosync serve --listen 127.0.0.1:8080 --config serve.json [--sync]   (webhooks into the store)
  odoosync doctor --channels channels.json --json

Exit codes: 0 ok, 1 other failure, 2 usage, 3 bad configuration or input, 4 authentication,
5 Odoo refused the call (access, validation, missing record...), 6 network or HTTP, 7 unexpected answer,
8 the store failed, 9 back-pressure (the queue is full). channel verify: 4 when the signature
(or token) does not hold, 3 when the delivery or the configuration is unusable. reconcile stock exits 1 when it finds drift.)");
  app.require_subcommand(1);

  std::string url, db, user, protocol, api_key_file, api_key_source, password_file;
  bool as_json = false;
  app.add_option("--url", url, "Odoo base URL (default: $ODOO_URL)");
  app.add_option("--db", db, "database (default: $ODOO_DB)");
  app.add_option("--user", user, "login (default: $ODOO_USER)");
  app.add_option("--protocol", protocol, "auto | jsonrpc | json2 (default: $ODOO_PROTOCOL or auto)");
  app.add_option("--api-key-file", api_key_file, "file holding the API key (read again when it changes)");
  app.add_option("--api-key-source", api_key_source,
                 "where the API key is kept, read again on rotation: env:NAME, file:PATH or cmd:PROGRAM ARGS "
                 "(default: $ODOO_API_KEY_SOURCE)");
  app.add_option("--password-file", password_file, "file holding the password");
  app.add_flag("--json", as_json, "print results, and errors, as JSON");

  auto* version = app.add_subcommand("version", "the server's version and the protocol odoosync uses");

  auto* call = app.add_subcommand("call", "call any method: MODEL METHOD [ARGS_JSON] [--kwargs JSON]");
  std::string model, method, args_json = "[]", kwargs_json = "{}";
  call->add_option("model", model, "model, e.g. res.partner")->required();
  call->add_option("method", method, "method, e.g. read")->required();
  call->add_option("args", args_json, "positional arguments as a JSON array");
  call->add_option("--kwargs", kwargs_json, "named arguments as a JSON object");

  auto* sr = app.add_subcommand("search-read", "records matching a domain, as a table or --json");
  std::string domain_json = "[]", fields_csv, order;
  std::int64_t limit = 80;
  sr->add_option("model", model)->required();
  sr->add_option("--domain", domain_json, "domain as JSON, e.g. '[[\"sale_ok\",\"=\",true]]'");
  sr->add_option("--fields", fields_csv, "comma-separated fields (default: all)");
  sr->add_option("--limit", limit, "at most this many records (default 80)");
  sr->add_option("--order", order, "e.g. \"id asc\"");

  auto* count = app.add_subcommand("count", "how many records match a domain");
  count->add_option("model", model)->required();
  count->add_option("--domain", domain_json, "domain as JSON");

  auto* fields_cmd = app.add_subcommand("fields", "a model's fields: name, type, label");
  fields_cmd->add_option("model", model)->required();

  auto* exp = app.add_subcommand("export", "stream records changed since a checkpoint (all by default)");
  std::string format = "jsonl", since;
  std::int64_t page_size = 500;
  exp->add_option("model", model)->required();
  exp->add_option("--format", format, "jsonl | csv")->check(CLI::IsMember({"jsonl", "csv"}));
  exp->add_option("--fields", fields_csv, "comma-separated fields (default: all)");
  exp->add_option("--domain", domain_json, "domain as JSON");
  exp->add_option("--since", since, "checkpoint printed by an earlier export: \"YYYY-MM-DD HH:MM:SS#id\"");
  exp->add_option("--page-size", page_size, "records per request (default 500)");
  int settle = -1;
  exp->add_option("--settle", settle,
                  "leave rows written in the last N seconds for the next export (incremental exports while Odoo "
                  "is written: a transaction's rows carry its start time; default: export everything)");

  cli::SyncArgs sync_args;
  add_sync_commands(app, sync_args);
  cli::ChannelArgs channel_args;
  add_channel_commands(app, channel_args);
  cli::ServeArgs serve_args;
  add_serve_command(app, serve_args);
  cli::DoctorArgs doctor_args;
  add_doctor_command(app, doctor_args);
  cli::PushArgs push_args;
  add_push_commands(app, push_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? ok : usage;
  }
  json_errors = as_json;
  sync_args.as_json = as_json;
  channel_args.as_json = as_json;
  if (auto rc = run_channel(channel_args)) return *rc;
  if (auto rc = run_offline(sync_args)) return *rc;
  push_args.as_json = as_json;
  if (auto rc = run_push_offline(push_args, sync_args.store, sync_args.store_password_file)) return *rc;
  if (auto rc = run_serve(serve_args, {url, db, user, protocol, api_key_file, api_key_source, password_file},
                          sync_args.store))
    return *rc;

  odoo::Config base;
  base.url = url;
  base.database = db;
  base.login = user;
  std::string secret_error;
  // The key's source: read once here (for the configuration's checks), then again by the clients when it
  // changes or Odoo refuses it (a rotation without a restart).
  std::shared_ptr<os::SecretSource> key_source;
  if (api_key_source.empty())
    if (const char* env = std::getenv("ODOO_API_KEY_SOURCE"); env && *env) api_key_source = env;
  if (!api_key_source.empty()) {
    auto src = os::parse_secret_source(api_key_source);
    if (!src) return report(std::move(src.error()).with_message_prefix("--api-key-source"));
    key_source = src.value();
  } else if (!api_key_file.empty()) {
    key_source = os::secret_from_file(api_key_file);
  }
  if (key_source) {
    auto first = key_source->current();
    if (!first)
      return report(std::move(first.error()).with_message_prefix("the API key from " + key_source->description()));
    base.api_key = std::move(first.value());
  }
  if (!password_file.empty()) base.password = read_secret_file(password_file, "password", secret_error);
  if (!secret_error.empty()) return report(os::Error::validation(secret_error));
  auto cfg = odoo::Config::from_env(std::move(base));
  if (cfg) {
    // Flags win over the environment.
    if (!url.empty()) cfg.value().url = url;
    if (!db.empty()) cfg.value().database = db;
    if (!user.empty()) cfg.value().login = user;
    if (!protocol.empty()) {
      auto p = odoo::parse_protocol(protocol);
      if (!p) return report(std::move(p.error()).with_message_prefix("--protocol"));
      cfg.value().protocol = p.value();
    }
  }
  if (doctor_args.cmd->parsed())
    return run_doctor_command(doctor_args, cfg ? &cfg.value() : nullptr, cfg ? "" : cfg.error().message(), as_json);
  if (!cfg) return report(cfg.error());
  odoo::ClientOptions client_options;
  client_options.api_key_source = key_source;
  auto client = odoo::Client::create(cfg.value(), client_options);
  if (!client) return report(client.error());
  if (needs_odoo(sync_args)) {
    // The client the engine states it needs: no policies of its own, every request counted.
    auto metrics = std::make_shared<os::InMemoryMetrics>();
    auto engine_options = os::sync::engine_client_options(metrics);
    engine_options.api_key_source = key_source;
    auto engine_client = odoo::Client::create(cfg.value(), engine_options);
    if (!engine_client) return report(engine_client.error());
    sync_args.uses_api_key = !cfg.value().api_key.empty();
    return *run_online(sync_args, *engine_client.value(), metrics);
  }
  if (push_needs_odoo(push_args)) {
    return *run_push_online(push_args, *client.value(), sync_args.store, sync_args.store_password_file);
  }
  auto& c = *client.value();

  odoo::Domain domain;
  if (domain_json != "[]") {
    auto d = odoo::Domain::from_json(domain_json);
    if (!d) return report(std::move(d.error()).with_message_prefix("--domain"));
    domain = std::move(d.value());
  }
  auto fields = split_fields(fields_csv);

  if (version->parsed()) {
    auto v = c.version();
    if (!v) return report(v.error());
    auto p = c.protocol();
    if (!p) return report(p.error());
    if (as_json) {
      std::printf("{\"version\":\"%s\",\"major\":%d,\"protocol\":\"%s\"}\n", v.value().text.c_str(), v.value().major,
                  std::string(odoo::to_string(p.value())).c_str());
    } else {
      std::printf("Odoo %s (major %d), protocol %s\n", v.value().text.c_str(), v.value().major,
                  std::string(odoo::to_string(p.value())).c_str());
    }
    return ok;
  }
  if (call->parsed()) {
    auto r = c.call(model, method, args_json, kwargs_json);
    if (!r) return report(r.error());
    std::puts(os::json::to_string(r.value()).c_str());
    return ok;
  }
  if (sr->parsed()) {
    auto r = c.search_read(model, domain, fields, {.limit = limit, .order = order});
    if (!r) return report(r.error());
    if (as_json)
      std::puts(os::json::to_string(r.value()).c_str());
    else
      print_table(r.value(), fields);
    return ok;
  }
  if (count->parsed()) {
    auto r = c.search_count(model, domain);
    if (!r) return report(r.error());
    std::printf("%lld\n", static_cast<long long>(r.value()));
    return ok;
  }
  if (fields_cmd->parsed()) {
    auto r = c.fields_get(model, {"string", "type", "required", "relation"});
    if (!r) return report(r.error());
    if (as_json) {
      std::puts(os::json::to_string(r.value()).c_str());
      return ok;
    }
    os::json::Document rows;
    rows.SetArray();
    for (const auto& m : r.value().GetObject()) {
      os::json::Value row(rapidjson::kObjectType);
      row.AddMember("name", os::json::Value(m.name, rows.GetAllocator()), rows.GetAllocator());
      for (const char* k : {"type", "string", "relation", "required"}) {
        if (const auto* v = os::json::find(m.value, k))
          row.AddMember(os::json::Value(k, rows.GetAllocator()), os::json::Value(*v, rows.GetAllocator()),
                        rows.GetAllocator());
        else
          row.AddMember(os::json::Value(k, rows.GetAllocator()), os::json::Value(false), rows.GetAllocator());
      }
      rows.PushBack(row, rows.GetAllocator());
    }
    print_table(rows, {});
    return ok;
  }
  if (exp->parsed()) {
    auto from = odoo::Checkpoint::parse(since);
    if (!from) return report(std::move(from.error()).with_message_prefix("--since"));
    odoo::ChangeCursor cursor(c, model, domain, fields, from.value(), page_size);
    if (settle >= 0) {
      const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
      cursor.stop_before(odoo::DateTime::from_sys(now - std::chrono::seconds{settle}));
    }
    std::int64_t total = 0;
    bool header = false;
    std::vector<std::string> cols;
    for (;;) {
      auto page = cursor.next();
      if (!page) {
        std::fputc('\n', stderr);
        report(page.error());
        std::fprintf(stderr, "odoosync: resume with --since \"%s\"\n", cursor.checkpoint().to_string().c_str());
        return exit_code(page.error());
      }
      if (!page.value()) break;
      const auto& rows = *page.value();
      if (format == "csv" && !header) {
        cols = columns_of(rows, fields);
        std::string line;
        for (std::size_t i = 0; i < cols.size(); ++i) line += (i ? "," : "") + csv_escape(cols[i]);
        std::puts(line.c_str());
        header = true;
      }
      for (const auto& r : rows.GetArray()) {
        if (format == "jsonl") {
          std::puts(os::json::to_string(r).c_str());
        } else {
          std::string line;
          for (std::size_t i = 0; i < cols.size(); ++i) {
            const auto* v = os::json::find(r, cols[i]);
            line += (i ? "," : "") + csv_escape(v ? cell(*v) : std::string());
          }
          std::puts(line.c_str());
        }
      }
      total += rows.Size();
      std::fflush(stdout);
      std::fprintf(stderr, "\rodoosync: exported %lld records", static_cast<long long>(total));
    }
    std::fprintf(stderr, "\rodoosync: exported %lld records\ncheckpoint: %s\n", static_cast<long long>(total),
                 cursor.checkpoint().to_string().c_str());
    return ok;
  }
  return usage;
}
