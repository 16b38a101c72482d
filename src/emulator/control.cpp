// The control endpoint tests and the harness use (/__emulator__/...): faults, the clock, calls in
// flight, the call log and counters, snapshots of a model, and a reset to the seed.
#include "protocol.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

namespace odoosync::emulator {

HttpReply Emulator::control(const HttpRequest& request, const std::string& path) {
  Doc body;
  if (!request.body.empty()) body.Parse(request.body.c_str(), request.body.size());
  if (path == "/__emulator__/faults") {
    if (request.method == "POST") {
      if (!body.IsObject() || !body.HasMember("kind"))
        return json_reply(400, R"({"error": "expected {\"kind\": ...}"})");
      Fault f;
      f.kind = sv(body["kind"]);
      if (body.HasMember("model")) f.model = sv(body["model"]);
      if (body.HasMember("method")) f.method = sv(body["method"]);
      if (body.HasMember("times") && body["times"].IsInt()) f.times = body["times"].GetInt();
      if (body.HasMember("latency_ms") && body["latency_ms"].IsInt()) f.latency_ms = body["latency_ms"].GetInt();
      if (body.HasMember("retry_after_s") && body["retry_after_s"].IsInt())
        f.retry_after_s = body["retry_after_s"].GetInt();
      if (body.HasMember("probability") && body["probability"].IsNumber())
        f.probability = body["probability"].GetDouble();
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
      out += fmt::format(R"({}{{"kind": "{}", "model": "{}", "method": "{}", "times": {}, "consumed": {}{}}})",
                         i ? ", " : "", f.kind, f.model, f.method, f.times, f.consumed,
                         f.probability < 1.0 ? fmt::format(", \"probability\": {}", f.probability) : std::string());
    }
    return json_reply(200, out + "]");
  }
  if (path == "/__emulator__/clock") {
    // {"freeze": "YYYY-MM-DD HH:MM:SS[.ffffff]"} or {"freeze": true} (where it stands), {"advance_ms": N},
    // {"run": true}; GET tells the time and whether it is frozen.
    if (request.method == "POST") {
      if (!body.IsObject())
        return json_reply(400, R"({"error": "expected {\"freeze\": ..., \"advance_ms\": ..., \"run\": true}"})");
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
      out += fmt::format(R"({}{{"id": {}, "model": "{}", "method": "{}", "started": "{}", "commit_in_ms": {}}})",
                         out.size() > 1 ? ", " : "", f.id, f.model, f.method, f.started, std::max<long long>(0, left));
    }
    return json_reply(200, out + "]");
  }
  if (path == "/__emulator__/log") {
    std::string out = "[";
    for (std::size_t i = 0; i < log_.size(); ++i) out += fmt::format(R"({}"{}")", i ? ", " : "", log_[i].call);
    return json_reply(200, out + "]");
  }
  if (path == "/__emulator__/requests") {
    // The same calls with what their requests carried: traceparent, tracestate, X-Correlation-Id.
    Doc out;
    out.SetArray();
    auto& a = out.GetAllocator();
    for (const auto& c : log_) {
      Val o(rapidjson::kObjectType);
      o.AddMember("call", Val(c.call.c_str(), static_cast<rapidjson::SizeType>(c.call.size()), a), a);
      o.AddMember("traceparent", Val(c.traceparent.c_str(), static_cast<rapidjson::SizeType>(c.traceparent.size()), a),
                  a);
      o.AddMember("tracestate", Val(c.tracestate.c_str(), static_cast<rapidjson::SizeType>(c.tracestate.size()), a), a);
      o.AddMember("correlation_id",
                  Val(c.correlation_id.c_str(), static_cast<rapidjson::SizeType>(c.correlation_id.size()), a), a);
      out.PushBack(o, a);
    }
    return json_reply(200, dump(out));
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
    const std::string dir =
        (std::filesystem::path(options_.data_dir) / (options_.odoo_version >= 19 ? "odoo19" : "odoo18")).string();
    db_ = Database::load(dir, options_.odoo_version);
    db_.set_clock(clock_);
    for (const auto& m : options_.modules) db_.install_module(m);
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
