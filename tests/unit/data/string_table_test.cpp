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

// One-byte keys take a separate path (a table indexed by the byte): every byte, NUL and 0xff
// included, is found, counted in size() and visited once.
TEST(StringTable, EveryOneByteKey) {
  StringTable<int64_t> table;
  for (int b = 0; b < 256; b += 2) table.find_or_insert(std::string(1, static_cast<char>(b)), b);
  table.find_or_insert("ab", -1);
  EXPECT_EQ(table.size(), 129u);
  for (int b = 0; b < 256; ++b) {
    const int64_t* found = table.find(std::string(1, static_cast<char>(b)));
    if (b % 2 == 0) {
      ASSERT_NE(found, nullptr) << b;
      EXPECT_EQ(*found, b);
    } else {
      EXPECT_EQ(found, nullptr) << b;
    }
  }
  std::map<std::string, int64_t> visited;
  table.for_each([&](std::string_view key, int64_t value) { visited.emplace(key, value); });
  EXPECT_EQ(visited.size(), 129u);
  EXPECT_EQ(visited[std::string(1, '\0')], 0);
  EXPECT_EQ(visited[std::string(1, '\xfe')], 254);
  EXPECT_EQ(visited["ab"], -1);
}

TEST(StringTable, HashDependsOnEveryByte) {
  EXPECT_NE(hash_bytes("ab"), hash_bytes("ba"));
  EXPECT_NE(hash_bytes(""), hash_bytes(std::string_view("\0", 1)));
  EXPECT_EQ(hash_bytes("token"), hash_bytes(std::string("token")));
}

// Keys of every length up to 20 that differ in one byte are different keys (the head word of a
// short key, and the rest of a long one, see every byte), with different hashes.
TEST(StringTable, KeysDifferingInOneByte) {
  StringTable<int> table;
  std::map<std::string, int> reference;
  for (size_t n = 0; n <= 20; ++n) {
    for (size_t at = 0; at < n; ++at) {
      std::string key(n, 'x');
      key[at] = 'y';
      EXPECT_NE(hash_bytes(key), hash_bytes(std::string(n, 'x'))) << n << " " << at;
      reference[key] = static_cast<int>(reference.size());
    }
    reference[std::string(n, 'x')] = static_cast<int>(reference.size());
  }
  for (const auto& [key, value] : reference) table.find_or_insert(key, value);
  EXPECT_EQ(table.size(), reference.size());
  for (const auto& [key, value] : reference) {
    ASSERT_NE(table.find(key), nullptr) << key;
    EXPECT_EQ(*table.find(key), value) << key;
  }
  EXPECT_EQ(table.find(std::string(21, 'x')), nullptr);
}

}  // namespace
}  // namespace topiary::data
