#pragma once
// Two kinds of failure, never mixed (see STYLE.md "Errors"):
//  - UserError: bad recipe, data, flag or file. The message says where and what would be valid.
//    The CLI prints it on one line and exits with kExitUserError.
//  - TOPIARY_ASSERT: a broken invariant, i.e. a bug. Aborts with rank, host, file and line.
#include <stdexcept>
#include <string>

namespace topiary {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInternalError = 1;
inline constexpr int kExitUserError = 2;

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Builds "file:line:col: key 'k': message" style prefixes consistently.
std::string located(const std::string& file, int line, int column, const std::string& key,
                    const std::string& message);

[[noreturn]] void assertion_failed(const char* expr, const char* file, int line,
                                   const std::string& message);

// This machine's host name, for messages that must say where something happened.
std::string host_name();

// Set once by the communicator so that assertion messages name the rank.
void set_process_rank(int rank);
int process_rank();

}  // namespace topiary

#define TOPIARY_ASSERT(cond, msg)                                               \
  do {                                                                          \
    if (!(cond)) ::topiary::assertion_failed(#cond, __FILE__, __LINE__, (msg)); \
  } while (0)
