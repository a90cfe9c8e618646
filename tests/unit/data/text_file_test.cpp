#include "data/text_file.h"

#include <gtest/gtest.h>

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
