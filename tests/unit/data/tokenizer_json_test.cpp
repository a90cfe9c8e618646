// Reading a Hugging Face tokenizer.json: what is taken from it, and every way one is refused
// (always naming the file and the key).
#include "data/tokenizer_json.h"

#include <gtest/gtest.h>

#include "test_support.h"
#include "wordpiece_fixture.h"

namespace topiary::data {
namespace {

using nlohmann::json;

WordPieceTokenizerFile parse(const json& file) {
  return parse_tokenizer_json(file.dump(), "t.json");
}

TEST(TokenizerJson, ReadsSettingsAndVocabularyInIdOrder) {
  test::TempDir dir;
  test::write_file(dir / "tokenizer.json", test::tiny_tokenizer_json().dump());
  for (const std::string& path : {dir.path().string(), dir / "tokenizer.json"}) {
    const WordPieceTokenizerFile file = read_tokenizer_json(path);
    EXPECT_EQ(file.path, dir / "tokenizer.json");
    EXPECT_EQ(file.vocabulary, test::tiny_vocabulary());
    const WordPieceSettings& s = file.settings;
    EXPECT_TRUE(s.normalizer.lowercase);
    EXPECT_TRUE(s.normalizer.strip_accents);  // null: as lowercase
    EXPECT_EQ(s.model.unk_token, "[UNK]");
    EXPECT_EQ(s.cls_token, "[CLS]");
    EXPECT_EQ(s.sep_token, "[SEP]");
    EXPECT_EQ(s.max_length, 0);
    ASSERT_EQ(s.added_tokens.size(), 5u);
    EXPECT_FALSE(s.added_tokens[0].normalized);
  }
}

TEST(TokenizerJson, TakesTruncationPaddingAndBertProcessing) {
  json file = test::tiny_tokenizer_json();
  file["normalizer"]["lowercase"] = false;
  file["truncation"] = {{"max_length", 128}, {"strategy", "LongestFirst"}, {"stride", 0}};
  file["padding"] = {{"pad_id", 0}, {"pad_token", "[PAD]"}};
  file["post_processor"] = {
      {"type", "BertProcessing"}, {"cls", {"[CLS]", 3}}, {"sep", {"[SEP]", 4}}};
  const WordPieceTokenizerFile read = parse(file);
  EXPECT_FALSE(read.settings.normalizer.lowercase);
  EXPECT_FALSE(read.settings.normalizer.strip_accents);
  EXPECT_EQ(read.settings.max_length, 128);
}

TEST(TokenizerJson, MissingFileAndBadJson) {
  test::TempDir dir;
  EXPECT_USER_ERROR(read_tokenizer_json(dir.path().string()), dir / "tokenizer.json", "cannot read",
                    "--vocab");
  test::write_file(dir / "tokenizer.json", "{\"model\": ");
  EXPECT_USER_ERROR(read_tokenizer_json(dir.path().string()), dir / "tokenizer.json",
                    "not a tokenizer.json");
}

TEST(TokenizerJson, RefusesOtherKindsOfTokenizer) {
  json file = test::tiny_tokenizer_json();
  file["model"]["type"] = "BPE";
  EXPECT_USER_ERROR(parse(file), "t.json", "'model.type'", "'BPE'", "WordPiece");
  file = test::tiny_tokenizer_json();
  file["normalizer"] = {{"type", "Lowercase"}};
  EXPECT_USER_ERROR(parse(file), "t.json", "'normalizer.type'", "'Lowercase'");
  file["normalizer"] = nullptr;
  EXPECT_USER_ERROR(parse(file), "t.json", "'normalizer'", "null");
  file = test::tiny_tokenizer_json();
  file["pre_tokenizer"] = {{"type", "Whitespace"}};
  EXPECT_USER_ERROR(parse(file), "t.json", "'pre_tokenizer.type'", "'Whitespace'");
  file = test::tiny_tokenizer_json();
  file["post_processor"] = {{"type", "RobertaProcessing"}};
  EXPECT_USER_ERROR(parse(file), "t.json", "'post_processor.type'", "[CLS] A [SEP]");
  file = test::tiny_tokenizer_json();
  file.erase("model");
  EXPECT_USER_ERROR(parse(file), "t.json", "'model'", "missing");
}

TEST(TokenizerJson, RefusesWhatItCannotReproduce) {
  json file = test::tiny_tokenizer_json();
  file["added_tokens"][4]["lstrip"] = true;
  EXPECT_USER_ERROR(parse(file), "t.json", "'added_tokens.4.lstrip'", "not support");
  file = test::tiny_tokenizer_json();
  file["normalizer"]["lowercase"] = "yes";
  EXPECT_USER_ERROR(parse(file), "t.json", "'normalizer.lowercase'", "wrong type");
  file = test::tiny_tokenizer_json();
  file["truncation"] = {{"max_length", 8}, {"direction", "Left"}};
  EXPECT_USER_ERROR(parse(file), "t.json", "'truncation.direction'");
}

TEST(TokenizerJson, RefusesVocabulariesThatBreakIds) {
  json file = test::tiny_tokenizer_json();
  file["model"]["vocab"].erase("hello");  // id 15 becomes a gap
  EXPECT_USER_ERROR(parse(file), "t.json", "'model.vocab'", "no token with id 15");
  file = test::tiny_tokenizer_json();
  file["model"]["vocab"]["[PAD]"] = 20;
  file["model"]["vocab"]["x"] = 0;
  file["added_tokens"].erase(0);
  EXPECT_USER_ERROR(parse(file), "t.json", "id 0", "'x'", "pad token");
  file = test::tiny_tokenizer_json();
  file["added_tokens"][1]["content"] = "[OTHER]";
  EXPECT_USER_ERROR(parse(file), "t.json", "'added_tokens.1'", "'[UNK]'");
  file = test::tiny_tokenizer_json();
  file["model"]["vocab"]["σ"] = 1000000000;  // refused before it sizes anything
  EXPECT_USER_ERROR(parse(file), "t.json", "'model.vocab.σ'", "has id 1000000000");
  file = test::tiny_tokenizer_json();
  file["post_processor"]["special_tokens"]["[CLS]"]["ids"] = {7};
  EXPECT_USER_ERROR(parse(file), "t.json", "'post_processor'", "'[CLS]' as id 7");
}

}  // namespace
}  // namespace topiary::data
