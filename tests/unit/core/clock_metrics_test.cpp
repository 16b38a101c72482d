// The injectable clock and the in-memory metrics sink.
#include <doctest/doctest.h>

#include <odoosync/core/cancellation.hpp>
#include <odoosync/core/clock.hpp>
#include <odoosync/core/metrics.hpp>

#include <thread>
#include <vector>

using namespace odoosync;
using namespace std::chrono_literals;

TEST_CASE("ManualClock moves only when told to, and sleep_for advances it and is recorded") {
  ManualClock c;
  auto t0 = c.now();
  auto w0 = c.wall_now();
  CHECK(c.now() == t0);
  c.sleep_for(250ms);
  c.advance(1s);
  CHECK(c.now() - t0 == 1250ms);
  CHECK(c.wall_now() - w0 == 1250ms);
  REQUIRE(c.sleeps().size() == 1);
  CHECK(c.sleeps()[0] == 250ms);
}

TEST_CASE("the system clock is monotonic and sleeps") {
  auto& c = Clock::system();
  auto t0 = c.now();
  c.sleep_for(5ms);
  CHECK(c.now() - t0 >= 5ms);
}

TEST_CASE("a cancellation token is shared by its copies") {
  CancellationToken a;
  CancellationToken b = a;
  CHECK_FALSE(b.cancelled());
  a.cancel();
  CHECK(b.cancelled());
}

TEST_CASE("InMemoryMetrics counts by series, concurrently") {
  InMemoryMetrics m;
  const MetricLabel labels[] = {{"method", "POST"}, {"status", "200"}};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) m.increment("requests_total", labels);
    });
  for (auto& t : threads) t.join();
  CHECK(m.counter(R"(requests_total{method="POST",status="200"})") == 4000);
  m.observe("latency", {}, 0.5);
  m.observe("latency", {}, 1.5);
  auto s = m.summary("latency");
  CHECK(s.count == 2);
  CHECK(s.sum == 2.0);
  CHECK(s.max == 1.5);
  m.gauge("depth", {}, 7);
  CHECK(m.gauge_value("depth") == 7);
  CHECK(m.series().size() == 3);
  const MetricLabel quoted[] = {{"v", "a\"b"}};
  CHECK(InMemoryMetrics::series_name("x", quoted) == R"(x{v="a\"b"})");
}
