// hf/safetensors: a round trip keeps names, shapes and values; F16/BF16/I64 read back; and a
// truncated file, an offset past the end, an unsupported dtype or a size that does not match
// the shape is a UserError naming the file and tensor, never a read past the end.
#include "hf/safetensors.h"

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace topiary::hf {
namespace {

class SafetensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("topiary-safetensors-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A file with this header JSON and `data_bytes` zero bytes of data.
  std::string write_raw(const std::string& header, size_t data_bytes) {
    const std::string path = (dir_ / "raw.safetensors").string();
    std::ofstream out(path, std::ios::binary);
    const uint64_t length = header.size();
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((length >> (8 * i)) & 0xff));
    out << header << std::string(data_bytes, '\0');
    return path;
  }

  void expect_error(const std::string& path, const std::string& expected) {
    try {
      read_safetensors(path);
      FAIL() << "no error for " << expected;
    } catch (const UserError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(path), std::string::npos) << message;
      EXPECT_NE(message.find(expected), std::string::npos) << message;
    }
  }

  std::filesystem::path dir_;
};

TEST_F(SafetensorsTest, RoundTripKeepsNamesShapesAndValues) {
  const std::string path = (dir_ / "t.safetensors").string();
  const torch::Tensor a = torch::randn({3, 5});
  const torch::Tensor b = torch::arange(7, torch::kFloat);
  write_safetensors(path, {{"a.weight", a}, {"b", b}}, {{"format", "pt"}});
  const auto read = read_safetensors(path);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_TRUE(torch::equal(read.at("a.weight"), a));
  EXPECT_TRUE(torch::equal(read.at("b"), b));
  EXPECT_EQ(std::filesystem::file_size(path) % 4, 0u);  // 8-byte aligned header, float data
}

TEST_F(SafetensorsTest, HalfBfloatAndIntegerTensorsReadBack) {
  // 1.5 in F16 is 0x3E00, in BF16 0x3FC0; I64 7.
  const std::string header =
      R"({"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},)"
      R"("b":{"dtype":"BF16","shape":[1],"data_offsets":[2,4]},)"
      R"("i":{"dtype":"I64","shape":[1],"data_offsets":[4,12]},"__metadata__":{"x":"y"}})";
  const std::string path = write_raw(header, 0);
  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    const unsigned char data[] = {0x00, 0x3E, 0xC0, 0x3F, 7, 0, 0, 0, 0, 0, 0, 0};
    out.write(reinterpret_cast<const char*>(data), sizeof(data));
  }
  const auto read = read_safetensors(path);
  EXPECT_EQ(read.at("h").item<float>(), 1.5f);
  EXPECT_EQ(read.at("b").item<float>(), 1.5f);
  EXPECT_EQ(read.at("i").item<int64_t>(), 7);
  EXPECT_EQ(read.at("i").scalar_type(), torch::kLong);
}

TEST_F(SafetensorsTest, TruncatedFileIsRefused) {
  const std::string path = (dir_ / "t.safetensors").string();
  write_safetensors(path, {{"w", torch::ones({100})}});
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 10);
  expect_error(path, "tensor 'w': data_offsets [0, 400] lie outside");
  std::filesystem::resize_file(path, 20);
  expect_error(path, "runs past the end of the file");
  std::filesystem::resize_file(path, 4);
  expect_error(path, "shorter than 8 bytes");
}

TEST_F(SafetensorsTest, OffsetPastTheEndIsRefused) {
  expect_error(write_raw(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", 8),
               "tensor 'w': data_offsets [8, 16] lie outside the 8 data bytes");
  expect_error(write_raw(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8),
               "tensor 'w': data_offsets [8, 0]");
}

TEST_F(SafetensorsTest, UnsupportedDtypeIsRefused) {
  expect_error(write_raw(R"({"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})", 2),
               "tensor 'w': dtype 'F8_E4M3' is not supported");
}

TEST_F(SafetensorsTest, SizeThatDoesNotMatchTheShapeIsRefused) {
  expect_error(write_raw(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8),
               "tensor 'w': shape and dtype need 12 bytes, data_offsets give 8");
  expect_error(write_raw(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}})", 8),
               "an impossible number of");
}

TEST_F(SafetensorsTest, HeaderThatIsNotJsonIsRefused) {
  expect_error(write_raw("{not json", 0), "header is not JSON");
  expect_error(write_raw(R"({"w":{"dtype":"F32"}})", 0), "tensor 'w': bad header entry");
}

}  // namespace
}  // namespace topiary::hf
