#pragma once
// Reads one RFC 4475 message of tests/data/rfc4475 (its README.md gives the format): the
// `#` lines give the section and what a stateless proxy does with it; the message follows,
// each line ended by CRLF, `<hex>..</hex>` decoded into octets.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace core::proxy::testing {

struct TortureMessage {
  std::string name;     // the RFC's name, e.g. "wsinv"
  std::string section;  // "3.1.1.1 wsinv (A Short Tortuous INVITE)"
  std::string expect;   // "forward", "relay", "reply 400", "drop"
  std::string text;     // the octets on the wire
};

inline std::filesystem::path torture_dir() {
  return std::filesystem::path(SER_SOURCE_DIR) / "tests/data/rfc4475";
}

inline std::string decode_hex(const std::string& line) {
  std::string out;
  size_t pos = 0;
  for (size_t open; (open = line.find("<hex>", pos)) != std::string::npos;) {
    const size_t close = line.find("</hex>", open);
    out += line.substr(pos, open - pos);
    for (size_t i = open + 5; i + 1 < close; i += 2)
      out += static_cast<char>(std::stoi(line.substr(i, 2), nullptr, 16));
    pos = close + 6;
  }
  return out + line.substr(pos);
}

inline TortureMessage load_torture_message(const std::filesystem::path& file) {
  TortureMessage m;
  m.name = file.stem().string();
  std::ifstream in(file, std::ios::binary);
  std::string line;
  bool header = true;
  std::vector<std::string> lines;
  while (std::getline(in, line)) {
    if (header && line.rfind("#", 0) == 0) {
      if (line.rfind("# rfc4475: ", 0) == 0) m.section = line.substr(11);
      if (line.rfind("# expect: ", 0) == 0) m.expect = line.substr(10);
      continue;
    }
    header = false;
    lines.push_back(decode_hex(line));
  }
  for (const std::string& l : lines) m.text += l + "\r\n";
  return m;
}

inline std::vector<TortureMessage> all_torture_messages() {
  std::vector<TortureMessage> out;
  for (const auto& entry : std::filesystem::directory_iterator(torture_dir()))
    if (entry.path().extension() == ".sip") out.push_back(load_torture_message(entry.path()));
  return out;
}

}  // namespace core::proxy::testing
