// Kamailio's tls.cfg (INI) text: inih, the section names ([server:IP:PORT], [client:[v6]:PORT],
// ...), every key and value parser. The reader takes a path, so each input is written to a
// file of this process first. Checks: no crash, no exception escaping as an "internal error",
// and every error names a line of the file.
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cfg/tls_ini.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

// A directory of this process, removed at exit; the input file lives in it.
struct Scratch {
  Scratch() {
    char dir[] = "/tmp/ser-fuzz-tls-ini.XXXXXX";
    FUZZ_CHECK(mkdtemp(dir) != nullptr, "mkdtemp");
    path_dir = dir;
    path = path_dir + "/tls.cfg";
  }
  ~Scratch() {
    ::unlink(path.c_str());
    ::rmdir(path_dir.c_str());
  }
  std::string path_dir;
  std::string path;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Scratch scratch;
  FILE* f = std::fopen(scratch.path.c_str(), "wb");
  FUZZ_CHECK(f != nullptr, "cannot write %s", scratch.path.c_str());
  std::fwrite(data, 1, size, f);
  std::fclose(f);

  cfg::TlsSettings defaults;
  std::vector<cfg::TlsDomainConfig> domains;
  cfg::Diagnostics diags;
  const bool ok = cfg::read_tls_ini(scratch.path, defaults, &domains, &diags);
  for (const auto& d : diags.all()) {
    FUZZ_CHECK(d.message.rfind("internal error", 0) != 0, "%s", d.to_string().c_str());
    if (d.severity == cfg::Severity::kError) {
      FUZZ_CHECK(d.loc.line > 0, "an error without a line: %s", d.to_string().c_str());
    }
  }
  FUZZ_CHECK(ok == !diags.has_errors(), "read_tls_ini returned %d with %zu errors", ok,
             diags.error_count());
  return 0;
}
