#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "../written_later.h"
#include "data/dataset.h"
#include "io/hdf5_util.h"
#include "test_support.h"

namespace topiary::data {
namespace {

Dataset small_dataset() {
  Dataset dataset;
  dataset.vocabulary = {"<pad>", "<unk>", "hello", "w\xc3\xb6rld"};
  dataset.label_names = {"neg", "pos"};
  dataset.train = {{2, 3, 2}, {0, 2, 3}, {1, 0}};
  dataset.valid = {{3, 1}, {0, 2}, {0}};
  dataset.attributes = {{"train_source", "/data/x.tsv"}, {"min_frequency", "1"}};
  return dataset;
}

// Writes `dataset` with the raw HDF5 helpers, skipping validation, so tests can make bad files.
void write_unchecked(const std::string& path, const Dataset& dataset, bool with_attributes) {
  H5::H5File file(path, H5F_ACC_TRUNC);
  io::write_string_array(file, "vocabulary", dataset.vocabulary);
  io::write_string_array(file, "label_names", dataset.label_names);
  for (const auto& [name, split] :
       {std::pair{"train", &dataset.train}, {"valid", &dataset.valid}}) {
    H5::Group group = file.createGroup(name);
    io::write_int32_array(group, "tokens", split->tokens);
    io::write_int64_array(group, "offsets", split->offsets);
    io::write_int32_array(group, "labels", split->labels);
  }
  if (with_attributes) {
    io::write_string_attribute(file, "topiary_kind", "classification");
    io::write_string_attribute(file, "format_version", "1");
  }
}

std::vector<std::string> directory_listing(const test::TempDir& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(DatasetStore, RoundTripKeepsEverything) {
  test::TempDir dir;
  const Dataset written = small_dataset();
  write_dataset(dir / "d.h5", written);
  const Dataset read = read_dataset(dir / "d.h5");
  EXPECT_EQ(read.vocabulary, written.vocabulary);
  EXPECT_EQ(read.label_names, written.label_names);
  EXPECT_EQ(read.train.tokens, written.train.tokens);
  EXPECT_EQ(read.train.offsets, written.train.offsets);
  EXPECT_EQ(read.train.labels, written.train.labels);
  EXPECT_EQ(read.valid.tokens, written.valid.tokens);
  EXPECT_EQ(read.valid.offsets, written.valid.offsets);
  EXPECT_EQ(read.valid.labels, written.valid.labels);
  EXPECT_EQ(read.train.size(), 2);
  EXPECT_EQ(read.attributes.at("train_source"), "/data/x.tsv");
  EXPECT_EQ(read.attributes.at("format_version"), "1");
  EXPECT_EQ(read.attributes.at("topiary_kind"), "classification");
  EXPECT_EQ(directory_listing(dir), std::vector<std::string>{"d.h5"});  // no temp file remains
}

// HDF5 stamps objects with their write time unless told not to.
TEST(DatasetStore, SameDatasetWrittenLaterIsByteIdentical) {
  test::TempDir dir;
  EXPECT_TRUE(topiary::test::written_later_is_byte_identical(
      dir / "first.h5", dir / "second.h5",
      [](const std::string& path) { write_dataset(path, small_dataset()); }));
}

TEST(DatasetStore, OverwriteReplacesTheFile) {
  test::TempDir dir;
  write_dataset(dir / "d.h5", small_dataset());
  Dataset second = small_dataset();
  second.label_names = {"a", "b"};
  write_dataset(dir / "d.h5", second);
  EXPECT_EQ(read_dataset(dir / "d.h5").label_names, second.label_names);
}

TEST(DatasetStore, FailedWriteLeavesThePreviousFile) {
  test::TempDir dir;
  write_dataset(dir / "d.h5", small_dataset());
  Dataset second = small_dataset();
  second.label_names = {"a", "b"};
  std::string seen_temp;
  testing::set_write_dataset_hook([&](const std::string& temp) {
    seen_temp = temp;
    EXPECT_TRUE(std::filesystem::exists(temp));
    throw std::runtime_error("simulated crash");
  });
  EXPECT_THROW(write_dataset(dir / "d.h5", second), std::runtime_error);
  testing::set_write_dataset_hook({});
  EXPECT_EQ(seen_temp, (dir / "d.h5") + ".tmp." + std::to_string(::getpid()));
  EXPECT_EQ(read_dataset(dir / "d.h5").label_names, small_dataset().label_names);
  EXPECT_EQ(directory_listing(dir), std::vector<std::string>{"d.h5"});
}

TEST(DatasetStore, FailedRenameRemovesTheTempFile) {
  test::TempDir dir;
  std::filesystem::create_directories(dir / "taken/inner");
  EXPECT_USER_ERROR(write_dataset(dir / "taken", small_dataset()), "taken", "cannot replace");
  EXPECT_EQ(directory_listing(dir), std::vector<std::string>{"taken"});
  EXPECT_USER_ERROR(write_dataset(dir / "missing-dir/d.h5", small_dataset()), "missing-dir/d.h5");
}

TEST(DatasetStore, InvalidDatasetIsRefusedBeforeWriting) {
  test::TempDir dir;
  Dataset bad = small_dataset();
  bad.train.tokens[0] = 99;
  EXPECT_USER_ERROR(write_dataset(dir / "d.h5", bad), "/train/tokens", "99");
  EXPECT_TRUE(directory_listing(dir).empty());
}

TEST(DatasetStore, RefusesMissingAndForeignFiles) {
  test::TempDir dir;
  EXPECT_USER_ERROR(read_dataset(dir / "none.h5"), "none.h5", "no such file");
  test::write_file(dir / "text.h5", "not hdf5");
  EXPECT_USER_ERROR(read_dataset(dir / "text.h5"), "text.h5", "not an HDF5 file");
  write_unchecked(dir / "bare.h5", small_dataset(), /*with_attributes=*/false);
  EXPECT_USER_ERROR(read_dataset(dir / "bare.h5"), "bare.h5", "'topiary_kind'", "missing");
}

TEST(DatasetStore, RefusesWrongFormatVersion) {
  test::TempDir dir;
  write_unchecked(dir / "v2.h5", small_dataset(), true);
  {
    H5::H5File file(dir / "v2.h5", H5F_ACC_RDWR);
    io::write_string_attribute(file, "format_version", "2");
  }
  EXPECT_USER_ERROR(read_dataset(dir / "v2.h5"), "v2.h5", "'format_version'", "'2'");
}

struct CorruptCase {
  const char* name;
  void (*corrupt)(Dataset&);
  const char* expected;
};

class CorruptDatasetTest : public ::testing::TestWithParam<CorruptCase> {};

TEST_P(CorruptDatasetTest, IsRefusedWithPathAndDatasetName) {
  test::TempDir dir;
  Dataset dataset = small_dataset();
  GetParam().corrupt(dataset);
  write_unchecked(dir / "bad.h5", dataset, true);
  EXPECT_USER_ERROR(read_dataset(dir / "bad.h5"), dir / "bad.h5", GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CorruptDatasetTest,
    ::testing::Values(CorruptCase{"OffsetsOutOfRange",
                                  [](Dataset& d) {
                                    d.train.offsets = {0, 2, 9};
                                  },
                                  "'/train/offsets' ends at 9"},
                      CorruptCase{"OffsetsDecrease",
                                  [](Dataset& d) {
                                    d.valid.offsets = {0, 2};
                                    d.train.offsets = {0, 3, 2};
                                  },
                                  "'/train/offsets' decreases"},
                      CorruptCase{"OffsetsNotFromZero",
                                  [](Dataset& d) {
                                    d.valid.offsets = {1, 2};
                                  },
                                  "'/valid/offsets' must start at 0"},
                      CorruptCase{"TokenOutsideVocabulary",
                                  [](Dataset& d) {
                                    d.valid.tokens = {3, 4};
                                  },
                                  "'/valid/tokens' entry 1 is 4"},
                      CorruptCase{"NegativeToken", [](Dataset& d) { d.train.tokens[0] = -1; },
                                  "'/train/tokens' entry 0 is -1"},
                      CorruptCase{"LabelOutOfRange",
                                  [](Dataset& d) {
                                    d.train.labels = {1, 2};
                                  },
                                  "'/train/labels' entry 1 is 2"},
                      CorruptCase{"LengthMismatch", [](Dataset& d) { d.train.labels = {1}; },
                                  "'/train/offsets' has 3 entries, expected labels + 1 = 2"},
                      CorruptCase{"NoPadToken", [](Dataset& d) { d.vocabulary[0] = "pad"; },
                                  "'/vocabulary'"},
                      CorruptCase{"DuplicateLabel",
                                  [](Dataset& d) {
                                    d.label_names = {"x", "x"};
                                  },
                                  "'/label_names' entry 1 repeats 'x'"},
                      CorruptCase{"NoLabels",
                                  [](Dataset& d) {
                                    d.label_names.clear();
                                    d.train.labels = {0, 0};
                                  },
                                  "'/label_names' is empty"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(DatasetStore, RefusesWrongTypesAndMissingParts) {
  test::TempDir dir;
  const Dataset dataset = small_dataset();
  write_unchecked(dir / "wide.h5", dataset, true);
  {
    H5::H5File file(dir / "wide.h5", H5F_ACC_RDWR);
    H5::Group train = file.openGroup("train");
    train.unlink("tokens");
    const std::vector<int64_t> wide(dataset.train.tokens.begin(), dataset.train.tokens.end());
    io::write_int64_array(train, "tokens", wide);
    file.unlink("valid");
  }
  EXPECT_USER_ERROR(read_dataset(dir / "wide.h5"), "wide.h5", "'/train/tokens'", "expected int32");

  write_unchecked(dir / "novalid.h5", dataset, true);
  {
    H5::H5File file(dir / "novalid.h5", H5F_ACC_RDWR);
    file.unlink("valid");
  }
  EXPECT_USER_ERROR(read_dataset(dir / "novalid.h5"), "novalid.h5", "'/valid'", "missing");
}

}  // namespace
}  // namespace topiary::data

namespace topiary::data {
namespace {

Dataset small_language_model() {
  Dataset dataset;
  dataset.kind = kLanguageModelKind;
  dataset.vocabulary = {"<pad>", "<unk>", "<eos>", "a", "b"};
  dataset.train.tokens = {3, 4, 3, 1};
  dataset.train.offsets = {0, 3, 4};
  dataset.valid.tokens = {4};
  dataset.valid.offsets = {0, 1};
  dataset.attributes = {{"tokenizer", "char"}};
  return dataset;
}

TEST(DatasetStore, LanguageModelRoundTrip) {
  test::TempDir dir;
  write_dataset(dir / "lm.h5", small_language_model());
  const Dataset read = read_dataset(dir / "lm.h5");
  EXPECT_EQ(read.kind, kLanguageModelKind);
  EXPECT_EQ(read.attributes.at("topiary_kind"), "language_model");
  EXPECT_EQ(read.attributes.at("tokenizer"), "char");
  EXPECT_TRUE(read.label_names.empty());
  EXPECT_TRUE(read.train.labels.empty());
  EXPECT_EQ(read.train.tokens, (std::vector<int32_t>{3, 4, 3, 1}));
  EXPECT_EQ(read.train.offsets, (std::vector<int64_t>{0, 3, 4}));
  EXPECT_EQ(read.train.size(), 2);
  EXPECT_EQ(read.valid.size(), 1);
  // The classification file of the first format still reads as classification.
  write_unchecked(dir / "c.h5", small_dataset(), true);
  EXPECT_EQ(read_dataset(dir / "c.h5").kind, kClassificationKind);
}

TEST(DatasetStore, LanguageModelInvariants) {
  Dataset labelled = small_language_model();
  labelled.train.labels = {0, 0};
  EXPECT_USER_ERROR(validate_dataset(labelled, "x"), "'/train/labels' must be empty");
  Dataset no_eos = small_language_model();
  no_eos.vocabulary[2] = "c";
  EXPECT_USER_ERROR(validate_dataset(no_eos, "x"), "\"<eos>\"");
  Dataset bad_offsets = small_language_model();
  bad_offsets.train.offsets = {0, 3, 5};
  EXPECT_USER_ERROR(validate_dataset(bad_offsets, "x"), "'/train/offsets' ends at 5");
  Dataset names = small_language_model();
  names.label_names = {"x"};
  EXPECT_USER_ERROR(validate_dataset(names, "x"), "no '/label_names'");
}

TEST(DatasetStore, UnknownKindIsRejected) {
  test::TempDir dir;
  write_dataset(dir / "lm.h5", small_language_model());
  {
    H5::H5File file(dir / "lm.h5", H5F_ACC_RDWR);
    file.removeAttr("topiary_kind");
    io::write_string_attribute(file, "topiary_kind", "images");
  }
  EXPECT_USER_ERROR(read_dataset(dir / "lm.h5"), "lm.h5", "'images'", "language_model");
}

}  // namespace
}  // namespace topiary::data
