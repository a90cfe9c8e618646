#include "io/checkpoint_file.h"

#include <H5Cpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "../written_later.h"
#include "io/hdf5_util.h"

namespace topiary::io {
namespace {

namespace fs = std::filesystem;

class CheckpointFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::path(::testing::TempDir()) / ("topiary_checkpoint_file_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  fs::path dir_;
};

CheckpointContents small_checkpoint() {
  CheckpointContents contents;
  contents.weights = {{"fc.weight", {2, 3}, {1, -2, 3, 0, 5, -6}}, {"fc.bias", {2}, {0.5f, 0}}};
  contents.masks = {{"fc.weight", {2, 3}, {1, 1, 1, 0, 1, 1}}};
  contents.optimizer = {{"fc.weight:exp_avg", {2, 3}, {0, 0, 0, 0, 0, 0}}};
  contents.blobs = {{"rng", {1, 2, 3}}};
  contents.attributes = {{"step", "12"}};
  return contents;
}

// HDF5 stamps objects with their write time unless told not to.
TEST_F(CheckpointFileTest, SameContentsWrittenLaterAreByteIdentical) {
  EXPECT_TRUE(test::written_later_is_byte_identical(
      path("first.h5"), path("second.h5"),
      [](const std::string& file) { write_checkpoint(file, small_checkpoint()); }));
  const CheckpointContents read = read_checkpoint(path("second.h5"));
  ASSERT_EQ(read.weights.size(), 2u);  // read back in name order
  EXPECT_EQ(read.weights[1].name, "fc.weight");
  EXPECT_EQ(read.weights[1].values, small_checkpoint().weights[0].values);
  EXPECT_EQ(read.blobs.at("rng"), small_checkpoint().blobs.at("rng"));
}

TEST_F(CheckpointFileTest, UntimedObjectsCarryNoTimes) {
  {
    H5::H5File file(path("untimed.h5"), H5F_ACC_TRUNC);
    H5::Group group = create_untimed_group(file, "g");
    write_int32_array(group, "numbers", {1, 2, 3});
    write_string_array(group, "words", {"a", "b"});
  }
  const H5::H5File file(path("untimed.h5"), H5F_ACC_RDONLY);
  for (const char* object : {"/g", "/g/numbers", "/g/words"}) {
    H5O_info_t info;
    ASSERT_GE(H5Oget_info_by_name(file.getId(), object, &info, H5P_DEFAULT), 0) << object;
    EXPECT_EQ(info.ctime, 0) << object;
    EXPECT_EQ(info.mtime, 0) << object;
  }
  // The group stays usable after its creation list and our handle are gone.
  EXPECT_EQ(read_int32_array(file.openGroup("g"), "numbers"), (std::vector<int32_t>{1, 2, 3}));
}

}  // namespace
}  // namespace topiary::io
