// InMemoryMetrics as Prometheus text (ops/prometheus_text.hpp).
#include <odoosync/ops/prometheus_text.hpp>

#include <odoosync/core/metrics.hpp>

#include <fmt/format.h>

#include <map>
#include <string_view>
#include <vector>

namespace odoosync {
inline namespace v0 {
namespace ops {

namespace {

// "name{a=\"b\"}" -> name, "{a=\"b\"}"
std::pair<std::string_view, std::string_view> split(std::string_view series) {
  const auto brace = series.find('{');
  if (brace == std::string_view::npos) return {series, {}};
  return {series.substr(0, brace), series.substr(brace)};
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string prometheus_text(const InMemoryMetrics& sink) {
  std::map<std::string, std::vector<std::string>, std::less<>> by_name;
  for (auto& series : sink.series()) {
    const auto [name, labels] = split(series);
    by_name[std::string(name)].push_back(series);
  }
  std::string out;
  for (const auto& [name, all] : by_name) {
    if (ends_with(name, "_total")) {
      out += fmt::format("# TYPE {} counter\n", name);
      for (const auto& s : all) out += fmt::format("{} {}\n", s, sink.counter(s));
      continue;
    }
    std::vector<const std::string*> observed, gauges;
    for (const auto& s : all) (sink.summary(s).count > 0 ? observed : gauges).push_back(&s);
    if (!observed.empty()) {
      out += fmt::format("# TYPE {} summary\n", name);
      for (const auto* s : observed) {
        const auto [n, labels] = split(*s);
        const auto sum = sink.summary(*s);
        out += fmt::format("{}_count{} {}\n{}_sum{} {:.6f}\n", n, labels, sum.count, n, labels, sum.sum);
      }
      out += fmt::format("# TYPE {}_max gauge\n", name);
      for (const auto* s : observed) {
        const auto [n, labels] = split(*s);
        out += fmt::format("{}_max{} {:.6f}\n", n, labels, sink.summary(*s).max);
      }
    }
    if (!gauges.empty()) {
      // A name both observed and set as a gauge would be two families under one name: only the summary.
      if (!observed.empty()) continue;
      out += fmt::format("# TYPE {} gauge\n", name);
      for (const auto* s : gauges) out += fmt::format("{} {}\n", *s, sink.gauge_value(*s));
    }
  }
  return out;
}

}  // namespace ops
}  // namespace v0
}  // namespace odoosync
