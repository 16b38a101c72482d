#include <doctest/doctest.h>

#include <odoosync/retail/entities.hpp>

using namespace odoosync;
using namespace odoosync::retail;

TEST_CASE("Currency: ISO 4217 codes with their exponents, unknown codes refused") {
  CHECK(Currency::of("EUR").value().exponent() == 2);
  CHECK(Currency::of("JPY").value().exponent() == 0);
  CHECK(Currency::of("KWD").value().exponent() == 3);
  CHECK(Currency::of("CLF").value().exponent() == 4);
  CHECK(Currency::of("ZWG").value().code() == "ZWG");
  CHECK(Currency::of("AED").value().code() == "AED");
  auto bad = Currency::of("eur");
  REQUIRE(!bad);
  CHECK(bad.error().kind() == ErrorKind::validation);
  CHECK(bad.error().message() == "unknown currency \"eur\"");
  CHECK(!Currency::of("XYZ"));
  CHECK(!Currency::of(""));
}

TEST_CASE("Money parses and formats decimal strings exactly") {
  CHECK(Money::parse("12.5", "EUR").value().minor_units() == 1250);
  CHECK(Money::parse("12.5", "EUR").value().amount() == "12.50");
  CHECK(Money::parse("0", "EUR").value().amount() == "0.00");
  CHECK(Money::parse("-0.01", "EUR").value().amount() == "-0.01");
  CHECK(Money::parse("1200", "JPY").value().amount() == "1200");
  CHECK(Money::parse("1.005", "KWD").value().minor_units() == 1005);
  CHECK(Money::parse("0.1", "EUR").value().minor_units() == 10);  // 0.1 + 0.2 is exactly 0.3 here
  CHECK(Money::parse("0.1", "EUR").value().plus(Money::parse("0.2", "EUR").value()).value() ==
        Money::parse("0.30", "EUR").value());
  CHECK(Money::parse("999999999999999999", "JPY").value().minor_units() == 999999999999999999);
  CHECK(Money::parse("12.345", "EUR").error().message() == "has 3 decimal places; EUR allows 2");
  CHECK(Money::parse("1.5", "JPY").error().message() == "has 1 decimal places; JPY allows 0");
  for (const char* bad : {"", "-", "1.", ".5", "01", "1e3", "+1", "1,5", " 1", "1 ", "0x10", "--1", "1.2.3"}) {
    CAPTURE(bad);
    CHECK(Money::parse(bad, "EUR").error().message() == "must be a decimal string such as \"12.50\"");
  }
  CHECK(Money::parse("1234567890123456789", "JPY").error().message() == "is out of range");
  CHECK(Money::parse("99999999999999999.99", "EUR").error().message() == "is out of range");
  CHECK(Money::parse("9999999999999999.99", "EUR").value().minor_units() == 999999999999999999);
}

TEST_CASE("Money arithmetic refuses to mix currencies and to overflow") {
  const Money eur = Money::parse("10.00", "EUR").value();
  const Money usd = Money::parse("10.00", "USD").value();
  auto mixed = eur.plus(usd);
  REQUIRE(!mixed);
  CHECK(mixed.error().message() == "cannot add USD to EUR");
  CHECK(!eur.minus(usd));
  CHECK(eur.minus(eur).value().is_zero());
  const Money big(INT64_MAX, eur.currency());
  CHECK(!big.plus(Money(1, eur.currency())));
  CHECK(Money(INT64_MIN + 1, eur.currency()).minus(Money(2, eur.currency())).error().message() ==
        "amount is out of range");
  CHECK(eur.to_string() == "10.00 EUR");
}

TEST_CASE("Quantity: six decimals, shortest exact text, same unit to add") {
  CHECK(Quantity::parse("2.5").value().micro_units() == 2'500'000);
  CHECK(Quantity::parse("2.500").value().value() == "2.5");
  CHECK(Quantity::parse("-3").value().value() == "-3");
  CHECK(Quantity::parse("0.000001").value().value() == "0.000001");
  CHECK(Quantity::parse("0").value().value() == "0");
  CHECK(Quantity::parse("-0").value().value() == "0");
  CHECK(Quantity::parse("999999999999.999999").value().value() == "999999999999.999999");
  CHECK(Quantity::parse("1000000000000").error().message() == "is out of range");
  CHECK(Quantity::parse("1.0000001").error().message() == "has 7 decimal places; at most 6 allowed");
  CHECK(Quantity::parse("abc").error().message() == "must be a decimal string such as \"12.50\"");
  const Quantity a = Quantity::parse("1.5", "kg").value();
  CHECK(a.plus(Quantity::parse("2.25", "kg").value()).value().value() == "3.75");
  CHECK(a.plus(Quantity::units(1)).error().message() == "cannot add Units to kg");
}

TEST_CASE("extend: quantity × unit price rounds half away from zero to the minor unit") {
  const Money p = Money::parse("0.99", "EUR").value();
  CHECK(extend(Quantity::parse("3").value(), p).value().amount() == "2.97");
  CHECK(extend(Quantity::parse("0.5").value(), Money::parse("0.01", "EUR").value()).value().amount() ==
        "0.01");  // 0.005 → 0.01
  CHECK(extend(Quantity::parse("0.4").value(), Money::parse("0.01", "EUR").value()).value().amount() == "0.00");
  CHECK(extend(Quantity::parse("-0.5").value(), Money::parse("0.01", "EUR").value()).value().amount() == "-0.01");
  CHECK(extend(Quantity::parse("1.333").value(), Money::parse("3", "JPY").value()).value().amount() == "4");
  CHECK(extend(Quantity::parse("999999999999").value(), Money(INT64_MAX, p.currency())).error().message() ==
        "amount is out of range");
}

TEST_CASE("Timestamp: RFC 3339 in, UTC out, to the nanosecond") {
  auto t = Timestamp::parse("2026-12-01T10:15:00Z").value();
  CHECK(t.to_string() == "2026-12-01T10:15:00Z");
  CHECK(t.to_odoo() == "2026-12-01 10:15:00");
  CHECK(Timestamp::parse("2026-12-01T11:15:00+01:00").value() == t);
  CHECK(Timestamp::parse("2026-12-01T05:00:00-05:15").value().to_string() == "2026-12-01T10:15:00Z");
  CHECK(Timestamp::parse("2026-12-01T10:15:00.120Z").value().to_string() == "2026-12-01T10:15:00.12Z");
  CHECK(Timestamp::parse("2026-12-01T10:15:00.000000001Z").value().nanos == 1);
  CHECK(Timestamp::parse("1970-01-01T00:00:00Z").value().seconds == 0);
  CHECK(Timestamp::parse("1969-12-31T23:59:59Z").value().to_string() == "1969-12-31T23:59:59Z");
  CHECK(Timestamp::parse("2024-02-29T00:00:00Z").value().to_string() == "2024-02-29T00:00:00Z");
  CHECK(Timestamp::parse("2000-01-01T00:00:00+14:00").value().to_string() == "1999-12-31T10:00:00Z");
  for (const char* bad :
       {"", "2026-12-01", "2026-12-01 10:15:00Z", "2026-12-01T10:15Z", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
        "2026-12-01T24:00:00Z", "2026-12-01T10:60:00Z", "2026-12-01T10:15:60Z", "2026-12-01T10:15:00",
        "2026-12-01T10:15:00.Z", "2026-12-01T10:15:00.1234567890Z", "2026-12-01T10:15:00+1:00",
        "2026-12-01T10:15:00+24:00", "2026-12-01T10:15:00Zjunk", "2026-12-01t10:15:00z"}) {
    CAPTURE(bad);
    CHECK(Timestamp::parse(bad).error().message() == "must be an RFC 3339 timestamp such as \"2026-12-01T10:15:00Z\"");
  }
  CHECK(CalendarDate::parse("2026-12-31").value().to_string() == "2026-12-31");
  CHECK(!CalendarDate::parse("2026-02-30"));
  CHECK(!CalendarDate::parse("2026-2-3"));
  const auto now = Timestamp::now();
  CHECK(Timestamp::parse(now.to_string()).value() == now);
}

TEST_CASE("Identifiers: SKUs, GTIN barcodes, locations, channels") {
  CHECK(Sku::parse("SKU-1"));
  CHECK(Sku::parse("").error().message() == "must not be empty");
  CHECK(Sku::parse(" A").error().message() == "must not start or end with a space");
  CHECK(Sku::parse("A@B").error().message() == "must not contain \"@\"");
  CHECK(Sku::parse("A\tB").error().message() == "must not contain control characters");
  CHECK(Sku::parse(std::string(65, 'x')).error().message() == "must be at most 64 characters");
  CHECK(Sku::parse("Ärmel-ß"));            // characters, not bytes, are counted
  CHECK(Barcode::parse("4006381333931"));  // EAN-13
  CHECK(Barcode::parse("96385074"));       // EAN-8
  CHECK(Barcode::parse("036000291452"));   // UPC-A
  CHECK(Barcode::parse("4006381333932").error().message() == "check digit is wrong (expected 1)");
  CHECK(Barcode::parse("ABC-123"));  // not a GTIN: any printable ASCII
  CHECK(Barcode::parse("12345"));
  CHECK(Barcode::parse("AB C").error().message() == "must be printable ASCII");
  CHECK(LocationRef::parse("WH/Stock").value().warehouse() == "WH");
  CHECK(LocationRef::parse("SHOP2/Stock/Shelf 1").value().warehouse() == "SHOP2");
  CHECK(LocationRef::parse("WH").value().warehouse() == "WH");
  for (const char* bad : {"/Stock", "WH/", "WH//Stock", "WH/ Stock"}) {
    CAPTURE(bad);
    CHECK(LocationRef::parse(bad).error().message() == "must be a location such as \"WH/Stock\"");
  }
  CHECK(ChannelRef::parse("pos/store-12").value().kind() == "pos");
  for (const char* bad : {"pos", "POS/x", "pos/", "/x", "pos/a b", "9pos/x"}) {
    CAPTURE(bad);
    CHECK(ChannelRef::parse(bad).error().message() == "must be a channel such as \"pos/store-12\"");
  }
}
