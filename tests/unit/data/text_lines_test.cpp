// TextLines: numbering from 1, CRLF handling, a last line without '\n', blank lines kept.
#include "data/text_lines.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace topiary::data {
namespace {

std::vector<std::pair<int64_t, std::string>> all_lines(std::string_view text, bool strip = true) {
  TextLines lines(text, strip);
  std::vector<std::pair<int64_t, std::string>> out;
  std::string_view line;
  while (lines.next(line)) out.emplace_back(lines.number(), std::string(line));
  return out;
}

TEST(TextLines, NumbersLinesAndStripsCarriageReturns) {
  using Lines = std::vector<std::pair<int64_t, std::string>>;
  EXPECT_EQ(all_lines("a\r\n\nb"), (Lines{{1, "a"}, {2, ""}, {3, "b"}}));
  EXPECT_EQ(all_lines("a\r\nb\n"), (Lines{{1, "a"}, {2, "b"}}));
  EXPECT_EQ(all_lines("a\r\nb\r", false), (Lines{{1, "a\r"}, {2, "b\r"}}));
  EXPECT_EQ(all_lines("\n"), (Lines{{1, ""}}));
  EXPECT_TRUE(all_lines("").empty());
}

}  // namespace
}  // namespace topiary::data
