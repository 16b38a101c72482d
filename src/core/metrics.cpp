// The in-memory metrics sink.
#include <odoosync/core/metrics.hpp>

#include <algorithm>

namespace odoosync {
inline namespace v0 {

std::string InMemoryMetrics::series_name(std::string_view name, MetricLabels labels) {
  std::string s(name);
  if (labels.empty()) return s;
  s += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) s += ',';
    first = false;
    s.append(k).append("=\"");
    for (char c : v) {
      if (c == '"' || c == '\\') s += '\\';
      if (c == '\n') {
        s += "\\n";
        continue;
      }
      s += c;
    }
    s += '"';
  }
  s += '}';
  return s;
}

void InMemoryMetrics::increment(std::string_view name, MetricLabels labels, std::uint64_t by) {
  auto key = series_name(name, labels);
  std::lock_guard lock(mutex_);
  counters_[key] += by;
}

void InMemoryMetrics::gauge(std::string_view name, MetricLabels labels, double value) {
  auto key = series_name(name, labels);
  std::lock_guard lock(mutex_);
  gauges_[key] = value;
}

void InMemoryMetrics::observe(std::string_view name, MetricLabels labels, double value) {
  auto key = series_name(name, labels);
  std::lock_guard lock(mutex_);
  auto& s = summaries_[key];
  ++s.count;
  s.sum += value;
  s.max = std::max(s.max, value);
}

std::uint64_t InMemoryMetrics::counter(std::string_view series) const {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(series);
  return it == counters_.end() ? 0 : it->second;
}

double InMemoryMetrics::gauge_value(std::string_view series) const {
  std::lock_guard lock(mutex_);
  auto it = gauges_.find(series);
  return it == gauges_.end() ? 0 : it->second;
}

InMemoryMetrics::Summary InMemoryMetrics::summary(std::string_view series) const {
  std::lock_guard lock(mutex_);
  auto it = summaries_.find(series);
  return it == summaries_.end() ? Summary{} : it->second;
}

std::vector<std::string> InMemoryMetrics::series() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [k, v] : counters_) out.push_back(k);
  for (const auto& [k, v] : gauges_) out.push_back(k);
  for (const auto& [k, v] : summaries_) out.push_back(k);
  return out;
}

}  // namespace v0
}  // namespace odoosync
