#include "data/delimited_reader.h"

#include <gtest/gtest.h>

#include <map>

#include "test_support.h"

namespace topiary::data {
namespace {

using test::fixture;

std::vector<std::vector<std::string>> csv_fields(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  for (auto& row : split_delimited(text, ',', true, "t.csv")) out.push_back(row.fields);
  return out;
}

TEST(SplitCsv, QuotedFieldsFollowRfc4180) {
  using Rows = std::vector<std::vector<std::string>>;
  EXPECT_EQ(csv_fields("a,b\n"), (Rows{{"a", "b"}}));
  EXPECT_EQ(csv_fields("\"x, y\",1\n"), (Rows{{"x, y", "1"}}));
  EXPECT_EQ(csv_fields("\"say \"\"hi\"\"\",2"), (Rows{{"say \"hi\"", "2"}}));
  EXPECT_EQ(csv_fields("\"\",3\r\n"), (Rows{{"", "3"}}));
  EXPECT_EQ(csv_fields("a,,c\n\n"), (Rows{{"a", "", "c"}}));  // empty field; blank line skipped
  EXPECT_EQ(csv_fields("it's 5\" tall,4\n"), (Rows{{"it's 5\" tall", "4"}}));  // bare quote kept
}

TEST(SplitCsv, MultiLineFieldKeepsLineNumbers) {
  const auto rows = split_delimited("h,l\n\"one\ntwo\",1\nnext,0\n", ',', true, "t.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].fields[0], "one\ntwo");
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[2].line, 4);
}

TEST(SplitCsv, MalformedQuotesAreUserErrors) {
  EXPECT_USER_ERROR(split_delimited("a,\"open\n", ',', true, "t.csv"), "t.csv:1:", "never closed");
  EXPECT_USER_ERROR(split_delimited("ok,1\n\"x\"y,1\n", ',', true, "t.csv"),
                    "t.csv:2:", "after a closing quote");
  EXPECT_USER_ERROR(read_delimited(fixture("unterminated.csv"),
                                   {',', true, true, "sentence", "label", Encoding::kUtf8}),
                    "unterminated.csv:2:");
}

TEST(SplitTsv, QuotesAreLiteral) {
  const auto rows = split_delimited("\"a\" b\t1\r\n", '\t', false, "t.tsv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"\"a\" b", "1"}));
}

TEST(ReadDelimited, ColumnsByNameOrIndex) {
  test::TempDir dir;
  test::write_file(dir / "d.csv", "id,label,text\n7,pos,\"good, really\"\n8, neg ,bad\n");
  DelimitedOptions options{',', true, true, "text", "label", Encoding::kUtf8};
  RawCorpus corpus = read_delimited(dir / "d.csv", options);
  ASSERT_EQ(corpus.examples.size(), 2u);
  EXPECT_EQ(corpus.examples[0].text, "good, really");
  EXPECT_EQ(corpus.examples[1].label, "neg");  // labels are trimmed
  EXPECT_EQ(corpus.examples[1].line, 3);

  options.text_column = "2";
  options.label_column = "1";
  EXPECT_EQ(read_delimited(dir / "d.csv", options).examples[0].text, "good, really");

  options.header = false;  // now the header row is an example
  corpus = read_delimited(dir / "d.csv", options);
  ASSERT_EQ(corpus.examples.size(), 3u);
  EXPECT_EQ(corpus.examples[0].text, "text");
  options.text_column = "text";
  EXPECT_USER_ERROR(read_delimited(dir / "d.csv", options), "'text'", "no header", "index");
}

TEST(ReadDelimited, MissingColumnNamesFileColumnAndExistingColumns) {
  EXPECT_USER_ERROR(read_delimited(fixture("missing_column.tsv"), DelimitedOptions{}),
                    "missing_column.tsv", "'sentence'", "'text', 'class'");
}

TEST(ReadDelimited, EmptyInputsHaveNoExamples) {
  EXPECT_USER_ERROR(read_delimited(fixture("empty.tsv"), DelimitedOptions{}), "empty.tsv",
                    "no examples");
  EXPECT_USER_ERROR(read_delimited(fixture("header_only.tsv"), DelimitedOptions{}),
                    "header_only.tsv", "no examples");
}

TEST(ReadDelimited, ShortRowNamesItsLine) {
  EXPECT_USER_ERROR(read_delimited(fixture("short_row.tsv"), DelimitedOptions{}),
                    "short_row.tsv:3:", "1 field");
}

TEST(ReadDelimited, RealSst2Train) {
  const std::string path = test::sst2_path("train.tsv");
  const RawCorpus corpus = read_delimited(path, DelimitedOptions{});
  ASSERT_EQ(corpus.examples.size(), 67349u);
  std::map<std::string, int> counts;
  for (const auto& example : corpus.examples) ++counts[example.label];
  EXPECT_EQ(counts, (std::map<std::string, int>{{"0", 29780}, {"1", 37569}}));
  EXPECT_EQ(corpus.examples[0].text, "hide new secretions from the parental units ");
  EXPECT_EQ(corpus.examples[0].line, 2);
}

}  // namespace
}  // namespace topiary::data

namespace topiary::data {
namespace {

TEST(DelimitedSkip, InvalidUtf8AndShortRowsAreSkippedAndCounted) {
  DelimitedOptions options;
  options.decode.on_bad = OnBad::kSkip;
  const RawCorpus bad_bytes = read_delimited(test::fixture("invalid_utf8.tsv"), options);
  EXPECT_EQ(bad_bytes.skipped, 1);
  ASSERT_EQ(bad_bytes.skipped_messages.size(), 1u);
  EXPECT_NE(bad_bytes.skipped_messages[0].find("invalid_utf8.tsv:3:"), std::string::npos);
  for (const RawExample& example : bad_bytes.examples) EXPECT_NE(example.line, 3);

  const RawCorpus short_row = read_delimited(test::fixture("short_row.tsv"), options);
  EXPECT_EQ(short_row.skipped, 1);
  EXPECT_NE(short_row.skipped_messages[0].find("short_row.tsv:3:"), std::string::npos);
}

TEST(DelimitedSkip, MultiLineCsvRecordTouchingABadLineIsSkipped) {
  test::TempDir dir;
  test::write_file(dir / "a.csv", "sentence,label\n\"two\nli\xffnes\",1\nok,0\n");
  DelimitedOptions options;
  options.delimiter = ',';
  options.quoting = true;
  options.decode.on_bad = OnBad::kSkip;
  const RawCorpus corpus = read_delimited(dir / "a.csv", options);
  EXPECT_EQ(corpus.skipped, 1);
  ASSERT_EQ(corpus.examples.size(), 1u);
  EXPECT_EQ(corpus.examples[0].text, "ok");
  EXPECT_EQ(corpus.examples[0].line, 4);
}

TEST(Gzip, CompressedTsvReadsLikeThePlainFile) {
  const RawCorpus corpus = read_delimited(test::fixture("rows.tsv.gz"), DelimitedOptions{});
  ASSERT_EQ(corpus.examples.size(), 200u);
  EXPECT_EQ(corpus.examples[1].text, "sentence number 1 is good");
  EXPECT_EQ(corpus.examples[1].label, "1");
}

}  // namespace
}  // namespace topiary::data
