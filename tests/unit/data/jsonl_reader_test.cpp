#include "data/jsonl_reader.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace topiary::data {
namespace {

using test::fixture;

JsonlOptions nested() {
  JsonlOptions options;
  options.label_column = "meta.label";
  return options;
}

TEST(Jsonl, ReadsDottedPathsAndSkipsBlankLines) {
  const RawCorpus corpus = read_jsonl(fixture("good.jsonl"), nested());
  ASSERT_EQ(corpus.examples.size(), 4u);
  EXPECT_EQ(corpus.examples[0].text, "a fine film");
  EXPECT_EQ(corpus.examples[0].label, "pos");
  EXPECT_EQ(corpus.examples[1].label, "neg");
  EXPECT_EQ(corpus.examples[2].line, 4);  // line 3 is blank
  EXPECT_EQ(corpus.skipped, 0);
}

TEST(Jsonl, KeyWithADotIsMatchedWhole) {
  test::TempDir dir;
  test::write_file(dir / "a.jsonl", "{\"text\": \"x\", \"meta.label\": 1, \"meta\": {}}\n");
  const RawCorpus corpus = read_jsonl(dir / "a.jsonl", nested());
  ASSERT_EQ(corpus.examples.size(), 1u);
  EXPECT_EQ(corpus.examples[0].label, "1");  // an integer label, in its JSON spelling
}

TEST(Jsonl, BadJsonNamesFileAndLine) {
  EXPECT_USER_ERROR(read_jsonl(fixture("bad_json.jsonl"), JsonlOptions{}),
                    "bad_json.jsonl:3:", "invalid JSON");
}

TEST(Jsonl, BadJsonIsSkippedAndCounted) {
  JsonlOptions options;
  options.decode.on_bad = OnBad::kSkip;
  const RawCorpus corpus = read_jsonl(fixture("bad_json.jsonl"), options);
  EXPECT_EQ(corpus.examples.size(), 4u);
  EXPECT_EQ(corpus.skipped, 1);
  ASSERT_EQ(corpus.skipped_messages.size(), 1u);
  EXPECT_NE(corpus.skipped_messages[0].find("bad_json.jsonl:3:"), std::string::npos);
  EXPECT_EQ(corpus.examples[2].line, 4);
}

TEST(Jsonl, MissingFieldListsTheKeys) {
  EXPECT_USER_ERROR(read_jsonl(fixture("missing_field.jsonl"), JsonlOptions{}),
                    "missing_field.jsonl:2:", "no field 'label'", "'class'", "--label-column");
  EXPECT_USER_ERROR(read_jsonl(fixture("good.jsonl"), JsonlOptions{}),
                    "good.jsonl:1:", "no field 'label'", "'meta'");
  JsonlOptions deep;
  deep.label_column = "meta.class";
  EXPECT_USER_ERROR(read_jsonl(fixture("good.jsonl"), deep), "'meta' has no key 'class'");
}

TEST(Jsonl, NonStringTextIsAnError) {
  EXPECT_USER_ERROR(read_jsonl(fixture("non_string_text.jsonl"), JsonlOptions{}),
                    "non_string_text.jsonl:2:", "text field 'text' is number", "expected a string");
  JsonlOptions skip;
  skip.decode.on_bad = OnBad::kSkip;
  EXPECT_EQ(read_jsonl(fixture("non_string_text.jsonl"), skip).skipped, 1);
}

TEST(Jsonl, NotAnObjectAndAllBad) {
  test::TempDir dir;
  test::write_file(dir / "a.jsonl", "[1, 2]\n");
  EXPECT_USER_ERROR(read_jsonl(dir / "a.jsonl", JsonlOptions{}),
                    "a.jsonl:1:", "expected a JSON object, got array");
  JsonlOptions skip;
  skip.decode.on_bad = OnBad::kSkip;
  EXPECT_USER_ERROR(read_jsonl(dir / "a.jsonl", skip), "no examples", "1 bad records skipped");
}

}  // namespace
}  // namespace topiary::data
