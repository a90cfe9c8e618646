#include "data/document_reader.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace topiary::data {
namespace {

TEST(Documents, OnePerNonBlankLine) {
  test::TempDir dir;
  test::write_file(dir / "a.txt", "first\r\n\n  \nsecond line \nthird");
  const RawCorpus corpus = read_documents(dir / "a.txt", DocumentOptions{});
  ASSERT_EQ(corpus.examples.size(), 3u);
  EXPECT_EQ(corpus.examples[0].text, "first");
  EXPECT_EQ(corpus.examples[1].text, "second line ");
  EXPECT_EQ(corpus.examples[1].line, 4);
  EXPECT_EQ(corpus.examples[2].label, "");
}

TEST(Documents, InvalidUtf8LinesAreAnErrorOrSkipped) {
  EXPECT_USER_ERROR(read_documents(test::fixture("invalid_utf8_lines.txt"), DocumentOptions{}),
                    "invalid_utf8_lines.txt:2:", "invalid UTF-8");
  DocumentOptions skip;
  skip.decode.on_bad = OnBad::kSkip;
  const RawCorpus corpus = read_documents(test::fixture("invalid_utf8_lines.txt"), skip);
  EXPECT_EQ(corpus.skipped, 2);
  ASSERT_EQ(corpus.examples.size(), 3u);
  EXPECT_EQ(corpus.examples[1].text, "third document");
}

TEST(Documents, OnePerFile) {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "docs");
  test::write_file(dir / "docs/b.txt", "second\ndocument\n");
  test::write_file(dir / "docs/a.txt", "first");
  test::write_file(dir / "docs/blank.txt", " \n");
  test::write_file(dir / "docs/skip.md", "not me");
  DocumentOptions options;
  options.document_per_file = true;
  options.include = {"*.txt"};
  const RawCorpus corpus = read_documents(dir / "docs", options);
  ASSERT_EQ(corpus.examples.size(), 2u);
  EXPECT_EQ(corpus.examples[0].text, "first");
  EXPECT_EQ(corpus.examples[1].text, "second\ndocument\n");
  EXPECT_EQ(corpus.files.size(), 3u);
  EXPECT_USER_ERROR(read_documents(dir / "docs/a.txt", options), "not a directory",
                    "--document-per-file");
}

TEST(Documents, EmptyInputIsAnError) {
  EXPECT_USER_ERROR(read_documents(test::fixture("empty.tsv"), DocumentOptions{}), "empty.tsv",
                    "no examples");
}

}  // namespace
}  // namespace topiary::data
