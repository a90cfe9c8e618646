// The optional held-out test split: prepare --test / --test-fraction, stored as /test.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "data/prepare.h"
#include "test_support.h"

namespace topiary::data {
namespace {

// Example i's token ids, so splits can be compared as sets of examples.
std::vector<int32_t> example(const TokenizedSplit& split, int64_t i) {
  const auto begin = split.tokens.begin() + split.offsets[static_cast<size_t>(i)];
  const auto end = split.tokens.begin() + split.offsets[static_cast<size_t>(i) + 1];
  return {begin, end};
}

std::set<std::vector<int32_t>> examples(const TokenizedSplit& split) {
  std::set<std::vector<int32_t>> out;
  for (int64_t i = 0; i < split.size(); ++i) out.insert(example(split, i));
  return out;
}

// `count` distinct reviews, told apart by their length (review i is i + 1 times "a", so every
// split's tokens are in the training vocabulary), two classes.
std::string numbered_tsv(int count) {
  std::string text = "sentence\tlabel\n";
  for (int i = 0; i < count; ++i) {
    for (int j = 0; j <= i; ++j) text += j ? " a" : "a";
    text += "\t" + std::to_string(i % 2) + "\n";
  }
  return text;
}

TEST(TestSplit, SeparateTestFileIsTokenizedWithTheTrainingVocabulary) {
  test::TempDir dir;
  test::write_file(dir / "train.tsv", "sentence\tlabel\nthe cat\tA\nthe dog\tB\na cat\tA\n");
  test::write_file(dir / "valid.tsv", "sentence\tlabel\nthe dog\tB\n");
  test::write_file(dir / "test.tsv", "sentence\tlabel\nthe zebra\tA\ncat\tB\n");
  PrepareOptions options;
  options.input = dir / "train.tsv";
  options.valid_path = dir / "valid.tsv";
  options.test_path = dir / "test.tsv";
  PrepareSummary summary;
  const Dataset dataset = build_dataset(options, &summary);
  ASSERT_TRUE(dataset.has_test());
  EXPECT_EQ(summary.test_examples, 2);
  EXPECT_EQ(dataset.train.size(), 3);        // the test file takes nothing from the input
  EXPECT_EQ(dataset.vocabulary.size(), 6u);  // <pad> <unk> the cat dog a: no "zebra"
  EXPECT_EQ(dataset.test.labels, (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(example(dataset.test, 0)[1], 1);  // zebra -> <unk>
  EXPECT_EQ(dataset.attributes.at("test_source"), dir / "test.tsv");
  EXPECT_EQ(dataset.attributes.at("test_source_sha256").size(), 64u);
  EXPECT_NE(format_summary(summary).find("test 2"), std::string::npos);
}

TEST(TestSplit, FractionIsDisjointFromTrainAndValidAndSeeded) {
  test::TempDir dir;
  test::write_file(dir / "all.tsv", numbered_tsv(40));
  PrepareOptions options;
  options.input = dir / "all.tsv";
  options.valid_fraction = 0.25;
  options.test_fraction = 0.25;
  options.seed = 5;
  const Dataset dataset = build_dataset(options);
  EXPECT_EQ(dataset.test.size(), 10);  // round(40 * 0.25)
  EXPECT_EQ(dataset.valid.size(), 8);  // round(30 * 0.25): valid is cut from what test leaves
  EXPECT_EQ(dataset.train.size(), 22);
  const auto train = examples(dataset.train);
  const auto valid = examples(dataset.valid);
  for (const auto& test_example : examples(dataset.test)) {
    EXPECT_EQ(train.count(test_example), 0u);
    EXPECT_EQ(valid.count(test_example), 0u);
  }
  EXPECT_EQ(build_dataset(options).test.tokens, dataset.test.tokens);  // same seed, same split
  options.seed = 6;
  EXPECT_NE(build_dataset(options).test.tokens, dataset.test.tokens);
  EXPECT_NE(dataset.attributes.at("test_source").find("test_fraction=0.25 seed=5"),
            std::string::npos);
}

TEST(TestSplit, WithoutATestSplitTrainAndValidAreAsBefore) {
  test::TempDir dir;
  test::write_file(dir / "all.tsv", numbered_tsv(40));
  test::write_file(dir / "test.tsv", "sentence\tlabel\na a\t1\n");
  PrepareOptions options;
  options.input = dir / "all.tsv";
  options.valid_fraction = 0.2;
  const Dataset plain = build_dataset(options);
  EXPECT_FALSE(plain.has_test());
  EXPECT_EQ(plain.attributes.count("test_source"), 0u);
  options.test_path = dir / "test.tsv";  // a separate test file leaves the split alone
  const Dataset with_test = build_dataset(options);
  EXPECT_EQ(with_test.train.tokens, plain.train.tokens);
  EXPECT_EQ(with_test.valid.tokens, plain.valid.tokens);
  EXPECT_EQ(with_test.test.size(), 1);
}

TEST(TestSplit, StoredAndReadBackAndOptionalOnRead) {
  test::TempDir dir;
  test::write_file(dir / "all.tsv", numbered_tsv(20));
  PrepareOptions options;
  options.input = dir / "all.tsv";
  options.test_fraction = 0.2;
  options.output = dir / "d.h5";
  prepare_dataset(options);
  const Dataset read = read_dataset(dir / "d.h5");
  ASSERT_TRUE(read.has_test());
  EXPECT_EQ(read.test.size(), 4);
  EXPECT_EQ(read.test.labels.size(), 4u);
  EXPECT_EQ(read.attributes.at("test_examples"), "4");
  options.test_fraction = 0.0;
  prepare_dataset(options);
  EXPECT_FALSE(read_dataset(dir / "d.h5").has_test());
}

TEST(TestSplit, BadOptionsAndLabelsAreUserErrors) {
  test::TempDir dir;
  test::write_file(dir / "train.tsv", numbered_tsv(10));
  test::write_file(dir / "test.tsv", "sentence\tlabel\nok\t0\nodd\tmaybe\n");
  test::write_file(dir / "doc.txt", "one document\nanother one\nand a third\n");
  PrepareOptions options;
  options.input = dir / "train.tsv";
  options.test_fraction = 1.0;
  EXPECT_USER_ERROR(build_dataset(options), "--test-fraction", "[0, 1)");
  options.test_fraction = 0.95;
  EXPECT_USER_ERROR(build_dataset(options), "--test-fraction", "no training examples");
  options.test_fraction = 0.1;
  options.test_path = dir / "test.tsv";
  EXPECT_USER_ERROR(build_dataset(options), "--test and --test-fraction");
  options.test_fraction = 0.0;
  EXPECT_USER_ERROR(build_dataset(options), "test.tsv:3:", "'maybe'");
  options.labels = {"0", "1"};
  EXPECT_USER_ERROR(build_dataset(options), "test.tsv:3:", "not in --labels");
  PrepareOptions text;
  text.input = dir / "doc.txt";
  text.format = "text";
  text.test_fraction = 0.3;
  EXPECT_USER_ERROR(build_dataset(text), "--test", "classification");
}

}  // namespace
}  // namespace topiary::data
