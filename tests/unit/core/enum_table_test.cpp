#include "core/enum_table.h"

#include <gtest/gtest.h>

namespace topiary {
namespace {

enum class Fruit { kApple, kPear, kPlum };
constexpr auto kFruits = make_enum_table<Fruit>({
    {Fruit::kPear, "pear"},
    {Fruit::kApple, "apple"},
    {Fruit::kPlum, "plum"},
});

TEST(EnumTable, ParsesExactNamesOnly) {
  static_assert(kFruits.parse("apple") == Fruit::kApple, "parse works at compile time");
  EXPECT_EQ(kFruits.parse("plum"), Fruit::kPlum);
  EXPECT_EQ(kFruits.parse("Plum"), std::nullopt);
  EXPECT_EQ(kFruits.parse(""), std::nullopt);
}

TEST(EnumTable, NamesEveryValue) {
  for (const Fruit f : {Fruit::kApple, Fruit::kPear, Fruit::kPlum}) {
    EXPECT_EQ(kFruits.parse(kFruits.name(f)), f);
  }
  EXPECT_EQ(kFruits.name(Fruit::kPear), "pear");
}

TEST(EnumTable, ListsNamesInTableOrder) {
  EXPECT_EQ(kFruits.names(), (std::vector<std::string>{"pear", "apple", "plum"}));
  EXPECT_EQ(kFruits.joined(), "pear, apple, plum");
}

}  // namespace
}  // namespace topiary
