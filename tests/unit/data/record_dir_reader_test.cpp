#include "data/record_dir_reader.h"

#include <gtest/gtest.h>

#include <map>

#include "test_support.h"

namespace topiary::data {
namespace {

std::map<std::string, int> counts_by_label(const RawCorpus& corpus) {
  std::map<std::string, int> counts;
  for (const auto& example : corpus.examples) ++counts[example.label];
  return counts;
}

TEST(SplitRecords, SeparatesOnDelimiterLinesOnly) {
  const auto records = split_records("%\none\n%\ntwo\nlines 50%\n%\n%\n\r\n  \n%\nlast", "%");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].text, "one");
  EXPECT_EQ(records[0].line, 2);
  EXPECT_EQ(records[1].text, "two\nlines 50%");
  EXPECT_EQ(records[1].line, 4);
  EXPECT_EQ(records[2].text, "\n  ");  // whitespace only: kept, the caller drops it as empty
  EXPECT_EQ(records[3].text, "last");
}

class RecordDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_file(dir_ / "zoo", "lion\n%\ntiger\n%\n");
    test::write_file(dir_ / "art", "paint\n%\nbrush\n%\ncanvas\n%\n");
    test::write_file(dir_ / "art.dat", std::string("\x01\x02\xff\x00", 4));
    std::filesystem::create_symlink("art", dir_ / "art.u8");
    std::filesystem::create_symlink("zoo", dir_ / "a-link-to-zoo");  // sorts first
    std::filesystem::create_directory(dir_ / "subdir");
    test::write_file(dir_ / "subdir/hidden", "x\n%\n");
  }
  test::TempDir dir_;
};

TEST_F(RecordDirTest, OneClassPerFileAndDuplicatesCountOnce) {
  RecordDirOptions options;
  options.exclude = {"*.dat"};
  const RawCorpus corpus = read_record_dir(dir_.path().string(), options);
  // a-link-to-zoo is reached first in sorted order, so zoo's records carry that name.
  EXPECT_EQ(counts_by_label(corpus),
            (std::map<std::string, int>{{"a-link-to-zoo", 2}, {"art", 3}}));
  ASSERT_EQ(corpus.files.size(), 2u);
  EXPECT_EQ(corpus.examples.front().text, "lion");
}

TEST_F(RecordDirTest, IncludeAndExcludeGlobs) {
  RecordDirOptions options;
  options.include = {"art*", "zoo"};
  options.exclude = {"*.dat", "*.u8"};
  const RawCorpus corpus = read_record_dir(dir_.path().string(), options);
  EXPECT_EQ(counts_by_label(corpus), (std::map<std::string, int>{{"art", 3}, {"zoo", 2}}));
}

TEST_F(RecordDirTest, BinaryFileIsAnEncodingError) {
  EXPECT_USER_ERROR(read_record_dir(dir_.path().string(), RecordDirOptions{}),
                    "art.dat:1:", "invalid UTF-8");
}

TEST_F(RecordDirTest, CustomDelimiter) {
  test::write_file(dir_ / "plays", "act one\n===\nact two\n");
  RecordDirOptions options;
  options.include = {"plays"};
  options.record_delimiter = "===";
  EXPECT_EQ(read_record_dir(dir_.path().string(), options).examples.size(), 2u);
}

TEST(RecordDir, ProblemsAreUserErrors) {
  EXPECT_USER_ERROR(read_record_dir("/nonexistent-dir", RecordDirOptions{}), "/nonexistent-dir",
                    "not a directory");
  test::TempDir dir;
  test::write_file(dir / "a", "%\n%\n");
  RecordDirOptions none;
  none.include = {"nothing*"};
  EXPECT_USER_ERROR(read_record_dir(dir.path().string(), none), "no regular file");
  EXPECT_USER_ERROR(read_record_dir(dir.path().string(), RecordDirOptions{}), "no examples");
}

TEST(RecordDir, RealFortunes) {
  RecordDirOptions options;
  options.exclude = {"*.dat", "*.u8"};
  const RawCorpus corpus = read_record_dir(test::fortunes_dir(), options);
  const auto counts = counts_by_label(corpus);
  EXPECT_GE(counts.size(), 30u);
  EXPECT_GE(counts.at("people"), 1000);  // 1251 in Debian 12 (fortunes 1:1.99.1)
  EXPECT_EQ(counts.count("art.u8"), 0u);

  // Without --exclude '*.u8' the symlinks still add nothing: each file counts once.
  RecordDirOptions only_dat_excluded;
  only_dat_excluded.exclude = {"*.dat"};
  EXPECT_EQ(read_record_dir(test::fortunes_dir(), only_dat_excluded).examples.size(),
            corpus.examples.size());
}

}  // namespace
}  // namespace topiary::data
