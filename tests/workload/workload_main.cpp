// odoosync-workload: writes a generated retail day as CloudEvents JSON lines (the demo and benchmarks
// feed it to `odoosync sync submit`), with the walk-in customer it needs and the expected outcome.
//
//   odoosync-workload DIR [--seed S] [--stock N] [--orders N] [--products N] [--unknown N] [--malformed N] [--skus N]
//   writes DIR/seed.jsonl, DIR/events.jsonl and DIR/expected.json
#include "workload.hpp"

#include <cstdio>
#include <fstream>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]).rfind("--", 0) == 0) {
    std::fprintf(stderr,
                 "usage: %s DIR [--seed S] [--stock N] [--orders N] [--products N] [--unknown N] [--malformed N] "
                 "[--skus N] [--opening N]\n",
                 argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  odoosync::workload::Spec spec;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const long long v = std::atoll(argv[i + 1]);
    if (k == "--seed")
      spec.seed = static_cast<std::uint64_t>(v);
    else if (k == "--stock")
      spec.stock_events = static_cast<int>(v);
    else if (k == "--orders")
      spec.orders = static_cast<int>(v);
    else if (k == "--products")
      spec.product_upserts = static_cast<int>(v);
    else if (k == "--unknown")
      spec.unknown_sku_events = static_cast<int>(v);
    else if (k == "--malformed")
      spec.malformed = static_cast<int>(v);
    else if (k == "--skus")
      spec.skus = static_cast<int>(v);
    else if (k == "--opening")
      spec.opening_stock = static_cast<int>(v);
    else {
      std::fprintf(stderr, "odoosync-workload: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  const auto w = odoosync::workload::generate(spec);
  std::ofstream seed(dir + "/seed.jsonl"), events(dir + "/events.jsonl"), expected(dir + "/expected.json");
  if (!seed || !events || !expected) {
    std::fprintf(stderr, "odoosync-workload: cannot write into %s\n", dir.c_str());
    return 1;
  }
  for (const auto& l : w.seed) seed << l << '\n';
  for (const auto& l : w.lines) events << l << '\n';
  expected << "{\"valid_events\": " << w.valid_events << ", \"orders\": " << w.order_lines.size() << ", \"dead\": [";
  bool first = true;
  for (const auto& d : w.dead) {
    expected << (first ? "" : ", ") << '"' << d << '"';
    first = false;
  }
  expected << "], \"stock\": {";
  first = true;
  for (const auto& [k, v] : w.stock_final) {
    expected << (first ? "" : ", ") << '"' << k << "\": " << v;
    first = false;
  }
  expected << "}}\n";
  std::printf("%zu events (%zu valid, %zu Odoo must refuse, %d malformed) in %s/events.jsonl\n", w.lines.size(),
              w.valid_events, w.dead.size(), spec.malformed, dir.c_str());
  return 0;
}
