// Structured logging: JSON lines, and secrets redacted by construction.
#include <doctest/doctest.h>

#include <odoosync/core/json.hpp>
#include <odoosync/core/log.hpp>

#include <sstream>
#include <vector>

#include <fmt/format.h>

using namespace odoosync;

TEST_CASE("a Secret never shows its value when streamed, logged or compared") {
  Secret key("sk-live-1234567890");
  std::ostringstream os;
  os << key;
  CHECK(os.str() == "[redacted]");
  CHECK(key.reveal() == "sk-live-1234567890");
  CHECK(Secret("a") == Secret("a"));
  CHECK_FALSE(Secret("a") == Secret("ab"));
  Secret moved = std::move(key);
  CHECK(moved.reveal() == "sk-live-1234567890");
  CHECK(key.empty());  // NOLINT: moved-from is wiped on purpose
}

TEST_CASE("JsonLinesSink writes one JSON object per record and redacts Secret fields") {
  std::vector<std::string> lines;
  auto sink = std::make_shared<JsonLinesSink>([&lines](std::string_view l) { lines.emplace_back(l); }, LogLevel::debug);
  ManualClock clock;
  Logger log(sink, &clock);
  log.log(LogLevel::info, "logged in",
          {{"user", "admin"}, {"api_key", Secret("0123456789abcdef")}, {"uid", 2}, {"ok", true}, {"secs", 0.25}});
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("0123456789abcdef") == std::string::npos);
  auto doc = json::parse(lines[0]);
  REQUIRE(doc);
  const auto& d = doc.value();
  CHECK(std::string(d["time"].GetString()) == "2026-01-01T00:00:00.000Z");
  CHECK(std::string(d["level"].GetString()) == "info");
  CHECK(std::string(d["msg"].GetString()) == "logged in");
  CHECK(std::string(d["user"].GetString()) == "admin");
  CHECK(std::string(d["api_key"].GetString()) == "[redacted]");
  CHECK(d["uid"].GetInt() == 2);
  CHECK(d["ok"].GetBool());
  CHECK(d["secs"].GetDouble() == 0.25);
}

TEST_CASE("records below the sink's level are dropped, bad UTF-8 in text is replaced, not fatal") {
  std::vector<std::string> lines;
  auto sink = std::make_shared<JsonLinesSink>([&lines](std::string_view l) { lines.emplace_back(l); }, LogLevel::warn);
  Logger log(sink);
  log.log(LogLevel::info, "quiet");
  CHECK(lines.empty());
  log.log(LogLevel::error, "server said \xFF\xFE", {{"detail", std::string("line1\nline2")}});
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find('\n') == std::string::npos);
  auto doc = json::parse(lines[0]);
  REQUIRE(doc);
  CHECK(std::string(doc.value()["msg"].GetString()) == "server said \xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(std::string(doc.value()["detail"].GetString()) == "line1\nline2");
}

TEST_CASE("a default Logger drops everything and costs nothing") {
  Logger log;
  CHECK_FALSE(log.enabled(LogLevel::error));
  log.log(LogLevel::error, "nowhere");
}
