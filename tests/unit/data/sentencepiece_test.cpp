// SentencePiece subword tokenizer: trained by prepare on real corpora (SST-2 for
// classification, WikiText-2 for a language model, BPE and unigram), deterministic, carried in
// the dataset so TextEncoder (predict, exports) cuts text exactly as prepare did.
#include <gtest/gtest.h>

#include "data/prepare.h"
#include "data/sentencepiece_tokenizer.h"
#include "data/text_encoder.h"
#include "data/vocabulary.h"
#include "test_support.h"

namespace topiary::data {
namespace {

PrepareOptions sst2_sentencepiece(const std::string& type) {
  PrepareOptions options;
  options.input = test::sst2_path("dev.tsv");
  options.format = "tsv";
  options.tokenizer = "sentencepiece";
  options.sp_model_type = type;
  options.sp_vocab_size = 500;
  options.valid_fraction = 0.2;
  return options;
}

TEST(SentencePiece, ClassificationBpeAndUnigramOnSst2) {
  for (const std::string type : {"bpe", "unigram"}) {
    PrepareSummary summary;
    const Dataset a = build_dataset(sst2_sentencepiece(type), &summary);
    const Dataset b = build_dataset(sst2_sentencepiece(type), nullptr);
    EXPECT_EQ(a.vocabulary, b.vocabulary) << type << ": training is not deterministic";
    EXPECT_EQ(a.train.tokens, b.train.tokens);
    ASSERT_GE(a.vocabulary.size(), 300u) << type;
    EXPECT_LE(a.vocabulary.size(), 502u) << type;
    EXPECT_EQ(a.vocabulary[kPadId], kPadToken);
    EXPECT_EQ(a.vocabulary[kUnkId], kUnkToken);
    EXPECT_TRUE(is_sentencepiece_description(a.attributes.at("tokenizer")));
    // Almost no <unk> in the training split (character_coverage leaves out the rarest characters).
    int64_t unknown = 0;
    for (int32_t id : a.train.tokens) unknown += id == kUnkId;
    EXPECT_LT(unknown * 100, static_cast<int64_t>(a.train.tokens.size())) << type;
    // The encoder built from the stored description (what predict uses) round-trips text.
    const TextEncoder encoder(a.vocabulary, a.attributes.at("tokenizer"));
    const std::vector<int64_t> ids = encoder.encode("a gripping , funny film");
    EXPECT_GE(ids.size(), 5u);
    EXPECT_EQ(encoder.decode(ids), "a gripping , funny film");
  }
}

TEST(SentencePiece, LanguageModelOnWikiText2RoundTrips) {
  PrepareOptions options;
  options.input = test::data_file("wikitext2/wiki.valid.tokens");
  options.format = "text";
  options.tokenizer = "sentencepiece";
  options.sp_vocab_size = 2000;
  PrepareSummary summary;
  const Dataset dataset = build_dataset(options, &summary);
  EXPECT_EQ(dataset.kind, kLanguageModelKind);
  EXPECT_EQ(dataset.vocabulary[2], "<eos>");
  const TextEncoder encoder(dataset.vocabulary, dataset.attributes.at("tokenizer"));
  const std::string text = "The game 's battle system was praised by critics .";
  EXPECT_EQ(encoder.decode(encoder.encode(text)), text);
  // Document 0 decodes to a real line of the file (whitespace normalised by the model).
  std::vector<int64_t> first(dataset.train.tokens.begin(),
                             dataset.train.tokens.begin() + dataset.train.offsets[1]);
  EXPECT_FALSE(encoder.decode(first).empty());
}

TEST(SentencePiece, LoadsAModelFileAndRejectsBadOnes) {
  test::TempDir dir;
  const Dataset trained = build_dataset(sst2_sentencepiece("bpe"), nullptr);
  const SentencePieceEncoder encoder(trained.attributes.at("tokenizer"));
  const std::string model_path = dir.path() / "m.model";
  std::ofstream(model_path, std::ios::binary) << encoder.model();
  PrepareOptions options = sst2_sentencepiece("bpe");
  options.sp_model = model_path;
  options.sp_vocab_size = 50;  // ignored: the file's model is used as is
  const Dataset loaded = build_dataset(options, nullptr);
  EXPECT_EQ(loaded.vocabulary, trained.vocabulary);
  EXPECT_EQ(loaded.train.tokens, trained.train.tokens);

  std::ofstream(dir.path() / "bad.model") << "not a model";
  options.sp_model = dir.path() / "bad.model";
  EXPECT_THROW(build_dataset(options, nullptr), UserError);
  options.sp_model = dir.path() / "missing.model";
  try {
    build_dataset(options, nullptr);
    FAIL() << "no error for a missing model";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.model"), std::string::npos) << e.what();
  }
}

TEST(FixedLabels, OrderIsKeptAndUnknownLabelsNameTheirLine) {
  PrepareOptions options;
  options.input = test::sst2_path("dev.tsv");
  options.format = "tsv";
  options.labels = {"1", "0"};
  const Dataset dataset = build_dataset(options, nullptr);
  EXPECT_EQ(dataset.label_names, (std::vector<std::string>{"1", "0"}));
  options.labels = {"0", "2"};
  try {
    build_dataset(options, nullptr);
    FAIL() << "no error for a label outside --labels";
  } catch (const UserError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("dev.tsv:"), std::string::npos) << message;
    EXPECT_NE(message.find("label '1' is not in --labels"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace topiary::data
