#pragma once
// JSON Lines input: one JSON object per line (blank lines skipped, LF or CRLF). The text and the
// label are fields chosen by name or by a dotted path into nested objects ("meta.label"); a key
// that itself holds a dot is matched whole before the path is split. The text must be a JSON
// string; the label may be a string, an integer or a boolean (stored as its JSON spelling, so
// 1 and "1" are the same class).
#include <string>

#include "data/raw_corpus.h"
#include "data/text_file.h"

namespace topiary::data {

struct JsonlOptions {
  std::string text_column = "text";
  std::string label_column = "label";  // empty: no label (language-model text)
  DecodeOptions decode;
};

// Bad records (invalid JSON, not an object, a missing field, a text that is not a string, an
// empty label, invalid UTF-8) are "<file>:<line>: ..." and go through RawCorpus::reject. A file
// without any example is a UserError "<file>: no examples".
RawCorpus read_jsonl(const std::string& path, const JsonlOptions& options);

}  // namespace topiary::data
