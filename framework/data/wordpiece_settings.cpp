#include "data/wordpiece_settings.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace topiary::data {
namespace {

constexpr std::string_view kPrefix = "wordpiece:";

nlohmann::json added_tokens_json(const std::vector<AddedToken>& tokens) {
  nlohmann::json out = nlohmann::json::array();
  for (const AddedToken& token : tokens) {
    out.push_back({{"content", token.content},
                   {"normalized", token.normalized},
                   {"in_vocab", token.in_vocab}});
  }
  return out;
}

// json.at(key).get<T>(), with a UserError naming the key instead of nlohmann's message.
template <typename T>
T field(const nlohmann::json& json, const char* key) {
  try {
    return json.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw UserError(std::string("tokenizer 'wordpiece:...': key '") + key +
                    "' is missing or has the wrong type");
  }
}

}  // namespace

std::string wordpiece_description(const WordPieceSettings& s) {
  const nlohmann::json json = {
      {"clean_text", s.normalizer.clean_text},
      {"handle_chinese_chars", s.normalizer.handle_chinese_chars},
      {"strip_accents", s.normalizer.strip_accents},
      {"lowercase", s.normalizer.lowercase},
      {"unk_token", s.model.unk_token},
      {"continuing_subword_prefix", s.model.continuing_subword_prefix},
      {"max_input_chars_per_word", s.model.max_input_chars_per_word},
      {"cls_token", s.cls_token},
      {"sep_token", s.sep_token},
      {"pad_token", s.pad_token},
      {"added_tokens", added_tokens_json(s.added_tokens)},
      {"max_length", s.max_length},
  };
  return std::string(kPrefix) + json.dump();
}

bool is_wordpiece_description(std::string_view description) {
  return description.starts_with(kPrefix);
}

WordPieceSettings parse_wordpiece_description(const std::string& description) {
  const nlohmann::json json =
      nlohmann::json::parse(description.substr(std::min(kPrefix.size(), description.size())),
                            nullptr, /*allow_exceptions=*/false);
  if (!is_wordpiece_description(description) || !json.is_object()) {
    throw UserError("tokenizer '" + description.substr(0, 40) +
                    "' is not a wordpiece description (wordpiece:{...})");
  }
  WordPieceSettings s;
  s.normalizer = {field<bool>(json, "clean_text"), field<bool>(json, "handle_chinese_chars"),
                  field<bool>(json, "strip_accents"), field<bool>(json, "lowercase")};
  s.model = {field<std::string>(json, "unk_token"),
             field<std::string>(json, "continuing_subword_prefix"),
             field<int64_t>(json, "max_input_chars_per_word")};
  s.cls_token = field<std::string>(json, "cls_token");
  s.sep_token = field<std::string>(json, "sep_token");
  s.pad_token = field<std::string>(json, "pad_token");
  s.max_length = field<int64_t>(json, "max_length");
  const auto added = field<nlohmann::json>(json, "added_tokens");
  if (!added.is_array()) throw UserError("tokenizer 'wordpiece:...': 'added_tokens' is not a list");
  for (const nlohmann::json& token : added) {
    s.added_tokens.push_back({field<std::string>(token, "content"),
                              field<bool>(token, "normalized"), field<bool>(token, "in_vocab")});
  }
  return s;
}

std::string short_wordpiece_description(const WordPieceSettings& s) {
  return fmt::format("wordpiece ({}{}, max_length {})",
                     s.normalizer.lowercase ? "lowercase" : "cased",
                     s.normalizer.strip_accents ? ", accents stripped" : "",
                     s.max_length > 0 ? std::to_string(s.max_length) : "none");
}

}  // namespace topiary::data
