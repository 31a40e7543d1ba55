#pragma once
// Tokenizer for ser.cfg. Comments (`#`, `/* */`) and white space are skipped.
//
// Token kinds:
//  - kWord: a bare word: identifiers, numbers, addresses, `tls:1.2.3.4:5061`, `TLSv1.2+`,
//    `uri:host`, `$tls_sni`, `10.0.0.0/8`. Starts with [A-Za-z0-9_$.*-], continues with
//    those and [:+/]. Brackets end a word: IPv6 forms are read with raw_bracketed().
//  - kString: "..." with \" \\ \n \r \t escapes (text holds the unescaped value).
//  - kPunct: { } ( ) [ ] , ; = == != =~ ! && || < > <= >=
//  - kEnd: end of input. kError: a lexical error (text holds the message).
#include <string>
#include <string_view>

#include "cfg/source_loc.h"

namespace cfg {

enum class TokenKind { kWord, kString, kPunct, kEnd, kError };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  SourceLoc loc;

  bool is(TokenKind k, std::string_view t) const { return kind == k && text == t; }
  bool is_punct(std::string_view t) const { return is(TokenKind::kPunct, t); }
  bool is_word(std::string_view t) const { return is(TokenKind::kWord, t); }
  // How the token reads in "expected X, found Y" messages: `'{'`, `"text"`, `end of file`.
  std::string describe() const;
};

class Lexer {
 public:
  Lexer(std::string file, std::string text);

  Token next();
  const Token& peek();

  // Reads a raw value up to white space, `;`, `#`, `,` or end of line, brackets included
  // (for `tcp:[::1]:5060`). Only valid when nothing was peeked. Leading blanks are skipped.
  Token raw_word();
  // After an opening `[` was consumed: the text up to the matching `]` (nested `[...]`
  // kept), which is consumed too. For `tls_domain[[::1]:5061, "name"]` keys.
  Token raw_bracketed();

  const std::string& file() const { return file_; }

 private:
  Token lex();
  void skip_space_and_comments(Token* error);
  Token lex_string(SourceLoc loc);
  Token lex_punct(SourceLoc loc);
  SourceLoc here() const { return {file_, line_, col_}; }
  char cur() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  char at(size_t off) const { return pos_ + off < text_.size() ? text_[pos_ + off] : '\0'; }
  void advance();

  std::string file_;
  std::string text_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
  bool has_peek_ = false;
  Token peeked_;
};

}  // namespace cfg
