#pragma once
// Plain-text input for language-model datasets: the documents of a file, one per non-blank line,
// or (document_per_file) the files of a directory, one document each. Documents have no label.
#include <string>
#include <vector>

#include "data/raw_corpus.h"
#include "data/text_file.h"

namespace topiary::data {

struct DocumentOptions {
  bool document_per_file = false;
  std::vector<std::string> include;  // document_per_file: globs on the file name; empty = all
  std::vector<std::string> exclude;
  DecodeOptions decode;  // on_bad: a line (or file) with invalid UTF-8
};

// Lines keep their text as is (leading and trailing spaces included) except a trailing '\r';
// blank lines (only whitespace) are not documents. A file document keeps its newlines; a file
// that holds only whitespace is not a document. No document at all is "<path>: no examples".
RawCorpus read_documents(const std::string& path, const DocumentOptions& options);

}  // namespace topiary::data
