#include "data/sharded_prepare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "comm/agree.h"
#include "comm/gather_bytes.h"
#include "core/error.h"
#include "data/corpus_reader.h"
#include "data/dataset_manifest.h"
#include "data/document_tokenizer.h"
#include "data/example_tokenizer.h"
#include "data/line_shard_reader.h"
#include "data/lm_prepare.h"
#include "data/lm_tokenizer.h"
#include "data/split.h"
#include "data/text_file.h"
#include "data/vocabulary.h"
#include "data/word_tokenizer.h"
#include "io/hdf5_util.h"
#include "io/sha256.h"

namespace topiary::data {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct Input {
  std::string path;
  bool all_valid = false;  // the --valid file: every document validates
};

std::vector<Input> inputs_of(const PrepareOptions& options) {
  std::vector<Input> inputs{{options.input, false}};
  if (!options.valid_path.empty()) inputs.push_back({options.valid_path, true});
  return inputs;
}

int64_t shard_bytes_of(const PrepareOptions& options) {
  if (!(options.shard_mb > 0)) throw UserError("--shard-mb must be > 0");
  return std::max<int64_t>(1, std::llround(options.shard_mb * 1024.0 * 1024.0));
}

// One line as a document: UTF-8 text, or why it is bad ("" when blank). The text is the line
// itself when it is valid UTF-8 (a view: no copy per line), or its conversion from Latin-1.
struct DecodedLine {
  bool blank = false;
  std::string bad;  // the message suffix after "<file>:<line>: "
  std::string_view line;
  std::optional<std::string> converted;
  std::string_view text() const { return converted ? std::string_view(*converted) : line; }
};

DecodedLine decode_line(std::string_view line, int64_t offset, Encoding encoding) {
  DecodedLine out;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (offset == 0 && encoding == Encoding::kUtf8 && line.starts_with("\xEF\xBB\xBF")) {
    line.remove_prefix(3);
  }
  if (is_blank(line)) {
    out.blank = true;
    return out;
  }
  if (encoding == Encoding::kLatin1) {
    out.converted = latin1_to_utf8(line);
    return out;
  }
  if (const std::optional<size_t> bad = find_invalid_utf8(line)) {
    out.bad = fmt::format(
        "invalid UTF-8 byte 0x{:02x} at byte offset {} (column {}); pass --encoding latin-1 if "
        "the file is Latin-1, or --on-bad skip to leave such records out",
        static_cast<unsigned char>(line[*bad]), offset + static_cast<int64_t>(*bad), *bad + 1);
    return out;
  }
  out.line = line;
  return out;
}

DocumentTokenizer tokenizer_of(const PrepareOptions& options) {
  return {parse_lm_tokenizer(options.tokenizer),
          WordTokenizer(WordTokenizerOptions{options.lowercase}), nullptr};
}

// The folder beside the manifest that holds its shards.
fs::path shards_folder(const std::string& output) {
  return fs::path(output).parent_path() / (fs::path(output).filename().string() + ".shards");
}

// Where a shard is: input file and shard index; ordered like a 1-rank run reads them.
using ShardId = std::pair<int, int64_t>;

struct ShardScan {
  ShardId id;
  std::string sha256;
  int64_t lines = 0;
  int64_t skipped = 0;
  std::vector<std::pair<int64_t, std::string>> messages;  // (line in shard, 1-based; text)
  int64_t documents = 0;                                  // good (non-blank, decoded) lines
};

// Runs `each(shard id, reader)` over this rank's shards of every input. Stops at the first
// UserError and returns its (shard, line in shard, message) instead of throwing, so the rank
// still joins the collectives that follow.
struct ScanError {
  ShardId id{-1, -1};
  int64_t line = 0;
  std::string message;
  bool any() const { return id.first >= 0; }
};

json to_json(const ScanError& e) { return {e.id.first, e.id.second, e.line, e.message}; }
ScanError scan_error_from(const json& j) {
  return {{j[0].get<int>(), j[1].get<int64_t>()}, j[2].get<int64_t>(), j[3].get<std::string>()};
}

struct Pass1 {
  std::map<ShardId, ShardScan> shards;  // every rank's, after the gather
  std::map<std::string, int64_t> counts;
  ScanError error;
};

// Which documents go to validation. With --valid FILE, that file's and none of the input's.
// Otherwise the in-memory prepare's split (split_by_fraction over the input's documents in file
// order), so that a file's split depends neither on its size against --shard-mb nor on the ranks;
// it needs the documents of every shard before it, hence a pass that only counts them.
class DocumentSplit {
 public:
  explicit DocumentSplit(const std::vector<Input>& inputs) {
    for (const Input& input : inputs) all_valid_.push_back(input.all_valid);
  }
  DocumentSplit(const PrepareOptions& options, const std::vector<Input>& inputs,
                const std::map<ShardId, ShardScan>& shards)
      : DocumentSplit(inputs) {
    int64_t documents = 0, skipped = 0;
    for (const auto& [id, scan] : shards) {
      if (id.first != 0) continue;
      first_document_[id] = documents;
      documents += scan.documents;
      skipped += scan.skipped;
    }
    if (documents == 0) {  // what the in-memory reader says
      throw UserError(options.input + ": no examples (" + std::to_string(skipped) +
                      " bad records skipped)");
    }
    valid_ = valid_membership(documents, options.valid_fraction, options.seed);
  }

  bool valid(ShardId id, int64_t document_in_shard) const {
    if (all_valid_[static_cast<size_t>(id.first)]) return true;
    if (valid_.empty()) return false;
    return valid_[static_cast<size_t>(first_document_.at(id) + document_in_shard)];
  }

 private:
  std::vector<bool> all_valid_;  // per input
  std::map<ShardId, int64_t> first_document_;
  std::vector<bool> valid_;  // the input's documents, when split by fraction
};

// Lines of every shard before `id` in the same input: 1-based line numbers from shard-relative.
int64_t lines_before(const std::map<ShardId, ShardScan>& shards, ShardId id) {
  int64_t lines = 0;
  for (const auto& [other, scan] : shards) {
    if (other.first == id.first && other.second < id.second) lines += scan.lines;
  }
  return lines;
}

std::string locate(const std::vector<Input>& inputs, const std::map<ShardId, ShardScan>& shards,
                   ShardId id, int64_t line_in_shard, const std::string& message) {
  return fmt::format("{}:{}: {}", inputs[static_cast<size_t>(id.first)].path,
                     lines_before(shards, id) + line_in_shard, message);
}

// Reads this rank's shards; on_document(shard, document in shard, text) for every good document.
template <typename OnDocument, typename OnShardDone>
ScanError scan_shards(const PrepareOptions& options, const std::vector<Input>& inputs, int rank,
                      int world, OnDocument&& on_document, OnShardDone&& on_shard_done) {
  const Encoding encoding = parse_encoding(options.encoding);
  const OnBad on_bad = parse_on_bad(options.on_bad);
  const int64_t shard_bytes = shard_bytes_of(options);
  ShardScan scan;
  try {
    for (size_t f = 0; f < inputs.size(); ++f) {
      scan.id = {static_cast<int>(f), rank};  // names the input if it cannot even be opened
      LineShardReader reader(inputs[f].path);
      for (int64_t index = rank;; index += world) {
        scan = ShardScan{{static_cast<int>(f), index}, "", 0, 0, {}, 0};
        io::Sha256 sha;
        const bool exists = reader.read_shard(
            index, shard_bytes,
            [&](std::string_view line, int64_t offset) {
              ++scan.lines;
              DecodedLine decoded = decode_line(line, offset, encoding);
              if (decoded.blank) return;
              if (!decoded.bad.empty()) {
                if (on_bad == OnBad::kError) throw UserError(decoded.bad);
                ++scan.skipped;
                if (scan.messages.size() < RawCorpus::kMaxSkippedMessages) {
                  scan.messages.emplace_back(scan.lines, decoded.bad);
                }
                return;
              }
              on_document(scan.id, scan.documents++, decoded.text());
            },
            &sha);
        if (!exists) break;
        scan.sha256 = sha.hex_digest();
        on_shard_done(scan);
      }
    }
  } catch (const UserError& error) {
    return ScanError{scan.id, scan.lines, error.what()};
  }
  return {};
}

// The first error of the whole job (lowest shard): what a 1-rank run reports.
ScanError first_error(const std::vector<json>& payloads) {
  ScanError first;
  for (const json& payload : payloads) {
    if (payload["error"].is_null()) continue;
    const ScanError e = scan_error_from(payload["error"]);
    if (!first.any() || e.id < first.id) first = e;
  }
  return first;
}

std::vector<json> gather_json(comm::Communicator& comm, const json& mine, const char* what) {
  std::vector<json> out;
  for (const std::string& bytes : comm::all_gather_bytes(comm, mine.dump(), what)) {
    out.push_back(json::parse(bytes));
  }
  return out;
}

// Checksums, lines, documents and bad records of every shard; with `split`, also the training
// documents' token counts (the vocabulary's input).
Pass1 run_pass1(const PrepareOptions& options, const std::vector<Input>& inputs,
                const DocumentTokenizer& tokenizer, const DocumentSplit* split,
                comm::Communicator& comm) {
  TokenCounter counts;
  json shards = json::array();
  const bool counting = split != nullptr && tokenizer.kind != LmTokenizerKind::kByte;
  const ScanError error = scan_shards(
      options, inputs, comm.rank(), comm.world_size(),
      [&](ShardId id, int64_t document, std::string_view text) {
        if (!counting || split->valid(id, document)) return;
        tokenizer.for_each_counting_token(text, [&](std::string_view token) { counts.add(token); });
      },
      [&](const ShardScan& scan) {
        shards.push_back({scan.id.first, scan.id.second, scan.sha256, scan.lines, scan.skipped,
                          scan.messages, scan.documents});
      });
  json mine = {{"shards", shards},
               {"counts", counts.sorted_counts()},
               {"error", error.any() ? to_json(error) : json()}};
  const std::vector<json> all = gather_json(comm, mine, "prepare: token counts");
  Pass1 pass;
  for (const json& payload : all) {
    for (const json& s : payload["shards"]) {
      ShardScan scan{{s[0].get<int>(), s[1].get<int64_t>()},
                     s[2].get<std::string>(),
                     s[3].get<int64_t>(),
                     s[4].get<int64_t>(),
                     s[5].get<std::vector<std::pair<int64_t, std::string>>>(),
                     s[6].get<int64_t>()};
      pass.shards[scan.id] = scan;
    }
    for (const auto& [token, count] : payload["counts"].items()) {
      pass.counts[token] += count.get<int64_t>();
    }
  }
  pass.error = first_error(all);
  return pass;
}

std::string fingerprint_of(const PrepareOptions& options, const std::vector<Input>& inputs,
                           const std::map<ShardId, ShardScan>& shards) {
  io::Sha256 sha;
  sha.update(fmt::format(
      "topiary sharded prepare v2\nformat={}\ntokenizer={}\nlowercase={}\nmin_frequency={}\n"
      "max_vocab={}\nencoding={}\non_bad={}\nvalid_fraction={}\nseed={}\nshard_bytes={}\n",
      options.format, options.tokenizer, options.lowercase, options.min_frequency,
      options.max_vocab, options.encoding, options.on_bad,
      options.valid_path.empty() ? fmt::format("{}", options.valid_fraction) : "file", options.seed,
      shard_bytes_of(options)));
  for (const Input& input : inputs) sha.update("input=" + input.path + "\n");
  for (const auto& [id, scan] : shards) {
    sha.update(fmt::format("shard {} {} {}\n", id.first, id.second, scan.sha256));
  }
  return sha.hex_digest();
}

std::vector<std::string> vocabulary_of(const PrepareOptions& options,
                                       const DocumentTokenizer& tokenizer, const Pass1& pass) {
  if (tokenizer.kind == LmTokenizerKind::kByte) return byte_vocabulary();
  if (options.max_vocab > 0 && options.max_vocab < 4) {
    throw UserError(
        "--max-vocab must be 0 or >= 4 for a language model (<pad>, <unk>, <eos> and one token)");
  }
  TokenCounter exact;
  for (const auto& [token, count] : pass.counts) exact.add_count(token, count);
  std::vector<std::string> vocabulary = build_vocabulary(
      exact, {options.min_frequency, options.max_vocab > 0 ? options.max_vocab - 1 : 0});
  vocabulary.insert(vocabulary.begin() + kEosId, kEosToken);
  return vocabulary;
}

std::string shard_name(const std::string& output, const std::string& fingerprint, ShardId id) {
  return (shards_folder(output).filename() /
          fmt::format("{}-{}-{:05d}.h5", fingerprint.substr(0, 16),
                      id.first == 0 ? "input" : "valid", id.second))
      .string();
}

struct ShardCounts {
  int64_t train_documents = 0, valid_documents = 0, train_tokens = 0, valid_tokens = 0,
          valid_unknown = 0, dropped_empty = 0;
};

void throw_if(const ScanError& error, const std::vector<Input>& inputs,
              const std::map<ShardId, ShardScan>& shards) {
  if (error.any()) throw UserError(locate(inputs, shards, error.id, error.line, error.message));
}

std::map<std::string, std::string> manifest_attributes(const std::string& path) {
  H5::Exception::dontPrint();
  return io::checked_hdf5(path, [&] {
    const H5::H5File file(path, H5F_ACC_RDONLY);
    return io::read_string_attributes(file);
  });
}

int64_t attribute_count(const std::map<std::string, std::string>& attributes,
                        const std::string& name) {
  const auto it = attributes.find(name);
  return it == attributes.end() ? 0 : std::stoll(it->second);
}

int64_t vocabulary_entries(const std::string& path) {
  return io::checked_hdf5(path, [&] {
    const H5::H5File file(path, H5F_ACC_RDONLY);
    return static_cast<int64_t>(file.openDataSet("vocabulary").getSpace().getSimpleExtentNpoints());
  });
}

// A rerun on unchanged input and options is a no-op, and a cheap one: when --output already
// holds a manifest, every rank first checksums its shards (no decoding, no tokenizing). If the
// fingerprint matches, the manifest's recorded counts are the summary. Any doubt (an unreadable
// input, a mismatch) leaves the decision to the full run, which reports errors properly.
std::optional<PrepareSummary> up_to_date_summary(const PrepareOptions& options,
                                                 const std::vector<Input>& inputs,
                                                 comm::Communicator& comm) {
  int64_t has_manifest = 0;
  if (comm.rank() == 0) has_manifest = manifest_fingerprint(options.output).empty() ? 0 : 1;
  comm.broadcast(&has_manifest, 1, comm::DataType::kInt64, 0, "prepare: manifest check");
  if (!has_manifest) return std::nullopt;
  json shards = json::array();
  bool readable = true;
  try {
    const int64_t shard_bytes = shard_bytes_of(options);
    for (size_t f = 0; f < inputs.size(); ++f) {
      LineShardReader reader(inputs[f].path);
      for (int64_t index = comm.rank();; index += comm.world_size()) {
        io::Sha256 sha;
        if (!reader.read_shard(
                index, shard_bytes, [](std::string_view, int64_t) {}, &sha))
          break;
        shards.push_back({f, index, sha.hex_digest()});
      }
    }
  } catch (const UserError&) {
    readable = false;
  }
  const std::vector<json> all =
      gather_json(comm, {{"readable", readable}, {"shards", shards}}, "prepare: shard checksums");
  std::map<ShardId, ShardScan> scans;
  for (const json& payload : all) {
    if (!payload["readable"].get<bool>()) return std::nullopt;
    for (const json& s : payload["shards"]) {
      ShardScan scan;
      scan.id = {s[0].get<int>(), s[1].get<int64_t>()};
      scan.sha256 = s[2].get<std::string>();
      scans[scan.id] = scan;
    }
  }
  const std::string fingerprint = fingerprint_of(options, inputs, scans);
  PrepareSummary summary;
  int64_t up_to_date = 0;
  if (comm.rank() == 0 && manifest_fingerprint(options.output) == fingerprint) {
    std::error_code ec;
    up_to_date = 1;
    for (const auto& [id, scan] : scans) {
      if (!fs::exists(shard_path(options.output, shard_name(options.output, fingerprint, id)), ec))
        up_to_date = 0;
    }
    if (up_to_date) {
      const std::map<std::string, std::string> a = manifest_attributes(options.output);
      summary.train_examples = attribute_count(a, "train_examples");
      summary.valid_examples = attribute_count(a, "valid_examples");
      summary.train_tokens = attribute_count(a, "train_tokens");
      summary.valid_tokens = attribute_count(a, "valid_tokens");
      summary.skipped_bad_records = attribute_count(a, "skipped_bad_records");
      summary.dropped_empty = attribute_count(a, "dropped_empty");
      summary.vocabulary_size = vocabulary_entries(options.output);
    }
  }
  comm.broadcast(&up_to_date, 1, comm::DataType::kInt64, 0, "prepare: up-to-date check");
  if (!up_to_date) return std::nullopt;
  summary.output = options.output;
  summary.kind = kLanguageModelKind;
  summary.shards = static_cast<int64_t>(scans.size());
  summary.ranks = comm.world_size();
  summary.up_to_date = true;
  return summary;
}

// The --format text options that a sharded run cannot honour.
void check_sharded_options(const PrepareOptions& options) {
  if (options.valid_path.empty() && !(options.valid_fraction > 0 && options.valid_fraction < 1)) {
    throw UserError("--valid-fraction must be between 0 and 1 (exclusive)");
  }
  if (options.tokenizer == "sentencepiece") {
    throw UserError(
        "--tokenizer sentencepiece is not supported for inputs above --shard-mb (the model is "
        "trained in memory); raise --shard-mb or use char, byte or word");
  }
  if (options.max_length != 0 || options.min_records != 0) {
    throw UserError("--max-length and --min-records apply to classification, not --format text");
  }
}

// What pass 1 tells the summary: vocabulary, shards, and the bad records skipped, located and in
// the order a 1-rank run meets them.
PrepareSummary summary_after_pass1(const PrepareOptions& options, const std::vector<Input>& inputs,
                                   const Pass1& pass, int64_t vocabulary_size, int world_size) {
  PrepareSummary summary;
  summary.output = options.output;
  summary.kind = kLanguageModelKind;
  summary.vocabulary_size = vocabulary_size;
  summary.shards = static_cast<int64_t>(pass.shards.size());
  summary.ranks = world_size;
  for (const auto& [id, scan] : pass.shards) {
    summary.skipped_bad_records += scan.skipped;
    for (const auto& [line, message] : scan.messages) {
      if (summary.skipped_messages.size() < RawCorpus::kMaxSkippedMessages) {
        summary.skipped_messages.push_back(locate(inputs, pass.shards, id, line, message));
      }
    }
  }
  return summary;
}

// Pass 2's output: tokenizes each document straight onto the end of its shard's split, and
// writes the shard once its input has been read.
class ShardWriter {
 public:
  ShardWriter(const PrepareOptions& options, const std::vector<Input>& inputs,
              const DocumentTokenizer& tokenizer, const std::vector<std::string>& vocabulary,
              const std::string& fingerprint)
      : options_(options),
        inputs_(inputs),
        tokenizer_(tokenizer),
        fingerprint_(fingerprint),
        index_(vocabulary) {
    shard_.kind = kLanguageModelKind;
    shard_.vocabulary = vocabulary;
    reset();
  }

  void add(std::string_view text, bool valid) {
    TokenizedSplit& split = valid ? shard_.valid : shard_.train;
    std::vector<int32_t>& tokens = split.tokens;
    const size_t first = tokens.size();
    if (tokenizer_.kind == LmTokenizerKind::kByte) {
      for (const char c : text) tokens.push_back(3 + static_cast<unsigned char>(c));
    } else {
      tokenizer_.for_each_token(
          text, [&](std::string_view token) { tokens.push_back(index_.id(token)); });
    }
    const auto added = static_cast<int64_t>(tokens.size() - first);
    if (added == 0) {  // an empty document adds no tokens and no document
      ++counts_.dropped_empty;
      return;
    }
    split.offsets.push_back(static_cast<int64_t>(tokens.size()));
    if (valid) {
      ++counts_.valid_documents;
      counts_.valid_tokens += added;
      counts_.valid_unknown +=
          std::count(tokens.begin() + static_cast<ptrdiff_t>(first), tokens.end(), kUnkId);
    } else {
      ++counts_.train_documents;
      counts_.train_tokens += added;
    }
  }

  void finish(const ShardScan& scan) {
    shard_.attributes = {{"shard_of", fingerprint_},
                         {"shard_index", std::to_string(scan.id.second)},
                         {"shard_source", inputs_[size_t(scan.id.first)].path},
                         {"shard_source_sha256", scan.sha256},
                         {"tokenizer", tokenizer_.describe()},
                         {"separator_token", kEosToken}};
    write_dataset(shard_path(options_.output, shard_name(options_.output, fingerprint_, scan.id)),
                  shard_);
    written_[scan.id] = counts_;
    reset();
  }

  const std::map<ShardId, ShardCounts>& written() const { return written_; }

 private:
  // Empties the shard but keeps its token buffers' capacity: growing them again for every shard
  // cost a copy of each buffer per doubling and page faults on fresh memory.
  void reset() {
    for (TokenizedSplit* split : {&shard_.train, &shard_.valid}) {
      split->tokens.clear();
      split->offsets.assign(1, 0);
    }
    shard_.attributes.clear();
    counts_ = ShardCounts{};
  }

  const PrepareOptions& options_;
  const std::vector<Input>& inputs_;
  const DocumentTokenizer& tokenizer_;
  const std::string& fingerprint_;
  const VocabularyIndex index_;
  Dataset shard_;
  ShardCounts counts_;
  std::map<ShardId, ShardCounts> written_;
};

// Pass 2: tokenizes and writes this rank's shards; every rank's counts and first error, gathered.
std::vector<json> run_pass2(const PrepareOptions& options, const std::vector<Input>& inputs,
                            const DocumentTokenizer& tokenizer, const DocumentSplit& split,
                            const std::vector<std::string>& vocabulary,
                            const std::string& fingerprint, comm::Communicator& comm) {
  std::error_code ec;
  fs::create_directories(shards_folder(options.output), ec);
  ShardWriter writer(options, inputs, tokenizer, vocabulary, fingerprint);
  const ScanError error = scan_shards(
      options, inputs, comm.rank(), comm.world_size(),
      [&](ShardId id, int64_t document, std::string_view text) {
        writer.add(text, split.valid(id, document));
      },
      [&](const ShardScan& scan) { writer.finish(scan); });
  json mine = json::array();
  for (const auto& [id, c] : writer.written()) {
    mine.push_back({id.first, id.second, c.train_documents, c.valid_documents, c.train_tokens,
                    c.valid_tokens, c.valid_unknown, c.dropped_empty});
  }
  return gather_json(comm, {{"written", mine}, {"error", error.any() ? to_json(error) : json()}},
                     "prepare: shards written");
}

void add_written_counts(const std::vector<json>& all, PrepareSummary& summary) {
  for (const json& payload : all) {
    for (const json& w : payload["written"]) {
      summary.train_examples += w[2].get<int64_t>();
      summary.valid_examples += w[3].get<int64_t>();
      summary.train_tokens += w[4].get<int64_t>();
      summary.valid_tokens += w[5].get<int64_t>();
      summary.valid_unknown_tokens += w[6].get<int64_t>();
      summary.dropped_empty += w[7].get<int64_t>();
    }
  }
}

void check_both_splits_have_documents(const PrepareOptions& options,
                                      const PrepareSummary& summary) {
  if (summary.train_examples == 0) throw UserError(options.input + ": no training documents");
  if (summary.valid_examples == 0) {
    throw UserError((options.valid_path.empty() ? options.input : options.valid_path) +
                    ": no documents in the validation split (raise --valid-fraction, or pass "
                    "--valid)");
  }
}

DatasetManifest manifest_of(const PrepareOptions& options, const Pass1& pass,
                            const std::vector<std::string>& vocabulary,
                            const std::string& fingerprint, const PrepareSummary& summary,
                            const DocumentTokenizer& tokenizer, int world_size) {
  DatasetManifest manifest;
  manifest.vocabulary = vocabulary;
  manifest.fingerprint = fingerprint;
  for (const auto& [id, scan] : pass.shards) {
    manifest.shards.push_back(fs::path(shard_name(options.output, fingerprint, id)).string());
  }
  io::Sha256 train_sha, valid_sha;
  for (const auto& [id, scan] : pass.shards) {
    (id.first == 0 ? train_sha : valid_sha).update(scan.sha256);
  }
  auto& a = manifest.attributes;
  add_language_model_attributes(a, options, summary, tokenizer.describe());
  a["train_source"] = options.input;
  a["train_source_sha256_of_shards"] = train_sha.hex_digest();
  if (options.valid_path.empty()) {
    a["valid_source"] = fmt::format("train_source split by documents: valid_fraction={} seed={}",
                                    options.valid_fraction, options.seed);
  } else {
    a["valid_source"] = options.valid_path;
    a["valid_source_sha256_of_shards"] = valid_sha.hex_digest();
  }
  a["shard_bytes"] = std::to_string(shard_bytes_of(options));
  a["prepared_by_ranks"] = std::to_string(world_size);
  return manifest;
}

// Rank 0 writes the manifest; no rank returns before it is written, and a failure to write it
// fails every rank (Note [Agreeing on a user error]) instead of leaving them waiting.
void write_manifest_everywhere(const PrepareOptions& options, const DatasetManifest& manifest,
                               comm::Communicator& comm) {
  const comm::AgreeOutcome manifest_written = comm::agree(
      comm,
      [&] {
        if (comm.rank() != 0) return;
        write_manifest(options.output, manifest);
        // Shards of earlier runs (and temporaries of killed ones) that no manifest names any more.
        const std::set<std::string> keep(manifest.shards.begin(), manifest.shards.end());
        const fs::path folder = shards_folder(options.output);
        const std::string prefix = folder.filename().string() + "/";
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(folder, ec)) {
          if (!keep.contains(prefix + entry.path().filename().string()))
            fs::remove(entry.path(), ec);
        }
      },
      "prepare: manifest written");
  if (!manifest_written.ok) throw UserError(manifest_written.message);
}

}  // namespace

bool uses_sharded_prepare(const PrepareOptions& options) {
  if (options.format != "text" || options.document_per_file) return false;
  const int64_t shard_bytes = shard_bytes_of(options);
  for (const Input& input : inputs_of(options)) {
    std::error_code ec;
    const auto size = fs::file_size(input.path, ec);
    if (!ec && static_cast<int64_t>(size) > shard_bytes) return true;
  }
  return false;
}

PrepareSummary prepare_sharded(const PrepareOptions& options, comm::Communicator& comm) {
  check_vocab_option(options, /*language_model=*/true);
  check_test_split_options(options, /*language_model=*/true);
  const std::vector<Input> inputs = inputs_of(options);
  const DocumentTokenizer tokenizer = tokenizer_of(options);
  check_sharded_options(options);

  if (std::optional<PrepareSummary> done = up_to_date_summary(options, inputs, comm)) return *done;
  // With --valid FILE the split is known before any document is read: one pass counts tokens.
  const DocumentSplit file_split(inputs);
  const bool split_known = !options.valid_path.empty();
  Pass1 pass = run_pass1(options, inputs, tokenizer, split_known ? &file_split : nullptr, comm);
  throw_if(pass.error, inputs, pass.shards);
  const DocumentSplit split =
      split_known ? file_split : DocumentSplit(options, inputs, pass.shards);
  if (!split_known && tokenizer.kind != LmTokenizerKind::kByte) {
    Pass1 counted = run_pass1(options, inputs, tokenizer, &split, comm);
    throw_if(counted.error, inputs, pass.shards);
    pass.counts = std::move(counted.counts);
  }
  const std::string fingerprint = fingerprint_of(options, inputs, pass.shards);
  const std::vector<std::string> vocabulary = vocabulary_of(options, tokenizer, pass);
  PrepareSummary summary = summary_after_pass1(
      options, inputs, pass, static_cast<int64_t>(vocabulary.size()), comm.world_size());

  const std::vector<json> all =
      run_pass2(options, inputs, tokenizer, split, vocabulary, fingerprint, comm);
  throw_if(first_error(all), inputs, pass.shards);
  add_written_counts(all, summary);
  check_both_splits_have_documents(options, summary);
  write_manifest_everywhere(
      options,
      manifest_of(options, pass, vocabulary, fingerprint, summary, tokenizer, comm.world_size()),
      comm);
  return summary;
}

}  // namespace topiary::data
