// comm::agree in one process: over the loopback communicator, and over a scripted communicator
// that plays one rank of a larger world (the other ranks' part of each collective is given), to
// check the outcome a rank computes and the collectives it issues. (Real ranks:
// tests/mpi/agree_test.cpp.)
#include "comm/agree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace topiary::comm {
namespace {

TEST(Agree, LoopbackRunsThePhaseOnceAndSucceeds) {
  auto comm = make_loopback_communicator();
  int runs = 0;
  const AgreeOutcome outcome = agree(
      *comm, [&] { ++runs; }, "test");
  EXPECT_EQ(runs, 1);
  EXPECT_TRUE(outcome.ok);
  EXPECT_EQ(outcome.failing_rank, -1);
  EXPECT_EQ(outcome.message, "");
}

TEST(Agree, LoopbackUserErrorFailsWithItsMessage) {
  auto comm = make_loopback_communicator();
  const AgreeOutcome outcome = agree(
      *comm, [] { throw UserError("recipe.yaml:3:1: key 'x': unknown"); }, "test");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.failing_rank, 0);
  EXPECT_EQ(outcome.message, "recipe.yaml:3:1: key 'x': unknown");
}

TEST(Agree, LoopbackUserErrorWithAnEmptyMessageStillFails) {
  auto comm = make_loopback_communicator();
  const AgreeOutcome outcome = agree(
      *comm, [] { throw UserError(""); }, "test");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.failing_rank, 0);
}

// One rank of a world of `world` ranks. The other ranks' lowest failing rank (world when none
// fails) and, when another rank wins, that rank's message are given; every collective issued is
// recorded.
class ScriptedCommunicator final : public Communicator {
 public:
  ScriptedCommunicator(int rank, int world, int others_first_failed, std::string others_message)
      : rank_(rank),
        world_(world),
        others_first_failed_(others_first_failed),
        others_message_(std::move(others_message)) {}

  std::vector<std::string> calls;

  int rank() const override { return rank_; }
  int world_size() const override { return world_; }
  void all_reduce(void* data, int64_t count, DataType type, ReduceOp op, const char*) override {
    calls.push_back("all_reduce");
    ASSERT_EQ(count, 1);
    ASSERT_EQ(type, DataType::kInt32);
    ASSERT_EQ(op, ReduceOp::kMin);
    auto* value = static_cast<int32_t*>(data);
    *value = std::min(*value, others_first_failed_);
  }
  void broadcast(void* data, int64_t count, DataType type, int root, const char*) override {
    calls.push_back("broadcast from " + std::to_string(root));
    if (root == rank_) return;  // this rank's data goes out unchanged
    if (type == DataType::kInt64) {
      ASSERT_EQ(count, 1);
      *static_cast<int64_t*>(data) = static_cast<int64_t>(others_message_.size());
    } else {
      ASSERT_EQ(type, DataType::kUInt8);
      ASSERT_EQ(count, static_cast<int64_t>(others_message_.size()));
      std::memcpy(data, others_message_.data(), others_message_.size());
    }
  }
  void all_gather(const void*, void*, int64_t, DataType, const char*) override {
    calls.push_back("all_gather");
  }
  void barrier(const char*) override { calls.push_back("barrier"); }
  [[noreturn]] void abort(int, const std::string& why) override { throw std::logic_error(why); }
  std::string name() const override { return "scripted"; }

 private:
  int rank_, world_, others_first_failed_;
  std::string others_message_;
};

TEST(Agree, NoFailureIssuesOneAllReduce) {
  ScriptedCommunicator comm(2, 4, /*others_first_failed=*/4, "");
  const AgreeOutcome outcome = agree(
      comm, [] {}, "test");
  EXPECT_TRUE(outcome.ok);
  EXPECT_EQ(comm.calls, std::vector<std::string>{"all_reduce"});
}

TEST(Agree, ARankThatDidNotFailGetsTheFailingRanksMessage) {
  ScriptedCommunicator comm(2, 4, /*others_first_failed=*/1, "data.h5: no such file");
  const AgreeOutcome outcome = agree(
      comm, [] {}, "test");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.failing_rank, 1);
  EXPECT_EQ(outcome.message, "data.h5: no such file");
  EXPECT_EQ(comm.calls,
            (std::vector<std::string>{"all_reduce", "broadcast from 1", "broadcast from 1"}));
}

TEST(Agree, TheLowestFailingRankWins) {
  // This rank (3) fails too, but rank 1 is lower: its message is the outcome.
  ScriptedCommunicator comm(3, 4, /*others_first_failed=*/1, "rank 1's message");
  const AgreeOutcome outcome = agree(
      comm, [] { throw UserError("rank 3's longer message"); }, "t");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.failing_rank, 1);
  EXPECT_EQ(outcome.message, "rank 1's message");
}

TEST(Agree, TheFailingRankSendsItsOwnMessage) {
  ScriptedCommunicator comm(1, 4, /*others_first_failed=*/3, "rank 3's message");
  const AgreeOutcome outcome = agree(
      comm, [] { throw UserError("rank 1's message"); }, "test");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.failing_rank, 1);
  EXPECT_EQ(outcome.message, "rank 1's message");
  EXPECT_EQ(comm.calls,
            (std::vector<std::string>{"all_reduce", "broadcast from 1", "broadcast from 1"}));
}

TEST(Agree, OtherExceptionsLeaveAtOnceWithoutACollective) {
  ScriptedCommunicator comm(0, 2, /*others_first_failed=*/2, "");
  EXPECT_THROW(agree(
                   comm, [] { throw std::runtime_error("bug"); }, "test"),
               std::runtime_error);
  EXPECT_TRUE(comm.calls.empty());
}

}  // namespace
}  // namespace topiary::comm
