// libFuzzer target: odoo::Domain::from_json with the fuzzer's bytes, then the operators on what it accepts.
// Invariants: a domain that from_json accepts is one Odoo accepts too (its normalize_domain, the prefix
// arity count with implicit '&' between leftover terms, ends at zero); it serialises (to_json, encode) to
// the compact form of the input, which from_json accepts to the same text; combined with a condition by
// && and ||, negated by !, or nested in any(), it means what the operator says: the expression tree Odoo
// reads from the result is AND/OR/NOT of the tree it reads from the domain.
#include <odoosync/core/json.hpp>
#include <odoosync/odoo/domain.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"

namespace json = odoosync::json;
using odoosync::odoo::Domain;
using odoosync::odoo::field;
using odoosync_fuzz::check;
using odoosync_fuzz::shown;

namespace {

// A domain's elements: an operator ("&", "|", "!") or a term (its JSON text).
struct Token {
  bool op;
  std::string text;
};

std::vector<Token> tokens_of(std::string_view domain_json) {
  auto doc = json::parse(domain_json);
  check(doc && doc.value().IsArray(), "domain.to_json_is_array", [&] { return shown(domain_json); });
  std::vector<Token> out;
  for (const auto& item : doc.value().GetArray()) {
    if (item.IsString())
      out.push_back({true, std::string(json::text(item))});
    else
      out.push_back({false, json::to_string(item)});
  }
  return out;
}

// Odoo's normalize_domain (odoo/osv/expression.py): an '&' in front for each term beyond what the operators
// take; nothing if the operators and terms do not balance ("syntactically not correct").
std::optional<std::vector<Token>> normalize(const std::vector<Token>& in) {
  if (in.empty()) return in;
  std::vector<Token> out;
  int expected = 1;
  for (const auto& t : in) {
    if (expected == 0) {
      out.insert(out.begin(), Token{true, "&"});
      expected = 1;
    }
    if (!t.op)
      expected -= 1;
    else
      expected += (t.text == "!" ? 1 : (t.text == "&" || t.text == "|") ? 2 : 0) - 1;
    out.push_back(t);
  }
  if (expected != 0) return std::nullopt;
  return out;
}

// The expression tree of a normalized domain, written out: "&(A,|(B,!(C)))"; "TRUE" for the empty one.
// '&' and '|' are associative, so nested ones of the same kind are flattened: &(&(A,B),C) and &(A,&(B,C))
// are both "&(A,B,C)" (operands keep their order).
struct Node {
  std::string op;  // "", "!", "&", "|"
  std::string leaf;
  std::vector<Node> kids;
};

Node parse_tree(const std::vector<Token>& t, std::size_t& i) {
  const Token& x = t.at(i++);
  if (!x.op) return Node{"", x.text, {}};
  if (x.text == "!") return Node{"!", "", {parse_tree(t, i)}};
  Node n{x.text, "", {}};
  for (int k = 0; k < 2; ++k) {
    Node kid = parse_tree(t, i);
    if (kid.op == n.op) {
      for (auto& g : kid.kids) n.kids.push_back(std::move(g));
    } else {
      n.kids.push_back(std::move(kid));
    }
  }
  return n;
}

std::string written(const Node& n) {
  if (n.op.empty()) return n.leaf;
  std::string out = n.op + "(";
  for (std::size_t k = 0; k < n.kids.size(); ++k) out += (k ? "," : "") + written(n.kids[k]);
  return out + ")";
}

std::string tree(const std::vector<Token>& t, std::size_t& i) { return written(parse_tree(t, i)); }

std::optional<std::string> meaning(std::string_view domain_json) {
  auto norm = normalize(tokens_of(domain_json));
  if (!norm) return std::nullopt;
  if (norm->empty()) return "TRUE";
  std::size_t i = 0;
  std::string out = tree(*norm, i);
  return out;
}

// `expected` is a tree built by hand ("&(" + m + "," + leaf + ")"): flattened the same way before comparing.
std::string flattened(const std::string& expected);

void same_meaning(const Domain& combined, const std::string& raw_expected, std::string id, std::string_view input,
                  bool implicit_and) {
  const std::string expected = flattened(raw_expected);
  // A domain of several terms joined by Odoo's implicit '&' ([A, B]) is its own case.
  if (implicit_and) id += "_implicit_and";
  const std::string text = combined.to_json();
  const auto m = meaning(text);
  check(m && *m == expected, id, [&] {
    return shown(input) + " combined is " + shown(text) + ", which Odoo reads as " + (m ? shown(*m) : "an error") +
           ", not " + shown(expected);
  });
}

// Reads a written tree back ("&(A,|(B,C))", leaves are JSON arrays or "TRUE") and flattens it.
Node read_written(std::string_view s, std::size_t& i) {
  if (s.compare(i, 4, "TRUE") == 0) {
    i += 4;
    return Node{"", "TRUE", {}};
  }
  if (s[i] == '[') {  // a JSON leaf: up to its matching ']' (strings may hold brackets)
    const std::size_t start = i;
    int depth = 0;
    bool in_string = false;
    for (; i < s.size(); ++i) {
      const char c = s[i];
      if (in_string) {
        if (c == '\\')
          ++i;
        else if (c == '"')
          in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '[') {
        ++depth;
      } else if (c == ']' && --depth == 0) {
        ++i;
        break;
      }
    }
    return Node{"", std::string(s.substr(start, i - start)), {}};
  }
  Node n{std::string(1, s[i]), "", {}};
  i += 2;  // "&("
  while (true) {
    Node kid = read_written(s, i);
    if (kid.op == n.op && n.op != "!") {
      for (auto& g : kid.kids) n.kids.push_back(std::move(g));
    } else {
      n.kids.push_back(std::move(kid));
    }
    if (s[i++] == ')') break;  // else ','
  }
  return n;
}

std::string flattened(const std::string& expected) {
  std::size_t i = 0;
  return written(read_written(expected, i));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (odoosync_fuzz::skip_known_json(text)) return 0;
  auto parsed = Domain::from_json(text);
  if (!parsed) {
    check(!parsed.error().message().empty(), "domain.error_says_why");
    return 0;
  }
  const Domain d = parsed.value();
  const std::string out = d.to_json();

  auto input = json::parse(text, {.max_bytes = 1 << 20, .max_depth = 32});
  check(input && out == json::to_string(input.value()), "domain.text",
        [&] { return shown(text) + " serialised as " + shown(out); });
  auto encoded = d.encode();
  check(encoded && encoded.value() == out, "domain.encode", [&] { return shown(text); });
  auto again = Domain::from_json(out);
  check(again && again.value().to_json() == out, "domain.round_trip", [&] {
    return shown(text) + " serialised as " + shown(out) +
           (again ? " then " + shown(again.value().to_json()) : " which is refused: " + again.error().message());
  });

  const auto m = meaning(out);
  check(m.has_value(), "domain.odoo_accepts", [&] {
    return shown(text) + " accepted, but Odoo's normalize_domain refuses it (operators and terms do not balance)";
  });
  if (!m) return 0;

  const auto tokens = tokens_of(out);
  const bool implicit_and = normalize(tokens)->size() != tokens.size();
  const Domain leaf = field("fuzz") == 1;
  const std::string l = R"(["fuzz","=",1])";
  if (d.empty()) {
    same_meaning(!d, R"([0,"=",1])", "domain.not", text, implicit_and);
    same_meaning(d && leaf, l, "domain.and", text, implicit_and);
    same_meaning(d || leaf, "TRUE", "domain.or", text, implicit_and);
  } else {
    same_meaning(!d, "!(" + *m + ")", "domain.not", text, implicit_and);
    same_meaning(d && leaf, "&(" + *m + "," + l + ")", "domain.and", text, implicit_and);
    same_meaning(leaf && d, "&(" + l + "," + *m + ")", "domain.and", text, implicit_and);
    same_meaning(d || leaf, "|(" + *m + "," + l + ")", "domain.or", text, implicit_and);
    same_meaning(leaf || d, "|(" + l + "," + *m + ")", "domain.or", text, implicit_and);
  }
  const Domain nested = field("lines").any(d);
  auto nested_back = Domain::from_json(nested.to_json());
  check(nested_back && nested_back.value().to_json() == nested.to_json(), "domain.any",
        [&] { return shown(nested.to_json()); });
  return 0;
}
