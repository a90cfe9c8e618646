#include "compress/export_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "../written_later.h"

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

// HDF5 stamps objects with their write time unless told not to.
TEST(ExportFile, SameModelWrittenLaterIsByteIdentical) {
  const fs::path dir =
      fs::path(::testing::TempDir()) / ("topiary_export_file_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const ::testing::AssertionResult identical = test::written_later_is_byte_identical(
      (dir / "first.h5").string(), (dir / "second.h5").string(),
      [](const std::string& path) { write_export(path, small_export()); });
  const ExportedModel read = read_export((dir / "second.h5").string());
  fs::remove_all(dir);
  EXPECT_TRUE(identical);
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
