#include "train/preemption.h"

#include <csignal>
#include <cstdint>

namespace topiary::train {
namespace {
volatile std::sig_atomic_t g_terminate = 0;
void on_terminate(int) { g_terminate = 1; }
}  // namespace

void install_preemption_handler() {
  struct sigaction action {};
  action.sa_handler = on_terminate;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
}

bool preemption_requested(comm::Communicator& comm) {
  int32_t flag = g_terminate ? 1 : 0;
  comm.all_reduce(&flag, 1, comm::DataType::kInt32, comm::ReduceOp::kMax, "preemption flag");
  return flag != 0;
}

}  // namespace topiary::train
