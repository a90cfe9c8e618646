#include "data/vocabulary.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace topiary::data {
namespace {

using Tokens = std::vector<std::string>;

TokenCounter count(const std::vector<Tokens>& documents) {
  TokenCounter counter;
  for (const Tokens& document : documents) counter.add(document);
  return counter;
}

TEST(Vocabulary, FrequencyOrderWithTiesByToken) {
  const auto vocabulary = build_vocabulary(count({{"b", "a", "c", "b"}, {"d", "c", "b", "a"}}), {});
  EXPECT_EQ(vocabulary, (Tokens{"<pad>", "<unk>", "b", "a", "c", "d"}));
}

TEST(Vocabulary, DoesNotDependOnInsertionOrder) {
  const auto forward = build_vocabulary(count({{"x", "y", "z"}, {"z", "w"}}), {});
  const auto backward = build_vocabulary(count({{"w", "z"}, {"z", "y", "x"}}), {});
  EXPECT_EQ(forward, backward);
  EXPECT_EQ(forward, (Tokens{"<pad>", "<unk>", "z", "w", "x", "y"}));
}

TEST(Vocabulary, MinFrequencyAndMaxSize) {
  const TokenCounter counter = count({{"a", "a", "a", "b", "b", "c"}});
  EXPECT_EQ(build_vocabulary(counter, {.min_frequency = 2}), (Tokens{"<pad>", "<unk>", "a", "b"}));
  EXPECT_EQ(build_vocabulary(counter, {.max_size = 3}), (Tokens{"<pad>", "<unk>", "a"}));
  EXPECT_EQ(build_vocabulary(counter, {.min_frequency = 4}), (Tokens{"<pad>", "<unk>"}));
}

TEST(Vocabulary, RejectsBadOptions) {
  EXPECT_USER_ERROR(build_vocabulary(TokenCounter{}, {.min_frequency = 0}), "--min-frequency");
  EXPECT_USER_ERROR(build_vocabulary(TokenCounter{}, {.max_size = 2}), "--max-vocab");
}

TEST(VocabularyIndex, UnknownTokensMapToUnk) {
  const VocabularyIndex index(Tokens{"<pad>", "<unk>", "the", "cat"});
  EXPECT_EQ(index.id("the"), 2);
  EXPECT_EQ(index.id("cat"), 3);
  EXPECT_EQ(index.id("dog"), kUnkId);
  EXPECT_EQ(index.id("<pad>"), kPadId);
}

}  // namespace
}  // namespace topiary::data
