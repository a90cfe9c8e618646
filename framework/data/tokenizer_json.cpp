#include "data/tokenizer_json.h"

#include <H5Cpp.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <type_traits>
#include <utility>

#include "core/error.h"
#include "io/hdf5_util.h"
#include "io/imported_model.h"

namespace topiary::data {
namespace {

using nlohmann::json;

// Names the file in every message: "<path>: key 'model.type' is 'BPE'; ...".
class JsonFile {
 public:
  JsonFile(const json& root, std::string path) : root_(root), path_(std::move(path)) {}

  [[noreturn]] void refuse(const std::string& key, const std::string& why) const {
    throw UserError(path_ + ": key '" + key + "' " + why);
  }

  // The value at a dotted key ("normalizer.type"); missing is refused.
  const json& at(const std::string& key) const {
    const json* node = &root_;
    size_t start = 0;
    while (true) {
      const size_t dot = key.find('.', start);
      const std::string part = key.substr(start, dot == std::string::npos ? dot : dot - start);
      if (!node->is_object() || !node->contains(part)) refuse(key, "is missing");
      node = &(*node)[part];
      if (dot == std::string::npos) return *node;
      start = dot + 1;
    }
  }

  template <typename T>
  T get(const std::string& key, const json& value) const {
    const bool fits = std::is_same_v<T, bool>          ? value.is_boolean()
                      : std::is_same_v<T, std::string> ? value.is_string()
                                                       : value.is_number_integer();
    if (!fits) refuse(key, "has the wrong type (" + std::string(value.type_name()) + ")");
    return value.get<T>();
  }
  template <typename T>
  T get(const std::string& key) const {
    return get<T>(key, at(key));
  }

  // object[name] when present, else `fallback`.
  template <typename T>
  T get_or(const std::string& key, const json& object, const char* name, T fallback) const {
    if (!object.contains(name)) return fallback;
    return get<T>(key + "." + name, object[name]);
  }

  // `section`.type must be `expected`; `what` says what is supported instead.
  void expect_type(const std::string& section, const std::string& expected,
                   const std::string& what) const {
    if (at(section).is_null()) refuse(section, "is null; " + what);
    const auto type = get<std::string>(section + ".type");
    if (type != expected) refuse(section + ".type", "is '" + type + "'; " + what);
  }

 private:
  const json& root_;
  std::string path_;
};

BertNormalizerOptions read_normalizer(const JsonFile& file) {
  BertNormalizerOptions options;
  options.clean_text = file.get<bool>("normalizer.clean_text");
  options.handle_chinese_chars = file.get<bool>("normalizer.handle_chinese_chars");
  options.lowercase = file.get<bool>("normalizer.lowercase");
  const json& strip = file.at("normalizer.strip_accents");
  options.strip_accents =
      strip.is_null() ? options.lowercase : file.get<bool>("normalizer.strip_accents", strip);
  return options;
}

WordPieceModelOptions read_model(const JsonFile& file) {
  WordPieceModelOptions options;
  options.unk_token = file.get<std::string>("model.unk_token");
  options.continuing_subword_prefix = file.get<std::string>("model.continuing_subword_prefix");
  options.max_input_chars_per_word = file.get<int64_t>("model.max_input_chars_per_word");
  if (options.max_input_chars_per_word < 1) {
    file.refuse("model.max_input_chars_per_word", "must be at least 1");
  }
  return options;
}

// Ids run from 0 without gaps, so none reaches the number of tokens: a check made before any
// id sizes a table (a stray 10^9 must not allocate 10^9 strings).
int64_t id_limit(const JsonFile& file) {
  const json& vocab = file.at("model.vocab");
  const json& added = file.at("added_tokens");
  if (!vocab.is_object() || vocab.empty()) file.refuse("model.vocab", "is not a non-empty object");
  if (!added.is_array()) file.refuse("added_tokens", "is not a list");
  return static_cast<int64_t>(vocab.size() + added.size());
}

std::string out_of_range(int64_t id, int64_t limit) {
  return "has id " + std::to_string(id) + "; ids must run from 0 to " + std::to_string(limit - 1) +
         " at most, without gaps";
}

// id -> token, from model.vocab; gaps stay empty for added_tokens to fill.
std::vector<std::string> read_vocab(const JsonFile& file, int64_t limit) {
  std::vector<std::string> by_id;
  for (const auto& [token, value] : file.at("model.vocab").items()) {
    const auto id = file.get<int64_t>("model.vocab." + token, value);
    if (id < 0 || id >= limit) file.refuse("model.vocab." + token, out_of_range(id, limit));
    const auto slot = static_cast<size_t>(id);
    if (by_id.size() <= slot) by_id.resize(slot + 1);
    if (!by_id[slot].empty())
      file.refuse("model.vocab." + token, "repeats id " + std::to_string(id));
    by_id[slot] = token;
  }
  return by_id;
}

// Adds added_tokens to the vocabulary (an id that model.vocab gives another token is refused)
// and returns them.
std::vector<AddedToken> read_added_tokens(const JsonFile& file, int64_t limit,
                                          std::vector<std::string>& by_id) {
  const json& tokens = file.at("added_tokens");
  std::vector<AddedToken> out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string key = "added_tokens." + std::to_string(i);
    const json& token = tokens[i];
    if (!token.is_object()) file.refuse(key, "is not an object");
    const auto content = file.get_or<std::string>(key, token, "content", "");
    const auto id = file.get_or<int64_t>(key, token, "id", -1);
    if (content.empty()) file.refuse(key, "has no content");
    if (id < 0 || id >= limit) file.refuse(key, out_of_range(id, limit));
    for (const char* flag : {"single_word", "lstrip", "rstrip"}) {
      if (file.get_or<bool>(key, token, flag, false)) {
        file.refuse(key + "." + flag, "is true; Topiary does not support it");
      }
    }
    const auto slot = static_cast<size_t>(id);
    if (by_id.size() <= slot) by_id.resize(slot + 1);
    const bool in_vocab = by_id[slot] == content;
    if (!in_vocab && !by_id[slot].empty()) {
      file.refuse(key, "gives id " + std::to_string(id) + " to '" + content +
                           "', which model.vocab gives to '" + by_id[slot] + "'");
    }
    by_id[slot] = content;
    const bool special = file.get_or<bool>(key, token, "special", false);
    out.push_back({content, file.get_or<bool>(key, token, "normalized", !special), in_vocab});
  }
  return out;
}

struct Framing {
  std::string cls, sep;
  int64_t cls_id = -1, sep_id = -1;  // the ids the post-processor writes
};

Framing read_bert_processing(const JsonFile& file) {
  const json& cls = file.at("post_processor.cls");
  const json& sep = file.at("post_processor.sep");
  if (!cls.is_array() || cls.size() != 2 || !sep.is_array() || sep.size() != 2) {
    file.refuse("post_processor", "has no [token, id] pairs cls and sep");
  }
  return {file.get<std::string>("post_processor.cls.0", cls[0]),
          file.get<std::string>("post_processor.sep.0", sep[0]),
          file.get<int64_t>("post_processor.cls.1", cls[1]),
          file.get<int64_t>("post_processor.sep.1", sep[1])};
}

Framing read_template_processing(const JsonFile& file, const std::string& what) {
  const json& single = file.at("post_processor.single");
  const auto special = [](const json& item) -> std::string {
    const json* token =
        item.is_object() && item.contains("SpecialToken") ? &item["SpecialToken"] : nullptr;
    return token && token->is_object() && token->contains("id") && (*token)["id"].is_string()
               ? (*token)["id"].get<std::string>()
               : "";
  };
  if (!single.is_array() || single.size() != 3 || special(single[0]).empty() ||
      !single[1].is_object() || !single[1].contains("Sequence") || special(single[2]).empty()) {
    file.refuse("post_processor.single", "is not [CLS] A [SEP]; " + what);
  }
  Framing framing{special(single[0]), special(single[2])};
  const json& specials = file.at("post_processor.special_tokens");
  const auto id_of = [&](const std::string& token) {  // token may hold a '.': no dotted lookup
    const std::string key = "post_processor.special_tokens." + token + ".ids";
    const bool found = specials.is_object() && specials.contains(token) &&
                       specials[token].is_object() && specials[token].contains("ids");
    if (!found) file.refuse(key, "is missing");
    const json& ids = specials[token]["ids"];
    if (!ids.is_array() || ids.size() != 1) file.refuse(key, "is not one id");
    return file.get<int64_t>(key, ids[0]);
  };
  framing.cls_id = id_of(framing.cls);
  framing.sep_id = id_of(framing.sep);
  return framing;
}

// The post-processor must make "[CLS] A [SEP]" of one text.
Framing read_post_processor(const JsonFile& file) {
  const std::string what = "only [CLS] A [SEP] (TemplateProcessing or BertProcessing) is supported";
  if (file.at("post_processor").is_null()) file.refuse("post_processor", "is null; " + what);
  const auto type = file.get<std::string>("post_processor.type");
  if (type == "BertProcessing") return read_bert_processing(file);
  if (type != "TemplateProcessing")
    file.refuse("post_processor.type", "is '" + type + "'; " + what);
  return read_template_processing(file, what);
}

void check_vocabulary(const JsonFile& file, const WordPieceSettings& s, const Framing& framing,
                      const std::vector<std::string>& by_id) {
  for (size_t id = 0; id < by_id.size(); ++id) {
    if (by_id[id].empty()) {
      file.refuse("model.vocab", "has no token with id " + std::to_string(id) +
                                     " (ids must run from 0 without gaps)");
    }
  }
  std::map<std::string, int64_t> ids;
  for (size_t id = 0; id < by_id.size(); ++id) {
    const auto [it, fresh] = ids.emplace(by_id[id], static_cast<int64_t>(id));
    if (!fresh) {
      file.refuse("added_tokens", "gives '" + by_id[id] + "' a second id (" + std::to_string(id) +
                                      " and " + std::to_string(it->second) + ")");
    }
  }
  if (!ids.count(s.model.unk_token)) file.refuse("model.unk_token", "is not in model.vocab");
  for (const auto& [token, id] :
       {std::pair(framing.cls, framing.cls_id), std::pair(framing.sep, framing.sep_id)}) {
    if (!ids.count(token) || ids[token] != id) {
      file.refuse("post_processor", "writes '" + token + "' as id " + std::to_string(id) +
                                        ", which is not that token's id in the vocabulary");
    }
  }
  if (by_id[0] != s.pad_token) {
    file.refuse("model.vocab", "gives id 0 to '" + by_id[0] + "', not to the pad token '" +
                                   s.pad_token + "' (models pad with id 0)");
  }
}

int64_t read_truncation(const JsonFile& file) {
  const json& truncation = file.at("truncation");
  if (truncation.is_null()) return 0;
  if (file.get_or<std::string>("truncation", truncation, "direction", "Right") != "Right") {
    file.refuse("truncation.direction", "is not 'Right'; Topiary keeps a text's first tokens");
  }
  const auto max_length = file.get<int64_t>("truncation.max_length");
  if (max_length < 0) file.refuse("truncation.max_length", "is negative");
  return max_length;
}

}  // namespace

WordPieceTokenizerFile parse_tokenizer_json(const std::string& text, const std::string& path) {
  const json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    throw UserError(path + ": not a tokenizer.json (not a JSON object)");
  }
  const JsonFile file(root, path);
  const std::string what = "only BERT WordPiece tokenizers are supported";
  file.expect_type("model", "WordPiece", what);
  file.expect_type("normalizer", "BertNormalizer", what);
  file.expect_type("pre_tokenizer", "BertPreTokenizer", what);
  WordPieceTokenizerFile out;
  out.path = path;
  WordPieceSettings& s = out.settings;
  s.normalizer = read_normalizer(file);
  s.model = read_model(file);
  const Framing framing = read_post_processor(file);
  s.cls_token = framing.cls;
  s.sep_token = framing.sep;
  if (root.contains("padding") && !root["padding"].is_null()) {
    s.pad_token = file.get<std::string>("padding.pad_token");
  }
  s.max_length = read_truncation(file);
  const int64_t limit = id_limit(file);
  out.vocabulary = read_vocab(file, limit);
  s.added_tokens = read_added_tokens(file, limit, out.vocabulary);
  check_vocabulary(file, s, framing, out.vocabulary);
  return out;
}

namespace {
bool has_hdf5_signature(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[8] = {};
  return in.read(head, sizeof(head)) && std::string(head, 8) == std::string("\x89HDF\r\n\x1a\n", 8);
}
}  // namespace

WordPieceTokenizerFile read_tokenizer_json(const std::string& path) {
  if (has_hdf5_signature(path)) {
    // A model file from `topiary import hf` carries its tokenizer.json as an attribute.
    const std::optional<std::string> text = io::checked_hdf5(path, [&] {
      const H5::H5File model(path, H5F_ACC_RDONLY);
      return io::read_string_attribute(model, io::kImportedTokenizerAttribute);
    });
    if (!text || text->empty()) {
      throw UserError(path +
                      ": not a model from `topiary import hf` with a tokenizer (--vocab: a "
                      "folder holding tokenizer.json, the file itself, or such a model)");
    }
    return parse_tokenizer_json(*text, path + ":" + io::kImportedTokenizerAttribute);
  }
  const std::filesystem::path file = std::filesystem::is_directory(path)
                                         ? std::filesystem::path(path) / "tokenizer.json"
                                         : std::filesystem::path(path);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw UserError(file.string() +
                    ": cannot read it (--vocab: a folder holding tokenizer.json, "
                    "or the tokenizer.json itself)");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_tokenizer_json(text.str(), file.string());
}

}  // namespace topiary::data
