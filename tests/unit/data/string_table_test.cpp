// StringTable: every inserted key is found with its value across growth, absent keys are not,
// keys may be empty or hold NUL and non-ASCII bytes, and for_each visits each entry once.
#include "data/string_table.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace topiary::data {
namespace {

TEST(StringTable, FindsEveryKeyAcrossGrowth) {
  StringTable<int64_t> table;
  std::map<std::string, int64_t> reference;
  for (int64_t i = 0; i < 20000; ++i) {
    const std::string key = "k" + std::to_string(i * 7919 % 5003);  // repeats: 5003 distinct
    table.find_or_insert(key, 0) += i;
    reference[key] += i;
  }
  EXPECT_EQ(table.size(), reference.size());
  for (const auto& [key, value] : reference) {
    const int64_t* found = table.find(key);
    ASSERT_NE(found, nullptr) << key;
    EXPECT_EQ(*found, value) << key;
  }
  EXPECT_EQ(table.find("k5003"), nullptr);
  EXPECT_EQ(table.find("k"), nullptr);
  std::map<std::string, int64_t> visited;
  table.for_each([&](std::string_view key, int64_t value) {
    EXPECT_TRUE(visited.emplace(std::string(key), value).second) << "visited twice: " << key;
  });
  EXPECT_EQ(visited, reference);
}

TEST(StringTable, OddKeys) {
  StringTable<int> table;
  EXPECT_EQ(table.find("anything"), nullptr);  // empty table
  const std::string with_nul("a\0b", 3);
  table.find_or_insert("", 1);
  table.find_or_insert(with_nul, 2);
  table.find_or_insert("a", 3);
  table.find_or_insert("\xc3\xa9t\xc3\xa9", 4);
  EXPECT_EQ(table.find_or_insert("a", 99), 3);  // present: the initial value is ignored
  ASSERT_NE(table.find(""), nullptr);
  EXPECT_EQ(*table.find(""), 1);
  EXPECT_EQ(*table.find(with_nul), 2);
  EXPECT_EQ(*table.find("\xc3\xa9t\xc3\xa9"), 4);
  EXPECT_EQ(table.find(std::string_view("a\0c", 3)), nullptr);
  EXPECT_EQ(table.size(), 4u);
}

TEST(StringTable, HashDependsOnEveryByte) {
  EXPECT_NE(hash_bytes("ab"), hash_bytes("ba"));
  EXPECT_NE(hash_bytes(""), hash_bytes(std::string_view("\0", 1)));
  EXPECT_EQ(hash_bytes("token"), hash_bytes(std::string("token")));
}

}  // namespace
}  // namespace topiary::data
