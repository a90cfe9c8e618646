// core/hash.h gives the published reference outputs: SplitMix64 (Vigna's splitmix64.c, seed
// 1234567) and 64-bit FNV-1a (the FNV authors' test vectors).
#include "core/hash.h"

#include <gtest/gtest.h>

namespace topiary::core {
namespace {

TEST(Hash, SplitMix64StreamMatchesTheReferenceImplementation) {
  uint64_t state = 1234567;
  EXPECT_EQ(splitmix64_next(state), 6457827717110365317ull);
  EXPECT_EQ(splitmix64_next(state), 3203168211198807973ull);
  EXPECT_EQ(splitmix64_next(state), 9817491932198370423ull);
  EXPECT_EQ(state, 1234567 + 3 * kSplitMix64Gamma);
}

TEST(Hash, StatelessSplitMix64IsTheFirstDrawOfAStream) {
  uint64_t state = 42;
  EXPECT_EQ(splitmix64(42), splitmix64_next(state));
  static_assert(splitmix64(0) != splitmix64(1));
}

TEST(Hash, UnitIntervalUsesTheTop53Bits) {
  EXPECT_EQ(unit_interval(0), 0.0);
  EXPECT_EQ(unit_interval(~0ull), 1.0 - 0x1.0p-53);
  EXPECT_EQ(unit_interval(1ull << 63), 0.5);
}

TEST(Hash, Fnv1aMatchesThePublishedVectors) {
  EXPECT_EQ(fnv1a(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a("foobar"), 0x85944171f73967e8ull);
  EXPECT_EQ(fnv1a("bar", fnv1a("foo")), fnv1a("foobar"));
}

}  // namespace
}  // namespace topiary::core
