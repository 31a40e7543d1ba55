// Parser: tls_domain / tls_client_domain blocks and route block headers.
#include "cfg/listen_parse.h"
#include "cfg/parser.h"
#include "cfg/route_parser.h"
#include "cfg/value_parse.h"

namespace cfg {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string block_label(const PendingDomain& d) {
  if (!d.domain.host.empty() || !d.domain.id.empty()) return d.domain.describe();
  return d.domain.kind == TlsDomainKind::kServer ? "'tls_domain' block"
                                                 : "'tls_client_domain' block";
}

}  // namespace

void Parser::domain_block(Lexer& lx, const Token& keyword) {
  const int line = keyword.loc.line;
  if (!kWithTls) {
    diags_.error(keyword.loc, "'" + keyword.text + "': " + kNoTlsSupport);
    skip_line(lx, line);
    if (lx.peek().is_punct("{")) skip_block(lx);
    return;
  }
  PendingDomain d;
  d.domain.kind =
      keyword.text == "tls_client_domain" ? TlsDomainKind::kClient : TlsDomainKind::kServer;
  d.domain.loc = keyword.loc;
  bool ok = domain_key(lx, keyword, &d);
  const Token& open = lx.peek();
  if (!open.is_punct("{")) {
    if (ok)
      diags_.error(open.loc,
                   "expected '{' after " + d.domain.describe() + ", found " + open.describe());
    return skip_line(lx, line);
  }
  lx.next();
  domain_body(lx, &d);
  if (ok) state_.domains.push_back(std::move(d));
}

bool Parser::domain_key(Lexer& lx, const Token& keyword, PendingDomain* d) {
  const Token& open = lx.peek();
  if (!open.is_punct("[")) {
    diags_.error(open.loc, "expected '[' after '" + keyword.text + "', found " + open.describe());
    return false;
  }
  lx.next();
  Token key = lx.raw_bracketed();
  if (key.kind == TokenKind::kError) {
    // raw_bracketed() reads to the end of the line when the ']' is missing.
    diags_.error(key.loc, "expected IP:PORT followed by ']' after '" + keyword.text +
                              "[', found end of line");
    return false;
  }
  return domain_key_text(key, d);
}

// `IP:PORT` or `IP:PORT, "sni.name"`; IPv6 as `[addr]:PORT`; a client domain also `"ID"`.
bool Parser::domain_key_text(const Token& key, PendingDomain* d) {
  std::string_view text = key.text;
  if (!trim(text).empty() && trim(text).front() == '"') return domain_id_text(key, d);
  size_t comma = text.find(',');
  std::string_view addr = trim(text.substr(0, comma));
  HostPort hp;
  std::string error;
  if (!parse_host_port(addr, HostPortRules{false, 1}, &hp, &error)) {
    diags_.error(key.loc, "invalid address in " + block_label(*d) + ": " + error);
    return false;
  }
  d->domain.host = hp.host;
  d->domain.host_kind = hp.kind;
  d->domain.port = hp.port_given ? hp.port : 5061;
  if (comma == std::string_view::npos) return true;
  std::string_view name = trim(text.substr(comma + 1));
  SourceLoc name_loc = key.loc;
  name_loc.col += static_cast<int>(name.data() - text.data());
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
    name = name.substr(1, name.size() - 2);
  if (!valid_host_name(name, true)) {
    diags_.error(name_loc, "invalid SNI name in " + d->domain.describe() +
                               ": expected a host name like \"sip.example.org\" or "
                               "\"*.example.org\", found '" +
                               std::string(name) + "'");
    return false;
  }
  d->domain.sni = to_lower(name);
  d->sni_loc = name_loc;
  return true;
}

// `tls_client_domain["ID"]`: a client domain the script chooses with tls_client_domain("ID")
// (Kamailio: [client:any] with server_id, chosen by tls_set_connect_server_id).
bool Parser::domain_id_text(const Token& key, PendingDomain* d) {
  std::string_view text = trim(key.text);
  SourceLoc loc = key.loc;
  loc.col += static_cast<int>(text.data() - key.text.data());
  if (d->domain.kind == TlsDomainKind::kServer) {
    diags_.error(loc, "a tls_domain is chosen by its socket: expected IP:PORT, found " +
                          std::string(text) + " (ids name client domains: tls_client_domain[" +
                          std::string(text) + "])");
    return false;
  }
  if (text.size() < 2 || text.back() != '"') {
    diags_.error(loc, "expected a quoted id like \"tenant-a\" in tls_client_domain[...], found " +
                          std::string(text));
    return false;
  }
  std::string_view id = text.substr(1, text.size() - 2);
  if (std::string why = client_domain_id_error(id); !why.empty()) {
    diags_.error(loc, "invalid client domain id \"" + std::string(id) + "\": " + why);
    return false;
  }
  d->domain.id = std::string(id);
  return true;
}

void Parser::domain_body(Lexer& lx, PendingDomain* d) {
  for (;;) {
    Token t = lx.next();
    if (t.is_punct("}")) return;
    if (t.is_punct(";")) continue;
    if (t.kind == TokenKind::kEnd) {
      diags_.error(t.loc, "expected '}' to close " + block_label(*d) + " opened at " +
                              d->domain.loc.to_string() + ", found end of file");
      return;
    }
    if (t.kind == TokenKind::kWord) {
      assignment(lx, t, d);
      continue;
    }
    diags_.error(t.loc, t.kind == TokenKind::kError
                            ? t.text
                            : "expected a tls_* parameter or '}' in " + block_label(*d) +
                                  ", found " + t.describe());
    skip_line(lx, t.loc.line);
  }
}

void Parser::route_block(Lexer& lx, const Token& keyword) {
  RouteBlock block;
  block.loc = keyword.loc;
  std::string label = keyword.text;
  if (keyword.text == "route" && lx.peek().is_punct("[")) {
    if (!route_name(lx, keyword, &block.name)) {
      skip_line(lx, keyword.loc.line);
      if (lx.peek().is_punct("{")) skip_block(lx);
      return;
    }
    if (block.name == "0") block.name.clear();  // SER: route[0] is the main route
    if (!block.name.empty()) label = "route[" + block.name + "]";
  }
  const Token& open = lx.peek();
  if (!open.is_punct("{")) {
    diags_.error(open.loc, "expected '{' after '" + label + "', found " + open.describe());
    return skip_line(lx, keyword.loc.line);
  }
  RouteParser parser(lx, diags_);
  parser.parse_block(&block);
  store_route(keyword, label, std::move(block));
}

bool Parser::route_name(Lexer& lx, const Token& keyword, std::string* name) {
  lx.next();  // '['
  Token n = lx.next();
  if ((n.kind != TokenKind::kWord && n.kind != TokenKind::kString) || n.text.empty()) {
    diags_.error(n.loc,
                 "expected a route name after '" + keyword.text + "[', found " + n.describe());
    return false;
  }
  Token close = lx.next();
  if (!close.is_punct("]")) {
    diags_.error(close.loc, "expected ']' after the route name, found " + close.describe());
    return false;
  }
  *name = n.text;
  return true;
}

void Parser::store_route(const Token& keyword, const std::string& label, RouteBlock block) {
  auto [it, fresh] = state_.route_at.emplace(label, keyword.loc);
  if (!fresh) {
    diags_.error(keyword.loc, "duplicate '" + label + "' block");
    diags_.note(it->second, "'" + label + "' was first defined here");
    return;
  }
  RouteScript& script = state_.config->script;
  if (keyword.text == "onreply_route") {
    script.onreply = std::move(block);
  } else if (block.name.empty()) {
    script.main = std::move(block);
  } else {
    std::string name = block.name;
    script.named.emplace(std::move(name), std::move(block));
  }
}

void Parser::unsupported_block(Lexer& lx, const Token& keyword) {
  if (keyword.text == "modparam") {
    diags_.error(keyword.loc,
                 "'modparam' is not supported: ser's functions are built in and take no module "
                 "parameters");
  } else {
    diags_.error(keyword.loc, "'" + keyword.text +
                                  "' blocks are not supported: ser is a stateless proxy "
                                  "(expected route, route[NAME] or onreply_route)");
  }
  skip_line(lx, keyword.loc.line);
  if (lx.peek().is_punct("{")) skip_block(lx);
}

}  // namespace cfg
