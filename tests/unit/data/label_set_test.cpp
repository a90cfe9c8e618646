#include "data/label_set.h"

#include <gtest/gtest.h>

namespace topiary::data {
namespace {

using Names = std::vector<std::string>;

TEST(LabelSet, IntegersSortNumerically) {
  EXPECT_EQ(sorted_label_names({"10", "2", "1", "2", "-3"}), (Names{"-3", "1", "2", "10"}));
}

TEST(LabelSet, OtherNamesSortByteWise) {
  EXPECT_EQ(sorted_label_names({"pos", "neg", "10", "2", "neg"}), (Names{"10", "2", "neg", "pos"}));
}

}  // namespace
}  // namespace topiary::data
