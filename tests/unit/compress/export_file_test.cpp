#include "compress/export_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

namespace topiary::compress {
namespace {

namespace fs = std::filesystem;

ExportedModel small_export() {
  ExportedModel model;
  model.format = "csr";
  model.attributes = {{"task", "classification"}};
  model.vocabulary = {"<pad>", "<unk>", "good"};
  model.label_names = {"neg", "pos"};
  model.tokenizer = {{"tokenizer", "word"}};
  // Over 4096 elements, so the chunked and deflated path is written too.
  std::vector<float> values(64 * 80), mask(64 * 80);
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = static_cast<float>(i % 17) - 8.0f;
    mask[i] = i % 3 == 0 ? 1.0f : 0.0f;
  }
  model.weights.emplace_back("fc.weight", encode(values, mask, {64, 80}, Encoding::kCsr));
  model.weights.emplace_back("fc.bias", encode({0.5f, -1.0f}, {}, {2}, Encoding::kDense));
  return model;
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// HDF5 stamps objects with their write time unless told not to; an exported model's checksum
// must identify its contents, so the same export written in another second gives the same bytes.
TEST(ExportFile, SameModelWrittenLaterIsByteIdentical) {
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("topiary_export_file_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  write_export((dir / "first.h5").string(), small_export());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  write_export((dir / "second.h5").string(), small_export());
  const std::string first = file_bytes((dir / "first.h5").string());
  const std::string second = file_bytes((dir / "second.h5").string());
  const ExportedModel read = read_export((dir / "second.h5").string());
  fs::remove_all(dir);
  ASSERT_FALSE(first.empty());
  EXPECT_TRUE(first == second);
  ASSERT_EQ(read.weights.size(), 2u);
  for (const auto& [name, tensor] : small_export().weights) {
    const auto found = std::find_if(read.weights.begin(), read.weights.end(),
                                    [&](const auto& entry) { return entry.first == name; });
    ASSERT_NE(found, read.weights.end()) << name;
    EXPECT_EQ(found->second.values, tensor.values) << name;
  }
}

}  // namespace
}  // namespace topiary::compress
