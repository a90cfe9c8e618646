#include "data/prepare.h"

#include <gtest/gtest.h>

#include "data/vocabulary.h"
#include "test_support.h"

namespace topiary::data {
namespace {

// A small topic corpus: 3 classes with 6, 5 and 1 records.
void make_topic_dir(const test::TempDir& dir) {
  std::filesystem::create_directories(dir / "topics");
  test::write_file(dir / "topics/cats",
                   "The cat sat.\n%\nCats purr!\n%\nA cat, a mat.\n%\ncat cat\n%\nkitten\n%\n"
                   "   \n%\n");
  test::write_file(dir / "topics/dogs", "Dogs bark.\n%\ndog\n%\nA dog!\n%\npuppy\n%\nwoof\n%\n");
  test::write_file(dir / "topics/fish", "blub\n%\n");
  test::write_file(dir / "topics/fish.dat", std::string("\x00\xff", 2));
}

PrepareOptions topic_options(const test::TempDir& dir) {
  PrepareOptions options;
  options.input = dir / "topics";
  options.format = "dir";
  options.exclude = {"*.dat"};
  options.min_records = 2;
  options.valid_fraction = 0.25;
  options.seed = 3;
  options.output = dir / "topics.h5";
  return options;
}

TEST(Prepare, DirFormatDropsRareClassesAndEmptyRecords) {
  test::TempDir dir;
  make_topic_dir(dir);
  PrepareSummary summary;
  const Dataset dataset = build_dataset(topic_options(dir), &summary);
  EXPECT_EQ(dataset.label_names, (std::vector<std::string>{"cats", "dogs"}));
  EXPECT_EQ(summary.dropped_classes, std::vector<std::string>{"fish"});
  EXPECT_EQ(summary.dropped_class_records, 1);
  EXPECT_EQ(summary.dropped_empty, 1);  // the whitespace-only cats record
  // 11 records of kept classes; round(11 * 0.25) = 3 go to validation, one of 11 is empty.
  EXPECT_EQ(dataset.train.size() + dataset.valid.size(), 10);
  EXPECT_EQ(dataset.vocabulary[kPadId], "<pad>");
  EXPECT_EQ(dataset.vocabulary[kUnkId], "<unk>");
  validate_dataset(dataset, "in memory");
}

TEST(Prepare, SameSeedSameDatasetOtherSeedOtherSplit) {
  test::TempDir dir;
  make_topic_dir(dir);
  PrepareOptions options = topic_options(dir);
  const Dataset a = build_dataset(options);
  const Dataset b = build_dataset(options);
  EXPECT_EQ(a.train.tokens, b.train.tokens);
  EXPECT_EQ(a.valid.labels, b.valid.labels);
  EXPECT_EQ(a.vocabulary, b.vocabulary);
  bool any_differs = false;
  for (uint64_t seed = 4; seed < 12 && !any_differs; ++seed) {
    options.seed = seed;
    any_differs = build_dataset(options).valid.tokens != a.valid.tokens;
  }
  EXPECT_TRUE(any_differs);
}

TEST(Prepare, VocabularyComesFromTrainOnly) {
  test::TempDir dir;
  test::write_file(dir / "train.tsv", "sentence\tlabel\nthe cat\tA\nthe dog\tB\n");
  test::write_file(dir / "valid.tsv", "sentence\tlabel\nthe zebra\tB\n");
  PrepareOptions options;
  options.input = dir / "train.tsv";
  options.valid_path = dir / "valid.tsv";
  PrepareSummary summary;
  const Dataset dataset = build_dataset(options, &summary);
  EXPECT_EQ(dataset.vocabulary, (std::vector<std::string>{"<pad>", "<unk>", "the", "cat", "dog"}));
  EXPECT_EQ(dataset.valid.tokens, (std::vector<int32_t>{2, kUnkId}));
  EXPECT_EQ(dataset.valid.labels, std::vector<int32_t>{1});
  EXPECT_EQ(summary.valid_unknown_tokens, 1);
  EXPECT_EQ(dataset.attributes.at("valid_source"), dir / "valid.tsv");
  EXPECT_EQ(dataset.attributes.at("train_source_sha256").size(), 64u);
}

TEST(Prepare, UnknownValidationLabelNamesFileAndLine) {
  test::TempDir dir;
  test::write_file(dir / "train.csv", "sentence,label\ngood,pos\nbad,neg\n");
  test::write_file(dir / "valid.csv", "sentence,label\nfine,pos\n\"meh, really\",neutral\n");
  PrepareOptions options;
  options.format = "csv";
  options.input = dir / "train.csv";
  options.valid_path = dir / "valid.csv";
  EXPECT_USER_ERROR(build_dataset(options), "valid.csv:3:", "'neutral'", "'neg', 'pos'");
}

TEST(Prepare, MaxLengthTruncates) {
  test::TempDir dir;
  test::write_file(dir / "t.tsv", "sentence\tlabel\na b c d\t0\ne\t1\nf g\t0\nh\t1\n");
  PrepareOptions options;
  options.input = dir / "t.tsv";
  options.max_length = 2;
  options.valid_fraction = 0.25;
  PrepareSummary summary;
  const Dataset dataset = build_dataset(options, &summary);
  EXPECT_EQ(summary.truncated_examples, 1);
  for (const TokenizedSplit* split : {&dataset.train, &dataset.valid}) {
    for (int64_t i = 0; i < split->size(); ++i) {
      EXPECT_LE(split->offsets[static_cast<size_t>(i) + 1] - split->offsets[static_cast<size_t>(i)],
                2);
    }
  }
}

TEST(Prepare, OptionErrorsAreUserErrors) {
  PrepareOptions options;
  EXPECT_USER_ERROR(build_dataset(options), "--input");
  options.input = test::fixture("latin1.tsv");
  options.format = "parquet";
  EXPECT_USER_ERROR(build_dataset(options), "'parquet'", "tsv, csv, dir");
  options.format = "tsv";
  options.encoding = "latin-1";
  options.min_records = 5;
  EXPECT_USER_ERROR(build_dataset(options), "latin1.tsv", "--min-records", "0=1, 1=1");
  PrepareOptions no_output;
  no_output.input = "x";
  EXPECT_USER_ERROR(prepare_dataset(no_output), "--output");
}

TEST(Prepare, EndToEndWritesAReadableFile) {
  test::TempDir dir;
  make_topic_dir(dir);
  const PrepareOptions options = topic_options(dir);
  const PrepareSummary summary = prepare_dataset(options);
  const Dataset dataset = read_dataset(options.output);
  EXPECT_EQ(dataset.train.size(), summary.train_examples);
  EXPECT_EQ(dataset.attributes.at("source_format"), "dir");
  EXPECT_EQ(dataset.attributes.at("tokenizer"), "word,lowercase=true");
  const std::string text = format_summary(summary);
  EXPECT_NE(text.find("classes: 2"), std::string::npos) << text;
  EXPECT_NE(text.find("1 empty examples"), std::string::npos) << text;
}

TEST(Prepare, RealSst2WithDevAsValidation) {
  const std::string train = test::sst2_path("train.tsv");
  PrepareOptions options;
  options.input = train;
  options.valid_path = test::sst2_path("dev.tsv");
  PrepareSummary summary;
  const Dataset dataset = build_dataset(options, &summary);
  EXPECT_EQ(dataset.label_names, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(dataset.train.size() + summary.dropped_empty, 67349);
  EXPECT_EQ(dataset.valid.size(), 872);
  EXPECT_GT(dataset.vocabulary.size(), 10000u);
  EXPECT_EQ(dataset.attributes.at("train_source_sha256"),
            "48eac26399f8456935f81dd9e3a745c1430adb6c62e233ccfe22db4a0d15d1d1");
  EXPECT_LT(summary.valid_unknown_tokens * 20, summary.valid_tokens);  // under 5% <unk>
}

TEST(Prepare, RealFortunesTopics) {
  PrepareOptions options;
  options.input = test::fortunes_dir();
  options.format = "dir";
  options.exclude = {"*.dat", "*.u8"};
  options.min_records = 600;
  PrepareSummary summary;
  const Dataset dataset = build_dataset(options, &summary);
  EXPECT_GE(dataset.label_names.size(), 6u);
  EXPECT_LE(dataset.label_names.size(), 10u);
  EXPECT_NE(std::find(dataset.label_names.begin(), dataset.label_names.end(), "computers"),
            dataset.label_names.end());
  EXPECT_GT(dataset.valid.size(), 500);
}

}  // namespace
}  // namespace topiary::data

namespace topiary::data {
namespace {

TEST(PrepareJsonl, NestedLabelsThroughBuildDataset) {
  PrepareOptions options;
  options.input = test::fixture("good.jsonl");
  options.format = "jsonl";
  options.label_column = "meta.label";
  options.valid_path = test::fixture("good.jsonl");
  const Dataset dataset = build_dataset(options);
  EXPECT_EQ(dataset.label_names, (std::vector<std::string>{"neg", "pos"}));
  EXPECT_EQ(dataset.train.labels, (std::vector<int32_t>{1, 0, 1, 0}));
  EXPECT_EQ(dataset.attributes.at("text_column"), "text");
  EXPECT_EQ(dataset.attributes.at("label_column"), "meta.label");
  EXPECT_EQ(dataset.attributes.at("source_format"), "jsonl");
}

TEST(PrepareJsonl, BadLineSkippedAndCountedInTheSummary) {
  PrepareOptions options;
  options.input = test::fixture("bad_json.jsonl");
  options.format = "jsonl";
  options.valid_fraction = 0.25;
  EXPECT_USER_ERROR(build_dataset(options), "bad_json.jsonl:3:", "invalid JSON");
  options.on_bad = "skip";
  PrepareSummary summary;
  const Dataset dataset = build_dataset(options, &summary);
  EXPECT_EQ(summary.skipped_bad_records, 1);
  EXPECT_EQ(dataset.train.size() + dataset.valid.size(), 4);
  EXPECT_NE(format_summary(summary).find("skipped 1 bad records"), std::string::npos);
  EXPECT_NE(format_summary(summary).find("bad_json.jsonl:3:"), std::string::npos);
  options.on_bad = "maybe";
  EXPECT_USER_ERROR(build_dataset(options), "--on-bad 'maybe'", "error, skip");
}

TEST(PrepareGzip, CompressedTsvAndTruncatedGzip) {
  PrepareOptions options;
  options.input = test::fixture("rows.tsv.gz");
  PrepareSummary summary;
  build_dataset(options, &summary);
  EXPECT_EQ(summary.train_examples + summary.valid_examples, 200);
  options.input = test::fixture("truncated.tsv.gz");
  EXPECT_USER_ERROR(build_dataset(options), "truncated.tsv.gz", "truncated gzip file");
}

TEST(PrepareSkip, InvalidUtf8TsvRowIsSkippedWithCount) {
  PrepareOptions options;
  options.input = test::fixture("invalid_utf8.tsv");
  options.valid_path = test::sst2_path("dev.tsv");
  options.on_bad = "skip";
  PrepareSummary summary;
  EXPECT_USER_ERROR(build_dataset(options, &summary), "only 1 class");  // the bad row was a "0"
}

}  // namespace
}  // namespace topiary::data
