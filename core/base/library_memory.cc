#include "core/base/library_memory.h"

namespace core {

LibraryCounters& openssl_memory_counters() noexcept {
  static LibraryCounters counters;
  return counters;
}

LibraryCounters& libevent_memory_counters() noexcept {
  static LibraryCounters counters;
  return counters;
}

}  // namespace core
