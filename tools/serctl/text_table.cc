#include "tools/serctl/text_table.h"

#include <algorithm>
#include <cassert>

namespace serctl {

size_t display_width(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;  // count every byte that starts a character
  return n;
}

void TextTable::add(std::vector<std::string> row) {
  assert(row.size() <= columns_.size());
  row.resize(columns_.size());
  rows_.push_back(std::move(row));
}

std::string TextTable::render() const {
  std::vector<size_t> width(columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    width[i] = display_width(columns_[i].title);
    for (const auto& row : rows_) width[i] = std::max(width[i], display_width(row[i]));
  }
  auto line = [&](auto cell_of) {
    std::string out;
    for (size_t i = 0; i < columns_.size(); ++i) {
      const std::string& cell = cell_of(i);
      std::string pad(width[i] - display_width(cell), ' ');
      if (i > 0) out += "  ";
      out += columns_[i].align == Align::kRight ? pad + cell : cell + pad;
    }
    out.erase(out.find_last_not_of(' ') + 1);
    return out + "\n";
  };
  std::string out = line([&](size_t i) -> const std::string& { return columns_[i].title; });
  for (const auto& row : rows_) out += line([&](size_t i) -> const std::string& { return row[i]; });
  return out;
}

}  // namespace serctl
