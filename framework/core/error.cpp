#include "core/error.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace topiary {
namespace {
int g_rank = -1;
}

std::string located(const std::string& file, int line, int column, const std::string& key,
                    const std::string& message) {
  std::ostringstream out;
  out << file;
  if (line > 0) out << ':' << line;
  if (column > 0) out << ':' << column;
  out << ": ";
  if (!key.empty()) out << "key '" << key << "': ";
  out << message;
  return out.str();
}

void set_process_rank(int rank) { g_rank = rank; }
int process_rank() { return g_rank; }

std::string host_name() {
  char host[256] = "?";
  gethostname(host, sizeof(host) - 1);
  return host;
}

void assertion_failed(const char* expr, const char* file, int line, const std::string& message) {
  std::fprintf(stderr, "topiary: internal error on rank %d (%s) at %s:%d: %s [%s]\n", g_rank,
               host_name().c_str(), file, line, message.c_str(), expr);
  std::fflush(stderr);
  std::abort();
}

}  // namespace topiary
