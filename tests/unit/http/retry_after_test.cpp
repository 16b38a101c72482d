// Retry-After in seconds and in the three HTTP-date forms.
#include <doctest/doctest.h>

#include <odoosync/http/retry_after.hpp>

using namespace odoosync;
using namespace odoosync::http;
using namespace std::chrono;

namespace {
Clock::wall_time at(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}
}  // namespace

TEST_CASE("Retry-After in delay-seconds") {
  auto now = at(2026, 11, 22, 10, 0, 0);
  CHECK(parse_retry_after("120", now) == milliseconds(120000));
  CHECK(parse_retry_after(" 0 ", now) == milliseconds(0));
  CHECK_FALSE(parse_retry_after("-5", now));
  CHECK_FALSE(parse_retry_after("1.5", now));
  CHECK_FALSE(parse_retry_after("soon", now));
  CHECK_FALSE(parse_retry_after("", now));
  CHECK(parse_retry_after("99999999999999999999", now) == milliseconds(hours(24 * 365)));
}

TEST_CASE("Retry-After as an IMF-fixdate, RFC 850 date and asctime date") {
  auto now = at(2026, 11, 22, 10, 0, 0);
  CHECK(parse_retry_after("Sun, 22 Nov 2026 10:00:30 GMT", now) == milliseconds(30000));
  CHECK(parse_retry_after("Sunday, 22-Nov-26 10:01:00 GMT", now) == milliseconds(60000));
  CHECK(parse_retry_after("Sun Nov 22 10:00:05 2026", now) == milliseconds(5000));
  CHECK(parse_retry_after("Sun Nov  2 10:00:05 2026", now) == milliseconds(0));  // in the past
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == milliseconds(0));
  // A fraction of a second already gone counts.
  CHECK(parse_retry_after("Sun, 22 Nov 2026 10:00:30 GMT", now + milliseconds(250)) == milliseconds(29750));
}

TEST_CASE("An HTTP-date outside the wall clock's range is read as itself (fuzz: retry_after.date_out_of_range)") {
  // system_clock's nanoseconds end in 1677 and 2262: such a year used to overflow (signed, undefined).
  auto now = at(2026, 11, 22, 10, 0, 0);
  auto old = parse_http_date("Sat, 01 Jan 1454 00:00:00 GMT");
  REQUIRE(old);
  CHECK(old->time_since_epoch().count() ==
        (sys_days{year{1454} / 1 / 1} - sys_days{year{1970} / 1 / 1}).count() * 86400LL);
  CHECK(parse_http_date("Fri Dec 31 23:59:59 9999"));
  CHECK(parse_retry_after("Sat, 01 Jan 1454 00:00:00 GMT", now) == milliseconds(0));
  CHECK(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now) == milliseconds(hours(24 * 365)));  // capped
  CHECK(parse_retry_after("Mon, 22 Nov 2027 10:00:00 GMT", now) == milliseconds(hours(24 * 365)));
  CHECK(parse_retry_after("Mon, 22 Nov 2027 09:59:59 GMT", now) == milliseconds(hours(24 * 365)) - seconds(1));
}

TEST_CASE("malformed HTTP-dates are not dates") {
  CHECK_FALSE(parse_http_date("Sun, 22 Foo 2026 10:00:30 GMT"));
  CHECK_FALSE(parse_http_date("Sun, 31 Feb 2026 10:00:30 GMT"));
  CHECK_FALSE(parse_http_date("Sun, 22 Nov 2026 25:00:30 GMT"));
  CHECK_FALSE(parse_http_date("Sun, 22 Nov 2026 10:00:30 UTC"));
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == at(1994, 11, 6, 8, 49, 37));
  CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == at(1994, 11, 6, 8, 49, 37));
  CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == at(1994, 11, 6, 8, 49, 37));
}

TEST_CASE("Retry-After takes digits only (found by fuzz_retry_after)") {
  auto now = at(2026, 11, 22, 10, 0, 0);
  CHECK_FALSE(parse_retry_after("9999999999999999999\t9", now));  // was a year
  CHECK_FALSE(parse_retry_after("10 9", now));
  CHECK(parse_retry_after("99999999999999999999", now) == milliseconds(hours(24 * 365)));
  CHECK_FALSE(parse_http_date("Sun Nov  6 08:49:-7 1994"));  // a signed number was taken
  CHECK_FALSE(parse_http_date("Sun Nov 257 08:49:37 1994"));
  CHECK(parse_http_date("Sun Nov  6 08:49:37 1994"));
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"));
}
