// Typed records straight from the answer's bytes: a RapidJSON SAX handler fills the structs as the
// text is read, with no document in between (less memory, and the numbers keep Odoo's exact digits).
// search_read_as<T> (record.hpp) uses it; decode_records_text<T> is the entry point for raw text.
#pragma once

#include <bitset>
#include <charconv>

#include <odoosync/odoo/record.hpp>

namespace odoosync {
inline namespace v0 {
namespace odoo {
namespace detail {

// Per member type: what each SAX value event means for it. An empty string means accepted.
inline std::string got_false(std::string_view expected) {
  return std::string("expected ") + std::string(expected) + ", got false";
}
template <class M> struct Assign;

template <> struct Assign<std::int64_t> {
  static std::string boolean(std::int64_t&, bool b) { return b ? "expected an integer, got true" : got_false("an integer"); }
  static std::string number(std::int64_t& m, std::string_view raw) {
    auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), m);
    return ec == std::errc{} && p == raw.data() + raw.size() ? std::string() : "expected an integer, got " + std::string(raw);
  }
  static std::string string(std::int64_t&, std::string_view) { return "expected an integer, got a string"; }
  static std::string null(std::int64_t&) { return "expected an integer, got null"; }
};
template <> struct Assign<bool> {
  static std::string boolean(bool& m, bool b) { m = b; return {}; }
  static std::string number(bool&, std::string_view raw) { return "expected true or false, got " + std::string(raw); }
  static std::string string(bool&, std::string_view) { return "expected true or false, got a string"; }
  static std::string null(bool&) { return "expected true or false, got null"; }
};
template <> struct Assign<std::string> {
  static std::string boolean(std::string&, bool b) {
    return b ? "expected a string, got true" : "expected a string, got false (empty: declare it std::optional)";
  }
  static std::string number(std::string&, std::string_view raw) { return "expected a string, got " + std::string(raw); }
  static std::string string(std::string& m, std::string_view s) { m.assign(s); return {}; }
  static std::string null(std::string&) { return "expected a string, got null"; }
};
template <> struct Assign<Decimal> {
  static std::string boolean(Decimal&, bool) { return "expected a number, got a boolean"; }
  static std::string number(Decimal& m, std::string_view raw) {
    auto d = Decimal::parse(raw);
    if (!d) return d.error().message();
    m = d.value();
    return {};
  }
  static std::string string(Decimal&, std::string_view) { return "expected a number, got a string"; }
  static std::string null(Decimal&) { return "expected a number, got null"; }
};
template <class D> struct AssignDate {
  static std::string boolean(D&, bool) { return "expected a date, got a boolean (empty: declare it std::optional)"; }
  static std::string number(D&, std::string_view raw) { return "expected a date, got " + std::string(raw); }
  static std::string string(D& m, std::string_view s) {
    auto d = D::parse(s);
    if (!d) return d.error().message();
    m = d.value();
    return {};
  }
  static std::string null(D&) { return "expected a date, got null"; }
};
template <> struct Assign<Date> : AssignDate<Date> {};
template <> struct Assign<DateTime> : AssignDate<DateTime> {};
template <> struct Assign<Many2one> {
  static std::string boolean(Many2one& m, bool b) {
    if (b) return "expected [id, \"name\"] or false, got true";
    m = {};
    return {};
  }
  static std::string number(Many2one& m, std::string_view raw) {  // load=None: a bare id
    return Assign<std::int64_t>::number(m.id, raw);
  }
  static std::string string(Many2one&, std::string_view) { return "expected [id, \"name\"] or false, got a string"; }
  static std::string null(Many2one& m) { m = {}; return {}; }
};
template <> struct Assign<std::vector<std::int64_t>> {
  static std::string boolean(std::vector<std::int64_t>&, bool) { return "expected a list of ids, got a boolean"; }
  static std::string number(std::vector<std::int64_t>&, std::string_view r) { return "expected a list of ids, got " + std::string(r); }
  static std::string string(std::vector<std::int64_t>&, std::string_view) { return "expected a list of ids, got a string"; }
  static std::string null(std::vector<std::int64_t>&) { return "expected a list of ids, got null"; }
};
template <class X> struct Assign<std::optional<X>> {
  static std::string boolean(std::optional<X>& m, bool b) {
    if (!b) { m.reset(); return {}; }
    X x{};
    auto e = Assign<X>::boolean(x, b);
    if (e.empty()) m = std::move(x);
    return e;
  }
  static std::string number(std::optional<X>& m, std::string_view raw) {
    X x{};
    auto e = Assign<X>::number(x, raw);
    if (e.empty()) m = std::move(x);
    return e;
  }
  static std::string string(std::optional<X>& m, std::string_view s) {
    X x{};
    auto e = Assign<X>::string(x, s);
    if (e.empty()) m = std::move(x);
    return e;
  }
  static std::string null(std::optional<X>& m) { m.reset(); return {}; }
};

template <class M> struct is_list_member : std::false_type {};
template <> struct is_list_member<Many2one> : std::true_type {};
template <> struct is_list_member<std::vector<std::int64_t>> : std::true_type {};
template <class X> struct is_list_member<std::optional<X>> : is_list_member<X> {};

template <class T>
class RecordsHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, RecordsHandler<T>> {
 public:
  static constexpr std::size_t field_count = std::tuple_size_v<std::decay_t<decltype(RecordSchema<T>::fields)>>;

  explicit RecordsHandler(bool enveloped) : enveloped_(enveloped) {}

  std::vector<T> rows;
  std::string error;          // set when a value did not fit
  bool envelope_error = false;  // a JSON-RPC `error` member: the caller decodes it the usual way

  bool StartObject() {
    if (skip_ || skip_next_) return start_skip();
    if (level_ == 0 && enveloped_) return ++level_, in_envelope_ = true;
    if (in_rows_ && level_ == rows_level_ + 1 && !in_row_) {
      row_ = T{};
      seen_.reset();
      row_id_ = -1;
      position_ = 0;
      in_row_ = true;
      return ++level_, true;
    }
    if (field_ >= 0) return start_skip_value();  // a value we do not decode (an object): refuse
    return fail("unexpected object in the answer");
  }
  bool EndObject(rapidjson::SizeType) {
    if (skip_) return --skip_, true;
    --level_;
    if (in_row_ && level_ == rows_level_ + 1) {
      in_row_ = false;
      if (!seen_.all()) {
        std::size_t i = 0;
        while (i < field_count && seen_[i]) ++i;
        return fail_field(name_of(i), "missing from the answer");
      }
      rows.push_back(std::move(row_));
    }
    return true;
  }
  bool StartArray() {
    if (skip_ || skip_next_) return start_skip();
    if (!in_rows_ && ((!enveloped_ && level_ == 0) || (enveloped_ && result_next_))) {
      in_rows_ = true;
      result_next_ = false;
      rows_level_ = level_;
      return ++level_, true;
    }
    if (in_row_ && field_ >= 0) {
      ++level_;
      list_pos_ = 0;
      return with_field(field_, [&](auto& m) -> std::string {
               using M = std::decay_t<decltype(m)>;
               if constexpr (is_list_member<M>::value) {
                 in_list_ = true;
                 reset_list(m);
                 return {};
               } else {
                 return "expected a single value, got a list";
               }
             });
    }
    return fail("unexpected list in the answer");
  }
  bool EndArray(rapidjson::SizeType) {
    if (skip_) return --skip_, true;
    --level_;
    if (in_list_) {
      in_list_ = false;
      return finish_value();
    }
    if (in_rows_ && level_ == rows_level_) in_rows_ = false;
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (skip_) return true;
    std::string_view k(s, n);
    if (in_envelope_ && level_ == 1 && !in_rows_) {
      if (k == "error") {
        envelope_error = true;
        return false;
      }
      result_next_ = k == "result";
      if (!result_next_) skip_next_ = true;
      return true;
    }
    if (!in_row_) return fail("unexpected key in the answer");
    field_ = index_of(k);
    if (field_ < 0) skip_next_ = true;  // a field we do not map: ignored
    return true;
  }
  bool Null() { return scalar([](auto& m) { return Assign<std::decay_t<decltype(m)>>::null(m); }); }
  bool Bool(bool b) { return scalar([b](auto& m) { return Assign<std::decay_t<decltype(m)>>::boolean(m, b); }); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    std::string_view raw(s, n);
    if (in_list_) return list_number(raw);
    return scalar([raw](auto& m) { return Assign<std::decay_t<decltype(m)>>::number(m, raw); });
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    std::string_view str(s, n);
    if (in_list_) return list_string(str);
    return scalar([str](auto& m) { return Assign<std::decay_t<decltype(m)>>::string(m, str); });
  }
  bool Default() { return fail("unexpected value in the answer"); }

 private:
  template <class F>
  bool with_field(int index, F&& f) {
    std::string e;
    int i = 0;
    std::apply([&](const auto&... fm) { ((i++ == index ? (void)(e = f(row_.*(fm.member))) : (void)0), ...); },
               RecordSchema<T>::fields);
    if (!e.empty()) return fail_field(name_of(static_cast<std::size_t>(index)), e);
    return true;
  }
  template <class F>
  bool scalar(F&& f) {
    if (skip_) return true;
    if (skip_next_) {
      skip_next_ = false;
      return true;
    }
    if (in_envelope_ && level_ == 1 && !in_rows_) return true;  // jsonrpc, id
    if (!in_row_ || field_ < 0) return fail("unexpected value in the answer");
    if (!with_field(field_, std::forward<F>(f))) return false;
    return finish_value();
  }
  bool finish_value() {
    const auto i = static_cast<std::size_t>(field_);
    seen_.set(i);
    if (name_of(i) == "id") {
      with_field(field_, [&](auto& m) -> std::string {
        if constexpr (std::is_same_v<std::decay_t<decltype(m)>, std::int64_t>) row_id_ = m;
        return {};
      });
    }
    field_ = -1;
    return true;
  }
  template <class M>
  static void reset_list(M& m) {
    if constexpr (std::is_same_v<M, Many2one>) m = {};
    else if constexpr (std::is_same_v<M, std::vector<std::int64_t>>) m.clear();
    else m.emplace();  // optional<list>
  }
  bool list_number(std::string_view raw) {
    return with_field(field_, [&](auto& m) -> std::string { return list_item(m, raw, true); });
  }
  bool list_string(std::string_view s) {
    return with_field(field_, [&](auto& m) -> std::string { return list_item(m, s, false); });
  }
  template <class M>
  std::string list_item(M& m, std::string_view v, bool number) {
    if constexpr (std::is_same_v<M, Many2one>) {
      if (list_pos_ == 0 && number) {
        ++list_pos_;
        return Assign<std::int64_t>::number(m.id, v);
      }
      if (list_pos_ == 1 && !number) {
        ++list_pos_;
        m.name.assign(v);
        return {};
      }
      return "expected [id, \"name\"]";
    } else if constexpr (std::is_same_v<M, std::vector<std::int64_t>>) {
      if (!number) return "expected a list of ids";
      std::int64_t id = 0;
      auto e = Assign<std::int64_t>::number(id, v);
      if (e.empty()) m.push_back(id);
      return e;
    } else if constexpr (is_list_member<M>::value) {
      return list_item(*m, v, number);
    } else {
      return "unexpected list";
    }
  }
  bool start_skip_value() { return fail_field(name_of(static_cast<std::size_t>(field_)), "got an object"); }
  // A container we ignore (an unmapped field's value, an envelope member): count depth until it ends.
  bool start_skip() {
    skip_next_ = false;
    ++skip_;
    return true;
  }
  int index_of(std::string_view k) {
    // Odoo answers the fields in the order asked: try the next expected position first.
    if (position_ < field_count && name_of(position_) == k) return static_cast<int>(position_++);
    for (std::size_t i = 0; i < field_count; ++i) {
      if (name_of(i) == k) {
        position_ = i + 1;
        return static_cast<int>(i);
      }
    }
    return -1;
  }
  static std::string_view name_of(std::size_t i) {
    std::string_view n;
    std::size_t k = 0;
    std::apply([&](const auto&... fm) { ((k++ == i ? (void)(n = fm.name) : (void)0), ...); }, RecordSchema<T>::fields);
    return n;
  }
  bool fail(std::string_view what) {
    if (error.empty()) error = std::string(RecordSchema<T>::model) + ": " + std::string(what);
    return false;
  }
  bool fail_field(std::string_view field, std::string_view what) {
    if (error.empty()) {
      error = std::string(RecordSchema<T>::model) + " record " + (row_id_ >= 0 ? std::to_string(row_id_) : "?") +
              ": field '" + std::string(field) + "' " + std::string(what);
    }
    return false;
  }

  bool enveloped_;
  bool in_envelope_ = false, result_next_ = false, in_rows_ = false, in_row_ = false, in_list_ = false;
  bool skip_next_ = false;
  int skip_ = 0;
  unsigned level_ = 0, rows_level_ = 0;
  int field_ = -1;
  std::size_t position_ = 0, list_pos_ = 0;
  std::int64_t row_id_ = -1;
  std::bitset<field_count> seen_;
  T row_{};
};

}  // namespace detail

// Typed rows from a JSON-2 body (a JSON array of objects) or, with `enveloped`, a JSON-RPC envelope.
// When the envelope carries an `error`, the caller gets ErrorKind::protocol here and should decode
// the envelope with decode_jsonrpc for the server's error; Client::search_read_as does that.
template <class T>
result<std::vector<T>> decode_records_text(std::string_view text, bool enveloped, bool* envelope_error = nullptr) {
  detail::RecordsHandler<T> handler(enveloped);
  auto r = json::parse_sax<json::parse_flags | rapidjson::kParseNumbersAsStringsFlag>(text, handler);
  if (envelope_error) *envelope_error = handler.envelope_error;
  if (!handler.error.empty()) return Error::protocol(handler.error);
  if (handler.envelope_error) return Error::protocol("the answer is a JSON-RPC error");
  if (!r) return r.error();
  return std::move(handler.rows);
}

template <class T>
result<std::vector<T>> search_read_as(Client& client, const Domain& domain, const SearchOptions& page,
                                      const CallOptions& options) {
  auto answer = client.search_read_text(RecordSchema<T>::model, domain, field_names<T>(), page, options);
  if (!answer) return answer.error();
  bool envelope_error = false;
  auto rows = decode_records_text<T>(answer.value().text, answer.value().enveloped, &envelope_error);
  if (!rows && envelope_error) {
    http::Response r;
    r.status = 200;
    r.body = std::move(answer.value().text);
    auto decoded = decode_jsonrpc(r);
    if (!decoded) return decoded.error();
  }
  return rows;
}

}  // namespace odoo
}  // namespace v0
}  // namespace odoosync
