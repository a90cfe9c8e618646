#include "data/text_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "test_support.h"

namespace topiary::data {
namespace {

using test::fixture;

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_EQ(find_invalid_utf8("plain ascii"), std::nullopt);
  EXPECT_EQ(find_invalid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), std::nullopt);
}

TEST(Utf8, FindsTheFirstBadByte) {
  EXPECT_EQ(find_invalid_utf8("ab\xff"), 2u);
  EXPECT_EQ(find_invalid_utf8("a\xc3"), 1u);              // truncated sequence
  EXPECT_EQ(find_invalid_utf8("a\xc0\xaf"), 1u);          // overlong '/'
  EXPECT_EQ(find_invalid_utf8("\xed\xa0\x80"), 0u);       // UTF-16 surrogate
  EXPECT_EQ(find_invalid_utf8("x\xf4\x90\x80\x80"), 1u);  // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("ok\xe2\x82"), 2u);
}

TEST(Utf8, Latin1ConvertsToUtf8) {
  EXPECT_EQ(latin1_to_utf8("caf\xe9"), "caf\xc3\xa9");
  EXPECT_EQ(latin1_to_utf8("\xff"), "\xc3\xbf");
}

TEST(ReadTextFile, InvalidUtf8NamesFileLineAndOffset) {
  EXPECT_USER_ERROR(read_text_file(fixture("invalid_utf8.tsv"), Encoding::kUtf8),
                    "invalid_utf8.tsv:3:", "0xff", "byte offset 31", "column 5", "latin-1");
}

TEST(ReadTextFile, Latin1OptionConverts) {
  const std::string text = read_text_file(fixture("latin1.tsv"), Encoding::kLatin1);
  EXPECT_NE(text.find("caf\xc3\xa9 cr\xc3\xa8me"), std::string::npos);
  EXPECT_USER_ERROR(read_text_file(fixture("latin1.tsv"), Encoding::kUtf8), "latin1.tsv:2:");
}

TEST(ReadTextFile, MissingFileAndDirectoryAreUserErrors) {
  EXPECT_USER_ERROR(read_text_file("/nonexistent/x.tsv", Encoding::kUtf8), "/nonexistent/x.tsv",
                    "no such file");
  EXPECT_USER_ERROR(read_text_file("/tmp", Encoding::kUtf8), "/tmp", "directory");
}

TEST(ReadTextFile, DropsByteOrderMark) {
  test::TempDir dir;
  test::write_file(dir / "bom.txt", "\xEF\xBB\xBFhello");
  EXPECT_EQ(read_text_file(dir / "bom.txt", Encoding::kUtf8), "hello");
}

TEST(Encoding, ParsesKnownNamesAndListsThemOtherwise) {
  EXPECT_EQ(parse_encoding("UTF-8"), Encoding::kUtf8);
  EXPECT_EQ(parse_encoding("latin1"), Encoding::kLatin1);
  EXPECT_EQ(parse_encoding("ISO-8859-1"), Encoding::kLatin1);
  EXPECT_USER_ERROR(parse_encoding("ebcdic"), "ebcdic", "utf-8", "latin-1");
}

}  // namespace
}  // namespace topiary::data

namespace topiary::data {
namespace {

TEST(Gzip, ReadsCompressedInputByMagicBytes) {
  const std::string text = read_text_file(test::fixture("rows.tsv.gz"), Encoding::kUtf8);
  EXPECT_EQ(text.rfind("sentence\tlabel\nsentence number 0 is bad\t0\n", 0), 0u);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 201);
}

TEST(Gzip, ConcatenatedMembersAreOneStream) {
  test::TempDir dir;
  std::string both = read_input_bytes(test::fixture("rows.tsv.gz"));  // decompressed
  std::ifstream in(test::fixture("rows.tsv.gz"), std::ios::binary);
  const std::string member((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  test::write_file(dir / "two.gz", member + member);
  EXPECT_EQ(read_input_bytes(dir / "two.gz"), both + both);
}

TEST(Gzip, TruncatedFileIsAnErrorNamingIt) {
  EXPECT_USER_ERROR(read_text_file(test::fixture("truncated.tsv.gz"), Encoding::kUtf8),
                    "truncated.tsv.gz", "truncated gzip file");
}

TEST(Gzip, CorruptFileIsAnError) {
  test::TempDir dir;
  test::write_file(dir / "bad.gz", std::string("\x1f\x8b\x08\x00garbage-garbage-garbage", 27));
  EXPECT_USER_ERROR(read_input_bytes(dir / "bad.gz"), "bad.gz", "gzip");
}

TEST(Utf8Skip, BadBytesBecomeReplacementCharactersAndLinesAreListed) {
  const DecodedText decoded =
      read_text(test::fixture("invalid_utf8_lines.txt"), Encoding::kUtf8, OnBad::kSkip);
  EXPECT_EQ(decoded.bad_lines, (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(find_invalid_utf8(decoded.text), std::nullopt);
  EXPECT_NE(decoded.text.find("second \xEF\xBF\xBD document"), std::string::npos);
  EXPECT_NE(decoded.first_error.find("invalid_utf8_lines.txt:2:"), std::string::npos);
  EXPECT_TRUE(decoded.has_bad_line(1, 2));
  EXPECT_FALSE(decoded.has_bad_line(3, 4));
  EXPECT_USER_ERROR(
      read_text(test::fixture("invalid_utf8_lines.txt"), Encoding::kUtf8, OnBad::kError),
      "invalid_utf8_lines.txt:2:", "0xff", "byte offset 22", "column 8");
}

}  // namespace
}  // namespace topiary::data
