// Language-model datasets through build_dataset / prepare_dataset (--format text).
#include <gtest/gtest.h>

#include <algorithm>

#include "data/lm_tokenizer.h"
#include "data/prepare.h"
#include "data/vocabulary.h"
#include "test_support.h"

namespace topiary::data {
namespace {

PrepareOptions text_options(const std::string& input, const std::string& tokenizer) {
  PrepareOptions options;
  options.input = input;
  options.format = "text";
  options.tokenizer = tokenizer;
  options.valid_fraction = 0.1;
  options.seed = 1;
  return options;
}

std::string decode_chars(const Dataset& dataset, const TokenizedSplit& split, int64_t document) {
  std::string text;
  for (int64_t i = split.offsets[size_t(document)]; i < split.offsets[size_t(document) + 1]; ++i) {
    text += dataset.vocabulary[size_t(split.tokens[size_t(i)])];
  }
  return text;
}

TEST(LanguageModel, TinyShakespeareCharacterLevel) {
  const std::string input = test::data_file("tinyshakespeare/input.txt");
  PrepareSummary summary;
  const Dataset dataset = build_dataset(text_options(input, "char"), &summary);
  EXPECT_EQ(dataset.kind, kLanguageModelKind);
  // 32777 non-blank lines, split by documents: round(0.1 * 32777) = 3278 for validation.
  EXPECT_EQ(dataset.train.size() + dataset.valid.size(), 32777);
  EXPECT_EQ(dataset.valid.size(), 3278);
  EXPECT_EQ(dataset.train.tokens.size() + dataset.valid.tokens.size(), 1075394u);
  // 64 distinct characters (no newline: documents are lines); by count, then code point.
  EXPECT_LE(dataset.vocabulary.size(), 3u + 64u);
  EXPECT_GE(dataset.vocabulary.size(), 3u + 60u);
  EXPECT_EQ(dataset.vocabulary[2], "<eos>");
  EXPECT_EQ(dataset.vocabulary[3], " ");
  EXPECT_EQ(dataset.vocabulary[4], "e");
  EXPECT_EQ(dataset.vocabulary[5], "t");
  EXPECT_TRUE(dataset.label_names.empty());
  EXPECT_EQ(decode_chars(dataset, dataset.train, 0), "First Citizen:");
  EXPECT_EQ(dataset.attributes.at("tokenizer"), "char");
  EXPECT_EQ(dataset.attributes.at("separator_token"), "<eos>");
  EXPECT_EQ(dataset.attributes.at("document_unit"), "line");
  EXPECT_EQ(summary.valid_tokens, static_cast<int64_t>(dataset.valid.tokens.size()));
}

TEST(LanguageModel, WikiTextWordLevelRoundTrip) {
  test::TempDir dir;
  const std::string input = test::data_file("wikitext2/wiki.valid.tokens");
  PrepareOptions options = text_options(input, "word");
  options.output = dir / "wiki.h5";
  const PrepareSummary summary = prepare_dataset(options);
  const Dataset dataset = read_dataset(options.output);
  EXPECT_EQ(dataset.kind, kLanguageModelKind);
  EXPECT_EQ(dataset.train.size() + dataset.valid.size(), 2461);  // non-blank lines
  EXPECT_EQ(dataset.valid.size(), 246);
  EXPECT_EQ(summary.vocabulary_size, static_cast<int64_t>(dataset.vocabulary.size()));
  EXPECT_EQ(dataset.attributes.at("tokenizer"), "word,lowercase=true");
  EXPECT_GT(summary.valid_unknown_tokens, 0);  // words seen only in the validation documents
  const auto the = std::find(dataset.vocabulary.begin(), dataset.vocabulary.end(), "the");
  ASSERT_NE(the, dataset.vocabulary.end());
  EXPECT_LT(the - dataset.vocabulary.begin(), 6);  // among the most frequent tokens
  EXPECT_NE(format_summary(summary).find("documents: train 2215, valid 246"), std::string::npos)
      << format_summary(summary);
}

TEST(LanguageModel, ByteTokenizerUsesFixedIds) {
  test::TempDir dir;
  test::write_file(dir / "a.txt", "h\xc3\xa9\n\nab\nc\n");
  PrepareOptions options = text_options(dir / "a.txt", "byte");
  options.valid_path = dir / "a.txt";
  const Dataset dataset = build_dataset(options);
  EXPECT_EQ(dataset.vocabulary, byte_vocabulary());
  EXPECT_EQ(dataset.train.tokens,
            (std::vector<int32_t>{3 + 'h', 3 + 0xc3, 3 + 0xa9, 3 + 'a', 3 + 'b', 3 + 'c'}));
  EXPECT_EQ(dataset.train.offsets, (std::vector<int64_t>{0, 3, 5, 6}));
  EXPECT_EQ(dataset.attributes.at("tokenizer"), "byte");
}

TEST(LanguageModel, CharVocabularyTiesByCodePointAndMaxVocab) {
  test::TempDir dir;
  test::write_file(dir / "a.txt", "ba\xc3\xa9\nab\xc3\xa9\n");
  PrepareOptions options = text_options(dir / "a.txt", "char");
  options.valid_path = dir / "a.txt";
  EXPECT_EQ(build_dataset(options).vocabulary,
            (std::vector<std::string>{"<pad>", "<unk>", "<eos>", "a", "b", "\xc3\xa9"}));
  options.max_vocab = 5;
  EXPECT_EQ(build_dataset(options).vocabulary,
            (std::vector<std::string>{"<pad>", "<unk>", "<eos>", "a", "b"}));
}

TEST(LanguageModel, InvalidUtf8LinesSkippedAndCounted) {
  PrepareOptions options = text_options(test::fixture("invalid_utf8_lines.txt"), "char");
  options.valid_fraction = 0.4;
  EXPECT_USER_ERROR(build_dataset(options), "invalid_utf8_lines.txt:2:");
  options.on_bad = "skip";
  PrepareSummary summary;
  const Dataset dataset = build_dataset(options, &summary);
  EXPECT_EQ(summary.skipped_bad_records, 2);
  EXPECT_EQ(dataset.train.size() + dataset.valid.size(), 3);
  EXPECT_EQ(dataset.attributes.at("skipped_bad_records"), "2");
  EXPECT_NE(format_summary(summary).find("skipped 2 bad records"), std::string::npos);
}

TEST(LanguageModel, ClassificationFormatsRejectCharTokenizer) {
  PrepareOptions options;
  options.input = test::sst2_path("dev.tsv");
  options.tokenizer = "char";
  EXPECT_USER_ERROR(build_dataset(options), "--tokenizer 'char'", "--format text");
}

TEST(LanguageModel, OneDocumentCannotBeSplit) {
  test::TempDir dir;
  test::write_file(dir / "a.txt", "only one\n");
  EXPECT_USER_ERROR(build_dataset(text_options(dir / "a.txt", "char")), "--valid-fraction",
                    "leaves no training examples");
}

}  // namespace
}  // namespace topiary::data
