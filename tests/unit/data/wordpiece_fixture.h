#pragma once
// A tiny BERT tokenizer.json, shaped like the real ones (all-MiniLM-L6-v2's), for the WordPiece
// tests: [PAD] 0, [unused0] 1, [UNK] 2, [CLS] 3, [SEP] 4, [MASK] 5, then a few pieces. As in
// BERT, the unknown token is not Topiary's usual id 1.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace topiary::data::test {

inline const std::vector<std::string>& tiny_vocabulary() {
  static const std::vector<std::string> vocabulary = {
      "[PAD]", "[unused0]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "cafe",
      "!",     "a",         "##b",   "中",    "文",    "hello",  "'",  "t",     "don",    "σ"};
  return vocabulary;
}

inline nlohmann::json tiny_tokenizer_json() {
  nlohmann::json vocab = nlohmann::json::object();
  const auto& tokens = tiny_vocabulary();
  for (size_t id = 0; id < tokens.size(); ++id) vocab[tokens[id]] = id;
  nlohmann::json added = nlohmann::json::array();
  for (const int id : {0, 2, 3, 4, 5}) {
    added.push_back({{"id", id},
                     {"content", tokens[static_cast<size_t>(id)]},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  }
  const auto special = [](const char* token) {
    return nlohmann::json{{"SpecialToken", {{"id", token}, {"type_id", 0}}}};
  };
  return {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", added},
      {"normalizer",
       {{"type", "BertNormalizer"},
        {"clean_text", true},
        {"handle_chinese_chars", true},
        {"strip_accents", nullptr},
        {"lowercase", true}}},
      {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single",
         {special("[CLS]"), {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}, special("[SEP]")}},
        {"special_tokens",
         {{"[CLS]", {{"id", "[CLS]"}, {"ids", {3}}, {"tokens", {"[CLS]"}}}},
          {"[SEP]", {{"id", "[SEP]"}, {"ids", {4}}, {"tokens", {"[SEP]"}}}}}}}},
      {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
      {"model",
       {{"type", "WordPiece"},
        {"unk_token", "[UNK]"},
        {"continuing_subword_prefix", "##"},
        {"max_input_chars_per_word", 100},
        {"vocab", vocab}}},
  };
}

}  // namespace topiary::data::test
