// EmulatedOdoo: the public, exception-free face of the in-process emulator server.
#include <odoosync/emulator/emulated_odoo.hpp>

#include <cstdlib>
#include <filesystem>

#include "server.hpp"

namespace odoosync {
inline namespace v0 {

struct EmulatedOdoo::Impl {
  std::unique_ptr<emulator::EmulatorServer> server;
  int version = 18;
};

EmulatedOdoo::EmulatedOdoo(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EmulatedOdoo::~EmulatedOdoo() = default;

result<std::unique_ptr<EmulatedOdoo>> EmulatedOdoo::start(const EmulatedOdooOptions& options) {
  if (options.odoo_version < 17 || options.odoo_version > 19) {
    return Error::validation("EmulatedOdooOptions::odoo_version must be 17, 18 or 19");
  }
  emulator::Options o;
  o.odoo_version = options.odoo_version;
  o.extra_products = options.extra_products;
  o.fixture = options.fixture_file;
  o.seed = options.seed;
  o.admin_api_key_expires = options.api_key_expires;
  for (const auto& m : options.modules) {
    if (!emulator::Database::known_module(m))
      return Error::validation("EmulatedOdooOptions::modules: unknown module \"" + m + "\" (known: stock_delivery)");
  }
  o.modules = options.modules;
  // The key: given, else $ODOOSYNC_EMULATOR_API_KEY (the tests' secret canary sets it), else the fixed one.
  const char* key_env = std::getenv("ODOOSYNC_EMULATOR_API_KEY");
  if (!options.api_key.empty())
    o.admin_api_key = options.api_key;
  else if (key_env && *key_env)
    o.admin_api_key = key_env;
  // $ODOOSYNC_EMULATOR_DATA first (an install moved to another prefix), then the build tree's copy next
  // to the sources, then <install prefix>/share/odoosync/emulator.
  std::error_code ec;
  const char* env = std::getenv("ODOOSYNC_EMULATOR_DATA");
  o.data_dir = !options.data_dir.empty() ? options.data_dir : env && *env ? env : ODOOSYNC_EMULATOR_DATA_DIR;
  if (!std::filesystem::exists(o.data_dir, ec)) o.data_dir = ODOOSYNC_EMULATOR_INSTALLED_DATA_DIR;
  if (!std::filesystem::exists(o.data_dir, ec)) {
    return Error(ErrorKind::storage, "the emulator's data (odoo18/, odoo19/) is in neither " +
                                         std::string(ODOOSYNC_EMULATOR_DATA_DIR) + " nor " +
                                         std::string(ODOOSYNC_EMULATOR_INSTALLED_DATA_DIR));
  }
  auto impl = std::make_unique<Impl>();
  impl->version = options.odoo_version;
  try {
    impl->server =
        std::make_unique<emulator::EmulatorServer>(o, emulator::ServerOptions{options.port, options.keep_alive});
  } catch (const emulator::OdooException& e) {
    return Error::validation("the fixture was refused: " + e.name + ": " + e.message);
  } catch (const std::exception& e) {
    return Error(ErrorKind::storage, std::string("the emulator could not start: ") + e.what());
  }
  return std::unique_ptr<EmulatedOdoo>(new EmulatedOdoo(std::move(impl)));
}

std::string EmulatedOdoo::url() const { return impl_->server->url(); }
std::string EmulatedOdoo::database() const { return impl_->version >= 19 ? "retail19" : "retail18"; }
std::string EmulatedOdoo::login() const { return "admin"; }
std::string EmulatedOdoo::api_key() const { return impl_->server->admin_api_key(); }
std::string EmulatedOdoo::password() const { return "admin"; }
void EmulatedOdoo::stop() { impl_->server->stop(); }

EmulatedOdoo::InFlight EmulatedOdoo::in_flight() const noexcept {
  auto now = impl_->server->in_flight();
  return {std::move(now.calls), now.slow_calls_started};
}

result<void> EmulatedOdoo::inject(std::string_view fault_json) {
  auto doc = json::parse(fault_json);
  if (!doc || !doc.value().IsObject() || !json::find(doc.value(), "kind") || !doc.value()["kind"].IsString()) {
    return Error::validation("inject: expected a JSON object with a \"kind\" string");
  }
  const auto& d = doc.value();
  emulator::Fault f;
  auto text = [&](const char* k) {
    const auto* v = json::find(d, k);
    return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
  };
  auto number = [&](const char* k, int fallback) {
    const auto* v = json::find(d, k);
    return v && v->IsInt() ? v->GetInt() : fallback;
  };
  f.kind = text("kind");
  f.model = text("model");
  f.method = text("method");
  f.times = number("times", 1);
  f.latency_ms = number("latency_ms", 0);
  f.retry_after_s = number("retry_after_s", 1);
  if (const auto* p = json::find(d, "probability"); p && p->IsNumber()) f.probability = p->GetDouble();
  impl_->server->add_fault(f);
  return success();
}

}  // namespace v0
}  // namespace odoosync
