#include "data/document_reader.h"

#include <string_view>

#include "core/error.h"
#include "data/record_dir_reader.h"
#include "data/text_lines.h"

namespace topiary::data {
namespace {

void read_lines(const std::string& path, const DocumentOptions& options, RawCorpus& corpus) {
  const DecodedText decoded = read_text(path, options.decode);
  TextLines lines(decoded.text);
  std::string_view line;
  while (lines.next(line)) {
    const int64_t line_number = lines.number();
    if (is_blank(line)) continue;
    if (decoded.has_bad_line(line_number, line_number)) {
      corpus.reject(options.decode.on_bad,
                    path + ":" + std::to_string(line_number) + ": invalid UTF-8 in this line");
      continue;
    }
    corpus.examples.push_back(RawExample{std::string(line), "", 0, line_number});
  }
}

}  // namespace

RawCorpus read_documents(const std::string& path, const DocumentOptions& options) {
  RawCorpus corpus;
  if (!options.document_per_file) {
    corpus.files.push_back(path);
    read_lines(path, options, corpus);
  } else {
    for (const std::string& file : list_input_files(path, options.include, options.exclude,
                                                    "--format text --document-per-file")) {
      const auto index = static_cast<int32_t>(corpus.files.size());
      corpus.files.push_back(file);
      DecodedText decoded = read_text(file, options.decode);
      if (is_blank(decoded.text)) continue;
      if (!decoded.bad_lines.empty()) {
        corpus.reject(options.decode.on_bad, decoded.first_error);
        continue;
      }
      corpus.examples.push_back(RawExample{std::move(decoded.text), "", index, 1});
    }
  }
  if (corpus.examples.empty()) {
    throw UserError(path + ": no examples (" + std::to_string(corpus.skipped) +
                    " bad records skipped)");
  }
  return corpus;
}

}  // namespace topiary::data
