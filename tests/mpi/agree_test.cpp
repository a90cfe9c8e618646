// comm::agree on real ranks: no rank fails; rank 1 fails; ranks 1 and 3 fail (rank 1's message
// wins on every rank); every rank fails (rank 0 wins); the last rank fails only after the others
// have finished the phase (they wait for it, nobody hangs); a phase with its own collective; and
// an exception that is not a UserError, which leaves without a collective, so that the next
// agreement still lines up. Run under mpirun with 2 or more ranks; any mismatch aborts every
// rank. (One process: tests/unit/comm/agree_test.cpp.)
#include "comm/agree.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>

#include "comm/mpi_communicator.h"
#include "core/error.h"

namespace {

using topiary::UserError;
using topiary::comm::agree;
using topiary::comm::AgreeOutcome;
using topiary::comm::Communicator;

int checks = 0;

void expect(Communicator& comm, bool ok, const std::string& what) {
  ++checks;
  if (!ok) comm.abort(1, "rank " + std::to_string(comm.rank()) + ": check failed: " + what);
}

// Every rank checks its own outcome against the same expectation, so all ranks agree with each
// other when all checks pass.
void expect_outcome(Communicator& comm, const AgreeOutcome& outcome, int failing_rank,
                    const std::string& message, const std::string& what) {
  expect(comm, outcome.ok == (failing_rank < 0), what + ": ok");
  expect(comm, outcome.failing_rank == failing_rank,
         what + ": failing rank " + std::to_string(outcome.failing_rank) + ", expected " +
             std::to_string(failing_rank));
  expect(comm, outcome.message == message,
         what + ": message '" + outcome.message.substr(0, 80) + "', expected '" +
             message.substr(0, 80) + "'");
}

std::string message_of(int rank) {
  // Different lengths per rank, one of them long, so that a wrong length or root shows.
  return "rank " + std::to_string(rank) + " failed: " + std::string(rank == 1 ? 5000 : rank, 'x');
}

}  // namespace

int main() {
  auto comm = topiary::comm::make_mpi_communicator();
  Communicator& c = *comm;
  const int rank = c.rank(), world = c.world_size(), last = world - 1;
  expect(c, world >= 2, "run with 2 or more ranks");

  int runs = 0;
  const auto count_run = [&] { ++runs; };
  AgreeOutcome outcome = agree(c, count_run, "test: none fails");
  expect_outcome(c, outcome, -1, "", "no rank fails");
  expect(c, runs == 1, "the phase runs once");

  const auto fail_on = [&](auto failing) {
    return [&, failing] {
      if (failing(rank)) throw UserError(message_of(rank));
    };
  };
  outcome = agree(c, fail_on([](int r) { return r == 1; }), "test: rank 1");
  expect_outcome(c, outcome, 1, message_of(1), "rank 1 fails");

  outcome = agree(c, fail_on([](int r) { return r == 1 || r == 3; }), "test: ranks 1 and 3");
  expect_outcome(c, outcome, 1, message_of(1), "ranks 1 and 3 fail");

  outcome = agree(c, fail_on([](int) { return true; }), "test: every rank");
  expect_outcome(c, outcome, 0, message_of(0), "every rank fails");

  // The others finish at once and wait in the agreement for the last rank, which fails late.
  const auto fail_late = [&] {
    if (rank != last) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    throw UserError(message_of(last));
  };
  outcome = agree(c, fail_late, "test: late failure");
  expect_outcome(c, outcome, last, message_of(last), "the last rank fails after the others");

  // A phase may issue collectives of its own when every rank reaches them.
  const auto with_collective = [&] {
    int32_t sum = 1;
    c.all_reduce(&sum, 1, topiary::comm::DataType::kInt32, topiary::comm::ReduceOp::kSum,
                 "test: inside the phase");
    if (sum != world) throw std::logic_error("bad sum");
    if (rank == last) throw UserError("after a collective");
  };
  outcome = agree(c, with_collective, "test: phase with a collective");
  expect_outcome(c, outcome, last, "after a collective", "a phase with its own collective");

  // Not a UserError: it leaves agree() at once (here on every rank, so no rank waits) without a
  // collective; the next agreement must still line up.
  bool propagated = false;
  try {
    agree(
        c, [] { throw std::runtime_error("a bug"); }, "test: not a user error");
  } catch (const std::runtime_error&) {
    propagated = true;
  }
  expect(c, propagated, "a non-UserError propagates");
  outcome = agree(c, fail_on([](int r) { return r == 0; }), "test: after");
  expect_outcome(c, outcome, 0, message_of(0), "agreement after a propagated exception");

  c.barrier("test end");
  if (rank == 0) std::printf("ok: %d agreement checks on %d ranks\n", checks, world);
  return 0;
}
