// Seeds a real Odoo with N products (external ids odoosync_bench.p_<i>) for the search_read
// comparisons in docs/benchmarks.md, in batches of 500 through `load` (an idempotent upsert: running
// it twice leaves N products). Connection from ODOO_* variables. Usage: bench_seed_products [N]
#include <odoosync/odoo/client.hpp>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  namespace odoo = odoosync::odoo;
  const long n = argc > 1 ? std::atol(argv[1]) : 10000;
  auto cfg = odoo::Config::from_env();
  if (!cfg) return std::fprintf(stderr, "%s\n", cfg.error().to_string().c_str()), 1;
  auto client = odoo::Client::create(cfg.value());
  if (!client) return std::fprintf(stderr, "%s\n", client.error().to_string().c_str()), 1;
  for (long start = 0; start < n; start += 500) {
    std::vector<std::vector<std::string>> rows;
    for (long i = start; i < std::min(n, start + 500); ++i) {
      rows.push_back({"odoosync_bench.p_" + std::to_string(i), "Bench product " + std::to_string(i),
                      "BENCH-" + std::to_string(i), std::to_string(10 + i % 90) + ".50"});
    }
    auto r = client.value()->load("product.product", {"id", "name", "default_code", "list_price"}, rows);
    if (!r) return std::fprintf(stderr, "%s\n", r.error().to_string().c_str()), 1;
    if (!r.value().written())
      return std::fprintf(stderr, "%s\n", r.value().refusal("product.product").to_string().c_str()), 1;
    std::fprintf(stderr, "\rseeded %ld/%ld", std::min(n, start + 500), n);
  }
  std::fprintf(stderr, "\n");
  return 0;
}
