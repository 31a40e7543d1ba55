#include "cfg/lexer.h"

#include <cctype>

namespace cfg {

namespace {

bool word_start(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '.' ||
         c == '*' || c == '-';
}

bool word_char(char c) { return word_start(c) || c == ':' || c == '+' || c == '/'; }

}  // namespace

std::string Token::describe() const {
  switch (kind) {
    case TokenKind::kEnd:
      return "end of file";
    case TokenKind::kString:
      return "string \"" + text + "\"";
    case TokenKind::kError:
      return "invalid input";
    case TokenKind::kPunct:
    case TokenKind::kWord:
      return "'" + text + "'";
  }
  return "'" + text + "'";
}

Lexer::Lexer(std::string file, std::string text) : file_(std::move(file)), text_(std::move(text)) {}

void Lexer::advance() {
  if (pos_ >= text_.size()) return;
  if (text_[pos_] == '\n') {
    ++line_;
    col_ = 1;
  } else {
    ++col_;
  }
  ++pos_;
}

const Token& Lexer::peek() {
  if (!has_peek_) {
    peeked_ = lex();
    has_peek_ = true;
  }
  return peeked_;
}

Token Lexer::next() {
  if (has_peek_) {
    has_peek_ = false;
    return std::move(peeked_);
  }
  return lex();
}

void Lexer::skip_space_and_comments(Token* error) {
  for (;;) {
    char c = cur();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      advance();
    } else if (c == '#') {
      while (cur() != '\n' && cur() != '\0') advance();
    } else if (c == '/' && at(1) == '*') {
      SourceLoc start = here();
      advance();
      advance();
      while (!(cur() == '*' && at(1) == '/')) {
        if (cur() == '\0') {
          *error = {TokenKind::kError, "unterminated block comment (opened here)", start};
          return;
        }
        advance();
      }
      advance();
      advance();
    } else {
      return;
    }
  }
}

Token Lexer::lex() {
  Token err;
  skip_space_and_comments(&err);
  if (err.kind == TokenKind::kError) return err;
  SourceLoc loc = here();
  char c = cur();
  if (c == '\0') return {TokenKind::kEnd, "", loc};
  if (c == '"') return lex_string(loc);
  if (word_start(c)) {
    std::string w;
    while (word_char(cur())) {
      w += cur();
      advance();
    }
    return {TokenKind::kWord, w, loc};
  }
  return lex_punct(loc);
}

Token Lexer::lex_string(SourceLoc loc) {
  advance();  // opening quote
  std::string s;
  for (;;) {
    char c = cur();
    if (c == '\0' || c == '\n')
      return {TokenKind::kError, "unterminated string (missing closing '\"')", loc};
    advance();
    if (c == '"') break;
    if (c != '\\') {
      s += c;
      continue;
    }
    char e = cur();
    SourceLoc eloc = here();
    advance();
    switch (e) {
      case '"': s += '"'; break;
      case '\\': s += '\\'; break;
      case 'n': s += '\n'; break;
      case 'r': s += '\r'; break;
      case 't': s += '\t'; break;
      default:
        return {TokenKind::kError,
                std::string("unknown escape '\\") + e + "' in string (use \\\" \\\\ \\n \\r \\t)",
                {eloc.file, eloc.line, eloc.col - 1}};
    }
  }
  return {TokenKind::kString, s, loc};
}

Token Lexer::lex_punct(SourceLoc loc) {
  static const char* two[] = {"==", "!=", "=~", "&&", "||", "<=", ">="};
  for (const char* p : two) {
    if (cur() == p[0] && at(1) == p[1]) {
      advance();
      advance();
      return {TokenKind::kPunct, p, loc};
    }
  }
  char c = cur();
  static const std::string_view one = "{}()[],;=!<>";
  if (one.find(c) != std::string_view::npos) {
    advance();
    return {TokenKind::kPunct, std::string(1, c), loc};
  }
  advance();
  std::string shown = std::isprint(static_cast<unsigned char>(c))
                          ? std::string("'") + c + "'"
                          : "byte 0x" + std::to_string(static_cast<unsigned char>(c));
  return {TokenKind::kError, "unexpected character " + shown, loc};
}

Token Lexer::raw_word() {
  while (cur() == ' ' || cur() == '\t') advance();
  SourceLoc loc = here();
  if (cur() == '"') return lex_string(loc);
  std::string w;
  int depth = 0;
  for (char c = cur(); c != '\0' && c != '\n' && c != '\r'; c = cur()) {
    if (depth == 0 && (c == ' ' || c == '\t' || c == ';' || c == '#' || c == ',')) break;
    if (depth == 0 && (c == ')' || c == '{' || c == '}')) break;
    if (c == '[') ++depth;
    if (c == ']') {
      if (depth == 0) break;
      --depth;
    }
    w += c;
    advance();
  }
  if (w.empty()) return {TokenKind::kEnd, "", loc};
  return {TokenKind::kWord, w, loc};
}

Token Lexer::raw_bracketed() {
  while (cur() == ' ' || cur() == '\t') advance();
  SourceLoc loc = here();
  std::string w;
  int depth = 0;
  for (char c = cur();; c = cur()) {
    if (c == '\0' || c == '\n') return {TokenKind::kError, "missing closing ']'", loc};
    advance();
    if (c == '[') ++depth;
    if (c == ']') {
      if (depth == 0) break;
      --depth;
    }
    w += c;
  }
  return {TokenKind::kWord, w, loc};
}

}  // namespace cfg
