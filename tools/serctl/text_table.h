#pragma once
// A table for a terminal: a header row, then rows, columns padded to their widest cell
// (counted in characters, not bytes, so UTF-8 names line up); numeric columns right-aligned.
#include <string>
#include <vector>

namespace serctl {

class TextTable {
 public:
  enum class Align { kLeft, kRight };
  struct Column {
    std::string title;
    Align align = Align::kLeft;
  };

  explicit TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}
  // One cell per column; missing cells are blank, extra ones are an error (asserted).
  void add(std::vector<std::string> row);
  bool empty() const { return rows_.empty(); }
  // Two spaces between columns, no trailing blanks, each line ended by '\n'.
  std::string render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// The width of `text` on a terminal: its UTF-8 characters (control bytes escaped beforehand).
size_t display_width(const std::string& text);

}  // namespace serctl
