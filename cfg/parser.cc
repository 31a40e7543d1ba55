#include "cfg/parser.h"

#include <map>

#include "cfg/did_you_mean.h"

namespace cfg {

namespace {

// The position just after a word token (where a missing `=` belongs).
SourceLoc after(const Token& t) {
  return {t.loc.file, t.loc.line, t.loc.col + static_cast<int>(t.text.size())};
}

}  // namespace

void Parser::parse(const std::string& file, const std::string& text) {
  Lexer lx(file, text);
  while (lx.peek().kind != TokenKind::kEnd) statement(lx);
}

void Parser::statement(Lexer& lx) {
  using Handler = void (Parser::*)(Lexer&, const Token&);
  static const std::map<std::string, Handler, std::less<>> kKeywords = {
      {"include_file", &Parser::include},
      {"loadmodule", &Parser::loadmodule},
      {"tls_domain", &Parser::domain_block},
      {"tls_client_domain", &Parser::domain_block},
      {"route", &Parser::route_block},
      {"onreply_route", &Parser::route_block},
      {"failure_route", &Parser::unsupported_block},
      {"branch_route", &Parser::unsupported_block},
      {"onsend_route", &Parser::unsupported_block},
      {"reply_route", &Parser::unsupported_block},
      {"event_route", &Parser::unsupported_block},
      {"modparam", &Parser::unsupported_block},
  };
  Token t = lx.next();
  if (t.is_punct(";")) return;
  if (t.kind == TokenKind::kError) {
    diags_.error(t.loc, t.text);
  } else if (t.kind != TokenKind::kWord) {
    diags_.error(t.loc,
                 "expected a parameter name, a block or include_file, found " + t.describe());
  } else if (auto it = kKeywords.find(t.text); it != kKeywords.end()) {
    return (this->*it->second)(lx, t);
  } else {
    return assignment(lx, t, nullptr);
  }
  skip_line(lx, t.loc.line);
}

void Parser::assignment(Lexer& lx, const Token& name, PendingDomain* block) {
  const ParamSpec* spec = find_param(name.text);
  if (!param_allowed(name, spec, block)) return skip_line(lx, name.loc.line);
  Token value;
  if (!read_value(lx, name, &value)) return;
  ParamValue parsed;
  std::string error;
  if (!parse_param_value(*spec, value, &parsed, &error)) {
    diags_.error(value.loc, "invalid value for '" + name.text + "': " + error);
    return skip_line(lx, value.loc.line);
  }
  if (spec->type == ParamType::kListen && parsed.listen.proto == Transport::kTls && !kWithTls) {
    diags_.error(value.loc, "listen '" + value.text + "': " + kNoTlsSupport);
    return skip_line(lx, value.loc.line);
  }
  end_of_statement(lx, value.loc.line, "the value of '" + name.text + "'");
  store(name, *spec, std::move(parsed), block);
}

bool Parser::param_allowed(const Token& name, const ParamSpec* spec, const PendingDomain* block) {
  if (!spec) {
    diags_.error(name.loc, "unknown parameter '" + name.text + "'" +
                               did_you_mean(name.text, param_names(block != nullptr)));
  } else if (spec->tls_only() && !kWithTls) {
    diags_.error(name.loc, "parameter '" + name.text + "': " + kNoTlsSupport);
  } else if (block && !spec->domain_ok()) {
    diags_.error(name.loc, "parameter '" + name.text + "' is global: it cannot be set inside " +
                               block->domain.describe());
  } else {
    return true;
  }
  return false;
}

bool Parser::read_value(Lexer& lx, const Token& name, Token* value) {
  const Token& eq = lx.peek();
  if (!eq.is_punct("=")) {
    bool same_line = eq.kind != TokenKind::kEnd && eq.loc.line == name.loc.line;
    diags_.error(
        same_line ? eq.loc : after(name),
        "expected '=' after '" + name.text + "', found " + describe_next(lx, name.loc.line));
    skip_line(lx, name.loc.line);
    return false;
  }
  lx.next();
  *value = lx.raw_word();
  if (value->kind == TokenKind::kError) {
    diags_.error(value->loc, value->text);
  } else if (value->kind == TokenKind::kEnd) {
    diags_.error(value->loc, "expected a value for '" + name.text + "', found " +
                                 describe_next(lx, value->loc.line));
  } else {
    return true;
  }
  skip_line(lx, value->loc.line);
  return false;
}

void Parser::store(const Token& name, const ParamSpec& spec, ParamValue value,
                   PendingDomain* block) {
  if (block) {
    for (const auto& a : block->sets) {
      if (a.spec->canonical == spec.canonical)
        diags_.warning(name.loc, "'" + name.text + "' is set again in this block; the value from " +
                                     a.loc.to_string() + " is replaced");
    }
    block->sets.push_back({&spec, std::move(value), name.loc});
    return;
  }
  std::string canonical(spec.canonical);
  auto it = state_.global_set_at.find(canonical);
  if (!spec.repeatable && it != state_.global_set_at.end())
    diags_.warning(name.loc, "'" + name.text + "' is set again; the value from " +
                                 it->second.to_string() + " is replaced");
  state_.global_set_at[canonical] = name.loc;
  state_.config->set_at[canonical] = name.loc;
  apply_global(spec, value, state_.config);
}

void Parser::end_of_statement(Lexer& lx, int line, const std::string& what) {
  const Token& t = lx.peek();
  if (t.is_punct(";")) {
    lx.next();
    return;
  }
  if (t.kind == TokenKind::kEnd || t.loc.line != line || t.is_punct("}")) return;
  diags_.error(t.loc, "expected end of line after " + what + ", found " + t.describe());
  skip_line(lx, line);
}

std::string Parser::describe_next(Lexer& lx, int line) {
  const Token& t = lx.peek();
  if (t.kind == TokenKind::kEnd) return "end of file";
  if (t.loc.line != line) return "end of line";
  return t.describe();
}

void Parser::skip_line(Lexer& lx, int line) {
  int depth = 0;
  for (;;) {
    const Token& t = lx.peek();
    if (t.kind == TokenKind::kEnd) return;
    if (depth == 0 && t.loc.line != line) return;
    if (t.is_punct("{")) {
      ++depth;
    } else if (t.is_punct("}")) {
      if (depth == 0) return;  // closes an enclosing block: leave it to its owner
      --depth;
    }
    lx.next();
  }
}

void Parser::skip_block(Lexer& lx) {
  int depth = 0;
  for (;;) {
    Token t = lx.next();
    if (t.kind == TokenKind::kEnd) return;
    if (t.is_punct("{")) ++depth;
    if (t.is_punct("}") && --depth <= 0) return;
  }
}

}  // namespace cfg
