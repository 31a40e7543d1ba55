#pragma once
// Include in exactly one file of a fuzz target whose code resolves names (next hops, listen
// addresses): fuzzed host names must not reach DNS, which is slow, not deterministic and not
// ours to load. Only numeric hosts resolve. This definition in the executable overrides
// libc's getaddrinfo (and the sanitizers' interceptor, a weak alias of the same name).
#include <dlfcn.h>
#include <netdb.h>

extern "C" int getaddrinfo(const char* node, const char* service, const struct addrinfo* hints,
                           struct addrinfo** res) {
  using Fn = int (*)(const char*, const char*, const struct addrinfo*, struct addrinfo**);
  static const Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "getaddrinfo"));
  struct addrinfo numeric {};
  if (hints != nullptr) numeric = *hints;
  numeric.ai_flags |= AI_NUMERICHOST;
  return real(node, service, &numeric, res);
}
