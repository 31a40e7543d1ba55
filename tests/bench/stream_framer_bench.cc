// Stream framing of a message that arrives one byte at a time (a trickling peer): the time the
// framer spends per byte received, for 1 KB, 8 KB and 64 KB messages made almost wholly of
// header lines (the worst case: the header section is what gets searched). "from scratch" asks
// the framer anew after each byte, as connections did before FrameScan; "resumed" keeps the
// FrameScan as connections do now. Linear framing shows as a flat time per byte.
#include <chrono>
#include <cstdio>
#include <string>

#include "core/sip/stream_framer.h"

namespace {

using core::sip::find_frame;
using core::sip::Frame;
using core::sip::FrameScan;

constexpr size_t kMaxMessage = 1 << 20;

std::string message_of(size_t size) {
  std::string m = "MESSAGE sip:bob@example.org SIP/2.0\r\nContent-Length: 16\r\n";
  while (m.size() + 64 < size)
    m += "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  m += "\r\n0123456789abcdef";
  return m;
}

// Nanoseconds of framing per byte when `m` is fed one byte at a time.
double ns_per_byte(const std::string& m, bool resume) {
  auto t0 = std::chrono::steady_clock::now();
  FrameScan scan;
  size_t frames = 0;
  for (size_t n = 1; n <= m.size(); ++n) {
    if (!resume) scan.reset();
    Frame f = find_frame(std::string_view(m.data(), n), kMaxMessage, scan);
    if (f.kind == Frame::Kind::kMessage) ++frames;
  }
  double ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  if (frames != 1) std::printf("  (framing error: %zu frames)\n", frames);
  return ns / static_cast<double>(m.size());
}

}  // namespace

int main() {
  std::printf("stream framing, one byte per read (ns of framing per byte received):\n");
  for (size_t size : {size_t{1} << 10, size_t{8} << 10, size_t{64} << 10}) {
    const std::string m = message_of(size);
    double scratch = ns_per_byte(m, false);
    double resumed = ns_per_byte(m, true);
    std::printf("  %6zu-byte message: from scratch %10.1f ns/byte   resumed %6.1f ns/byte\n",
                m.size(), scratch, resumed);
  }
  return 0;
}
