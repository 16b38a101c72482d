// Metric hooks: components report counters, gauges and observations (latencies in seconds, sizes) to a
// sink the host provides (Prometheus, OpenTelemetry, its own). Labels never carry secrets.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace odoosync {
inline namespace v0 {

using MetricLabel = std::pair<std::string_view, std::string_view>;
using MetricLabels = std::span<const MetricLabel>;

// Implementations must be safe to call from many threads at once.
class MetricsSink {
 public:
  virtual ~MetricsSink() = default;
  virtual void increment(std::string_view name, MetricLabels labels, std::uint64_t by = 1) = 0;
  virtual void gauge(std::string_view name, MetricLabels labels, double value) = 0;
  virtual void observe(std::string_view name, MetricLabels labels, double value) = 0;
};

// Keeps everything in memory; readable by tests and by hosts that poll.
class InMemoryMetrics final : public MetricsSink {
 public:
  struct Summary {
    std::uint64_t count = 0;
    double sum = 0;
    double max = 0;
  };

  void increment(std::string_view name, MetricLabels labels, std::uint64_t by = 1) override;
  void gauge(std::string_view name, MetricLabels labels, double value) override;
  void observe(std::string_view name, MetricLabels labels, double value) override;

  // Series are named `name{k="v",...}` with labels in the order given.
  std::uint64_t counter(std::string_view series) const;
  double gauge_value(std::string_view series) const;
  Summary summary(std::string_view series) const;
  std::vector<std::string> series() const;

  static std::string series_name(std::string_view name, MetricLabels labels);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t, std::less<>> counters_;
  std::map<std::string, double, std::less<>> gauges_;
  std::map<std::string, Summary, std::less<>> summaries_;
};

}  // namespace v0
}  // namespace odoosync
