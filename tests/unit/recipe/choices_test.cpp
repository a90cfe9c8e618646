// Every choice table spells each name once and reads back every name it prints.
#include "recipe/choices.h"

#include <gtest/gtest.h>

#include <set>

namespace topiary::recipe {
namespace {

template <typename E, size_t N>
void expect_round_trip(const EnumTable<E, N>& table) {
  const std::vector<std::string> names = table.names();
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  for (const auto& name : names) {
    const std::optional<E> value = table.parse(name);
    ASSERT_TRUE(value.has_value()) << name;
    EXPECT_EQ(table.name(*value), name);
  }
}

TEST(Choices, EveryTableRoundTrips) {
  expect_round_trip(kModelTypes);
  expect_round_trip(prune::kScorerKinds);
  expect_round_trip(prune::kScopes);
  expect_round_trip(prune::kScheduleKinds);
  expect_round_trip(prune::kAllocationKinds);
  expect_round_trip(kOptimizers);
  expect_round_trip(kPrecisions);
  expect_round_trip(kNonFinitePolicies);
  expect_round_trip(kDevices);
  expect_round_trip(kTransports);
  expect_round_trip(kCommDtypes);
  expect_round_trip(kSelectionMetrics);
  expect_round_trip(kAdaptiveMetrics);
  expect_round_trip(kLrKinds);
}

// The adaptive metrics are selection metrics too, spelled the same way.
TEST(Choices, AdaptiveMetricsAreSpelledLikeSelectionMetrics) {
  for (const auto& name : kAdaptiveMetrics.names()) {
    EXPECT_EQ(kSelectionMetrics.parse(name), kAdaptiveMetrics.parse(name)) << name;
  }
}

}  // namespace
}  // namespace topiary::recipe
