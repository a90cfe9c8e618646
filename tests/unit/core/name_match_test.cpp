#include "core/name_match.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace topiary {
namespace {

TEST(GlobMatch, StarAndQuestionMark) {
  EXPECT_TRUE(glob_match("convs.*.weight", "convs.0.weight"));
  EXPECT_TRUE(glob_match("convs.*.weight", "convs.12.weight"));
  EXPECT_FALSE(glob_match("convs.*.weight", "convs.0.bias"));
  EXPECT_TRUE(glob_match("*", "anything.at.all"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("fc.?eight", "fc.weight"));
  EXPECT_FALSE(glob_match("fc.?eight", "fc.eight"));
  EXPECT_TRUE(glob_match("*.weight", "embedding.weight"));
  EXPECT_TRUE(glob_match("a*b*c", "aXbYbZc"));  // needs backtracking
  EXPECT_FALSE(glob_match("a*b*c", "aXbYbZ"));
}

TEST(GlobMatch, MatchesWholeNameOnly) {
  EXPECT_FALSE(glob_match("fc", "fc.weight"));
  EXPECT_FALSE(glob_match("weight", "fc.weight"));
  EXPECT_TRUE(glob_match("fc.weight", "fc.weight"));
  EXPECT_FALSE(glob_match("fc.weight", "fcXweight"));  // '.' is a literal dot in a glob
}

TEST(NameMatches, RegexAfterPrefixMatchesWholeName) {
  EXPECT_TRUE(name_matches("re:convs\\.[0-9]+\\.weight", "convs.10.weight"));
  EXPECT_FALSE(name_matches("re:convs\\.[0-9]+\\.weight", "convs.x.weight"));
  EXPECT_FALSE(name_matches("re:conv", "convs.0.weight"));
  EXPECT_TRUE(name_matches("re:.*bias", "fc.bias"));
  EXPECT_TRUE(name_matches("re:(fc|embedding)\\.weight", "embedding.weight"));
}

TEST(NameMatches, WithoutPrefixIsAGlob) {
  EXPECT_TRUE(name_matches("convs.*", "convs.0.bias"));
  EXPECT_FALSE(name_matches("[a-z]+", "fc"));  // brackets are literal in globs
}

TEST(NameMatches, BadRegexIsAUserError) {
  try {
    name_matches("re:convs.(", "convs.0");
    FAIL() << "accepted a bad regex";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("'re:convs.(' is not a valid regular expression", 0), 0u)
        << e.what();
  }
}

}  // namespace
}  // namespace topiary
