// Lexer and recursive-descent parser for display filters. Precedence, loosest first: or, xor, and, not.
#include <cctype>
#include <cstring>

#include <fmt/format.h>

#include "filter/syntax.h"

namespace trawl::filter {

namespace {

struct Token {
  enum Kind { kWord, kString, kSymbol, kEnd } kind = kEnd;
  std::string text;
  size_t column = 0;
};

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' || c == '/' || c == '-';
}

std::vector<Token> lex(const std::string& s) {
  static const char* const kSymbols[] = {"===", "!==", "==", "!=", ">=", "<=", "&&", "||", "^^", "..",
                                         ">",   "<",   "!",  "&",  "(",  ")",  "{",  "}",  "[",  "]", ","};
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '"') {
      Token t{Token::kString, "", i};
      ++i;
      for (;;) {
        if (i >= s.size()) throw FilterError("unterminated string", t.column);
        char d = s[i++];
        if (d == '"') break;
        if (d != '\\') {
          t.text += d;
          continue;
        }
        if (i >= s.size()) throw FilterError("unterminated string", t.column);
        char e = s[i++];
        switch (e) {
          case 'n': t.text += '\n'; break;
          case 'r': t.text += '\r'; break;
          case 't': t.text += '\t'; break;
          case 'x': {
            if (i + 2 > s.size() || !std::isxdigit(static_cast<unsigned char>(s[i])) ||
                !std::isxdigit(static_cast<unsigned char>(s[i + 1])))
              throw FilterError("\\x needs two hex digits", i - 2);
            t.text += char(std::stoi(s.substr(i, 2), nullptr, 16));
            i += 2;
            break;
          }
          default: t.text += e;  // \" \\ and anything else stands for itself
        }
      }
      out.push_back(std::move(t));
      continue;
    }
    if (word_char(c) && !(c == '.' && i + 1 < s.size() && s[i + 1] == '.')) {
      size_t start = i;
      while (i < s.size() && word_char(s[i]) && !(s[i] == '.' && i + 1 < s.size() && s[i + 1] == '.')) ++i;
      out.push_back({Token::kWord, s.substr(start, i - start), start});
      continue;
    }
    bool matched = false;
    for (const char* sym : kSymbols) {
      size_t n = std::strlen(sym);
      if (s.compare(i, n, sym) == 0) {
        out.push_back({Token::kSymbol, sym, i});
        i += n;
        matched = true;
        break;
      }
    }
    if (!matched) throw FilterError(fmt::format("unexpected character '{}'", c), i);
  }
  out.push_back({Token::kEnd, "", s.size()});
  return out;
}

class Parser {
 public:
  explicit Parser(const std::string& text) : tokens_(lex(text)) {}

  std::unique_ptr<Node> parse_all() {
    if (peek().kind == Token::kEnd) throw FilterError("empty filter", 0);
    auto n = parse_or();
    if (peek().kind != Token::kEnd) throw unexpected("'and', 'or' or the end of the filter");
    return n;
  }

 private:
  static constexpr size_t kMaxDepth = 200;
  size_t depth_ = 0;

  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool accept(std::initializer_list<const char*> spellings) {
    const Token& t = peek();
    if (t.kind != Token::kWord && t.kind != Token::kSymbol) return false;
    for (const char* s : spellings)
      if (t.text == s) {
        ++pos_;
        return true;
      }
    return false;
  }
  FilterError unexpected(const std::string& wanted) const {
    const Token& t = peek();
    if (t.kind == Token::kEnd) return FilterError(fmt::format("expected {} at the end", wanted), t.column);
    return FilterError(fmt::format("expected {}, found '{}'", wanted, t.text), t.column);
  }

  std::unique_ptr<Node> binary(Node::Kind kind, std::unique_ptr<Node> a, std::unique_ptr<Node> b) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->children.push_back(std::move(a));
    n->children.push_back(std::move(b));
    return n;
  }

  std::unique_ptr<Node> parse_or() {
    auto n = parse_xor();
    while (accept({"or", "||"})) n = binary(Node::Kind::kOr, std::move(n), parse_xor());
    return n;
  }
  std::unique_ptr<Node> parse_xor() {
    auto n = parse_and();
    while (accept({"xor", "^^"})) n = binary(Node::Kind::kXor, std::move(n), parse_and());
    return n;
  }
  std::unique_ptr<Node> parse_and() {
    auto n = parse_not();
    while (accept({"and", "&&"})) n = binary(Node::Kind::kAnd, std::move(n), parse_not());
    return n;
  }
  std::unique_ptr<Node> parse_not() {
    // Nesting is bounded so that a hostile filter cannot overflow the stack.
    struct Depth {
      size_t& d;
      explicit Depth(size_t& depth, size_t column) : d(depth) {
        if (++d > kMaxDepth) throw FilterError("filter nested too deeply", column);
      }
      ~Depth() { --d; }
    } depth(depth_, peek().column);
    if (accept({"not", "!"})) {
      auto n = std::make_unique<Node>();
      n->kind = Node::Kind::kNot;
      n->children.push_back(parse_not());
      return n;
    }
    if (accept({"("})) {
      auto n = parse_or();
      if (!accept({")"})) throw unexpected("')'");
      return n;
    }
    return parse_test();
  }

  Literal parse_value() {
    const Token& t = peek();
    if (t.kind != Token::kWord && t.kind != Token::kString) throw unexpected("a value");
    next();
    return Literal{t.text, t.kind == Token::kString, t.column};
  }

  static long to_long(const std::string& s, size_t column) {
    char* end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end) throw FilterError(fmt::format("'{}' is not a number", s), column);
    return v;
  }

  // [i], [i:n], [i-j], [i:] and [:n], as Wireshark writes slices.
  Slice parse_slice() {
    const Token& t = peek();
    if (t.kind != Token::kWord) throw unexpected("a slice such as [0:3]");
    next();
    const std::string& s = t.text;
    Slice sl;
    size_t colon = s.find(':'), dash = s.find('-', 1);
    if (colon != std::string::npos) {
      sl.offset = colon ? to_long(s.substr(0, colon), t.column) : 0;
      sl.length = colon + 1 < s.size() ? to_long(s.substr(colon + 1), t.column) : -1;
    } else if (dash != std::string::npos) {
      sl.offset = to_long(s.substr(0, dash), t.column);
      long last = to_long(s.substr(dash + 1), t.column);
      sl.length = last - sl.offset + 1;
    } else {
      sl.offset = to_long(s, t.column);
      sl.length = 1;
    }
    if (sl.length == 0 || sl.length < -1) throw FilterError("empty slice", t.column);
    if (!accept({"]"})) throw unexpected("']'");
    return sl;
  }

  std::unique_ptr<Node> parse_test() {
    const Token& t = peek();
    if (t.kind != Token::kWord || !std::isalpha(static_cast<unsigned char>(t.text[0])))
      throw unexpected("a field or protocol name");
    next();
    auto n = std::make_unique<Node>();
    n->field = t.text;
    n->field_column = t.column;
    if (accept({"["})) n->slice = parse_slice();
    static const std::pair<const char*, CmpOp> kOps[] = {
        {"==", CmpOp::kEq},  {"eq", CmpOp::kEq},  {"any_eq", CmpOp::kEq}, {"!=", CmpOp::kNe},    {"ne", CmpOp::kNe},
        {"all_ne", CmpOp::kNe}, {"===", CmpOp::kAllEq}, {"all_eq", CmpOp::kAllEq}, {"!==", CmpOp::kAnyNe},
        {"any_ne", CmpOp::kAnyNe}, {">", CmpOp::kGt}, {"gt", CmpOp::kGt}, {"<", CmpOp::kLt}, {"lt", CmpOp::kLt},
        {">=", CmpOp::kGe},  {"ge", CmpOp::kGe},  {"<=", CmpOp::kLe},     {"le", CmpOp::kLe}};
    for (const auto& [spelling, op] : kOps) {
      if (accept({spelling})) {
        n->kind = Node::Kind::kCompare;
        n->op = op;
        n->value = parse_value();
        return n;
      }
    }
    if (accept({"contains"})) {
      n->kind = Node::Kind::kContains;
      n->value = parse_value();
    } else if (accept({"matches", "~"})) {
      n->kind = Node::Kind::kMatches;
      n->value = parse_value();
    } else if (accept({"&", "bitand"})) {
      n->kind = Node::Kind::kBitAnd;
      n->value = parse_value();
    } else if (accept({"in"})) {
      n->kind = Node::Kind::kIn;
      if (!accept({"{"})) throw unexpected("'{'");
      while (!accept({"}"})) {
        if (!n->members.empty()) accept({","});
        Literal low = parse_value();
        std::optional<Literal> high;
        if (accept({".."})) high = parse_value();
        n->members.emplace_back(std::move(low), std::move(high));
      }
      if (n->members.empty()) throw FilterError("empty set", t.column);
    } else {
      n->kind = Node::Kind::kExists;
    }
    return n;
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<Node> parse(const std::string& text) { return Parser(text).parse_all(); }

}  // namespace trawl::filter
