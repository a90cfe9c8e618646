// `topiary prepare --tokenizer wordpiece --vocab DIR` end to end in memory: the tokenizer's
// vocabulary and ids, [CLS] ... [SEP] with --max-length, dropped empty texts, the stored
// description, and the options a fixed vocabulary refuses.
#include "data/example_tokenizer.h"

#include <gtest/gtest.h>

#include "data/dataset.h"
#include "data/inspect.h"
#include "data/prepare.h"
#include "data/wordpiece_settings.h"
#include "test_support.h"
#include "wordpiece_fixture.h"

namespace topiary::data {
namespace {

using Ids = std::vector<int32_t>;
constexpr int32_t kUnk = 2, kCls = 3, kSep = 4;

// train.tsv (4 rows, one of them empty after normalizing) and valid.tsv (2 rows).
PrepareOptions wordpiece_options(const test::TempDir& dir,
                                 nlohmann::json tokenizer = test::tiny_tokenizer_json()) {
  test::write_file(dir / "tokenizer.json", tokenizer.dump());
  test::write_file(dir / "train.tsv",
                   "sentence\tlabel\nUnaffable café!\t1\n\u200B\t0\nhello a a a a\t0\nab\t1\n");
  test::write_file(dir / "valid.tsv", "sentence\tlabel\nx hello\t0\nDon't\t1\n");
  PrepareOptions options;
  options.input = dir / "train.tsv";
  options.valid_path = dir / "valid.tsv";
  options.tokenizer = "wordpiece";
  options.vocab = dir.path().string();
  options.output = dir / "out.h5";
  return options;
}

TEST(WordPiecePrepare, KeepsTheTokenizersIdsAndFramesExamples) {
  test::TempDir dir;
  PrepareOptions options = wordpiece_options(dir);
  options.max_length = 5;
  PrepareSummary summary;
  const Dataset dataset = build_dataset(options, &summary);
  EXPECT_EQ(dataset.vocabulary, test::tiny_vocabulary());
  EXPECT_EQ(dataset.train.tokens,
            (Ids{kCls, 6, 7, 8, kSep, kCls, 15, 11, 11, kSep, kCls, 11, 12, kSep}));
  EXPECT_EQ(dataset.valid.tokens, (Ids{kCls, kUnk, 15, kSep, kCls, 18, 16, 17, kSep}));
  EXPECT_EQ(summary.dropped_empty, 1);
  EXPECT_EQ(summary.truncated_examples, 2);
  EXPECT_EQ(summary.valid_unknown_tokens, 1);  // "x": [UNK], whose id is not kUnkId
  EXPECT_EQ(dataset.attributes.at("max_length"), "5");
  EXPECT_TRUE(is_wordpiece_description(dataset.attributes.at("tokenizer")));
  // The file round-trips although its vocabulary does not start "<pad>", "<unk>".
  write_dataset(options.output, dataset);
  const Dataset read = read_dataset(options.output);
  EXPECT_EQ(read.train.tokens, dataset.train.tokens);
  EXPECT_EQ(inspect_dataset(read).valid.unknown_tokens, 1);
}

TEST(WordPiecePrepare, MaxLengthDefaultsToTheTokenizersTruncation) {
  test::TempDir dir;
  nlohmann::json tokenizer = test::tiny_tokenizer_json();
  tokenizer["truncation"] = {{"max_length", 4}, {"strategy", "LongestFirst"}, {"stride", 0}};
  PrepareOptions options = wordpiece_options(dir, tokenizer);
  const Dataset dataset = build_dataset(options);
  EXPECT_EQ(dataset.attributes.at("max_length"), "4");
  EXPECT_EQ(dataset.train.offsets, (std::vector<int64_t>{0, 4, 8, 12}));
  options.max_length = 100;  // --max-length wins over the file
  EXPECT_EQ(build_dataset(options).attributes.at("max_length"), "100");
}

TEST(WordPiecePrepare, RefusesOptionsAFixedVocabularyCannotHonour) {
  test::TempDir dir;
  const PrepareOptions good = wordpiece_options(dir);
  PrepareOptions options = good;
  options.min_frequency = 2;
  EXPECT_USER_ERROR(build_dataset(options), "--min-frequency", "fixed", "tokenizer.json");
  options = good;
  options.max_vocab = 1000;
  EXPECT_USER_ERROR(build_dataset(options), "--max-vocab", "leave the option out");
  options = good;
  options.lowercase = false;
  EXPECT_USER_ERROR(build_dataset(options), "--no-lowercase", "normalizer.lowercase");
  options = good;
  options.max_length = 2;
  EXPECT_USER_ERROR(build_dataset(options), "--max-length 2", "at least 3");
  options = good;
  options.vocab.clear();
  EXPECT_USER_ERROR(build_dataset(options), "--tokenizer wordpiece needs --vocab");
  options = good;
  options.vocab = dir / "nowhere";
  EXPECT_USER_ERROR(build_dataset(options), dir / "nowhere", "cannot read");
  options = good;
  options.tokenizer = "word";
  EXPECT_USER_ERROR(build_dataset(options), "--vocab is for --tokenizer wordpiece");
  options = good;
  options.format = "text";
  EXPECT_USER_ERROR(build_dataset(options), "wordpiece is for classification");
}

TEST(WordPiecePrepare, ADatasetWhoseVocabularyDisagreesIsRefused) {
  test::TempDir dir;
  Dataset dataset = build_dataset(wordpiece_options(dir));
  std::swap(dataset.vocabulary[0], dataset.vocabulary[1]);
  EXPECT_USER_ERROR(validate_dataset(dataset, "mem.h5"), "mem.h5", "attribute 'tokenizer'",
                    "pad token");
  dataset.attributes.erase("tokenizer");
  EXPECT_USER_ERROR(validate_dataset(dataset, "mem.h5"), "must start with");
}

}  // namespace
}  // namespace topiary::data
