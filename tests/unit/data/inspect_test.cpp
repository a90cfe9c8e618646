#include "data/inspect.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace topiary::data {
namespace {

TEST(Inspect, CountsHistogramLabelsAndCoverage) {
  Dataset dataset;
  dataset.vocabulary = {"<pad>", "<unk>", "a", "b"};
  dataset.label_names = {"neg", "pos"};
  // lengths 1, 2, 3, 5
  dataset.train = {{2, 2, 3, 1, 2, 3, 2, 2, 2, 1, 3}, {0, 1, 3, 6, 11}, {0, 1, 1, 1}};
  dataset.valid = {{1, 2}, {0, 2}, {1}};
  const DatasetStats stats = inspect_dataset(dataset);
  EXPECT_EQ(stats.train.examples, 4);
  EXPECT_EQ(stats.train.tokens, 11);
  EXPECT_EQ(stats.train.unknown_tokens, 2);
  EXPECT_EQ(stats.train.min_length, 1);
  EXPECT_EQ(stats.train.max_length, 5);
  EXPECT_EQ(stats.train.p50_length, 2);
  EXPECT_EQ(stats.train.p90_length, 5);
  EXPECT_DOUBLE_EQ(stats.train.mean_length, 2.75);
  ASSERT_EQ(stats.train.length_histogram.size(), 3u);  // 1, 2-3 (x2), 4-7
  EXPECT_EQ(stats.train.length_histogram[1].low, 2);
  EXPECT_EQ(stats.train.length_histogram[1].high, 3);
  EXPECT_EQ(stats.train.length_histogram[1].count, 2);
  EXPECT_EQ(stats.train.length_histogram[2].low, 4);
  EXPECT_EQ(stats.train.label_counts, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(stats.valid.unknown_tokens, 1);
  const std::string text = format_inspection(stats, dataset);
  EXPECT_NE(text.find("train: 4 examples, 11 tokens, <unk> 2 (18.18%, coverage 81.82%)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("label pos"), std::string::npos) << text;
  EXPECT_NE(text.find("vocabulary: 4 tokens"), std::string::npos) << text;
}

TEST(Inspect, LanguageModelHasDocumentsAndNoLabels) {
  Dataset dataset;
  dataset.kind = kLanguageModelKind;
  dataset.vocabulary = {"<pad>", "<unk>", "<eos>", "a"};
  dataset.train.tokens = {3, 3, 3};
  dataset.train.offsets = {0, 3};
  dataset.valid.offsets = {0, 0};
  const DatasetStats stats = inspect_dataset(dataset);
  EXPECT_TRUE(stats.train.label_counts.empty());
  EXPECT_EQ(stats.valid.length_histogram.size(), 1u);
  EXPECT_EQ(stats.valid.length_histogram[0].high, 0);
  const std::string text = format_inspection(stats, dataset);
  EXPECT_NE(text.find("train: 1 documents, 3 tokens"), std::string::npos) << text;
  EXPECT_EQ(text.find("label "), std::string::npos) << text;
}

}  // namespace
}  // namespace topiary::data
