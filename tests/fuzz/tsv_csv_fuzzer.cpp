// libFuzzer harness: every data input format on an arbitrary file. The first byte picks the
// format and options (format, header, encoding, on_bad, tokenizer), the rest is the file's bytes,
// written to a per-process temp directory (as the only file of a directory for "dir" and
// document-per-file "text"). The pure splitters are fed the same bytes directly. build_dataset
// reads, splits and tokenizes without writing anything. A UserError is the only acceptable
// failure; any other exception, sanitizer report or abort is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.h"
#include "data/delimited_reader.h"
#include "data/prepare.h"
#include "data/record_dir_reader.h"
#include "data/text_file.h"

namespace fs = std::filesystem;

namespace {

const fs::path& work_dir() {
  static const fs::path dir = [] {
    std::string pattern = (fs::temp_directory_path() / "topiary-fuzz-data.XXXXXX").string();
    if (!mkdtemp(pattern.data())) std::abort();
    fs::create_directory(fs::path(pattern) / "dir");
    return fs::path(pattern);
  }();
  return dir;
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

template <typename Fn>
void expect_only_user_errors(const char* stage, Fn&& fn) {
  try {
    fn();
  } catch (const topiary::UserError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tsv_csv_fuzzer: %s threw a non-UserError: %s\n", stage, e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "tsv_csv_fuzzer: %s threw a non-std::exception\n", stage);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t knobs = data[0];
  const std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  using namespace topiary::data;
  expect_only_user_errors("split_delimited(tsv)",
                          [&] { split_delimited(bytes, '\t', false, "fuzz.tsv"); });
  expect_only_user_errors("split_delimited(csv)",
                          [&] { split_delimited(bytes, ',', true, "fuzz.csv"); });
  expect_only_user_errors("split_records", [&] { split_records(bytes, "%"); });
  expect_only_user_errors("find_invalid_utf8", [&] {
    find_invalid_utf8(bytes);
    latin1_to_utf8(bytes);
  });

  static const char* const kFormats[] = {"tsv", "csv", "dir", "jsonl", "text"};
  static const char* const kTokenizers[] = {"word", "char", "byte", "word"};
  PrepareOptions options;
  options.format = kFormats[(knobs & 7) % 5];
  options.header = (knobs & 8) == 0;
  if (!options.header) {
    options.text_column = "0";
    options.label_column = "1";
  }
  options.encoding = (knobs & 16) ? "latin-1" : "utf-8";
  options.on_bad = (knobs & 32) ? "skip" : "error";
  options.tokenizer = options.format == "text" ? kTokenizers[(knobs >> 6) & 3] : "word";
  options.document_per_file = options.format == "text" && (knobs & 64);
  options.max_length = (knobs & 128) ? 3 : 0;
  options.valid_fraction = 0.5;

  const fs::path& dir = work_dir();
  if (options.format == "dir" || options.document_per_file) {
    write_file(dir / "dir" / "only_class", bytes);
    options.input = (dir / "dir").string();
  } else {
    write_file(dir / "input", bytes);
    options.input = (dir / "input").string();
  }
  expect_only_user_errors("build_dataset", [&] { build_dataset(options); });
  return 0;
}
