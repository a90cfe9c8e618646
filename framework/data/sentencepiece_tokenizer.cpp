#include "data/sentencepiece_tokenizer.h"

#include <fmt/format.h>
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <array>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "data/lm_tokenizer.h"
#include "data/vocabulary.h"
#include "data/wordpiece_settings.h"

namespace topiary::data {
namespace {

constexpr std::string_view kPrefix = "sentencepiece:";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 2]);
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kBase64[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kBase64[v & 63] : '=';
  }
  return out;
}

std::string base64_decode(std::string_view text) {
  std::array<int, 256> value{};
  value.fill(-1);
  for (int i = 0; i < 64; ++i) value[static_cast<unsigned char>(kBase64[i])] = i;
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == '=') break;
    const int v = value[static_cast<unsigned char>(c)];
    if (v < 0) throw UserError("tokenizer 'sentencepiece:...': the model is not valid base64");
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

class VectorIterator final : public sentencepiece::SentenceIterator {
 public:
  explicit VectorIterator(const std::vector<std::string>& texts) : texts_(texts) {}
  bool done() const override { return index_ >= texts_.size(); }
  void Next() override { ++index_; }
  const std::string& value() const override { return texts_[index_]; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  const std::vector<std::string>& texts_;
  size_t index_ = 0;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(path + ": cannot read the SentencePiece model (--sp-model)");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace

std::string make_sentencepiece_model(const std::vector<std::string>& texts,
                                     const SentencePieceOptions& options) {
  if (!options.model_file.empty()) {
    std::string model = read_file(options.model_file);
    SentencePieceEncoder check(model);  // throws with the file's name below if unusable
    (void)check;
    return model;
  }
  if (options.model_type != "bpe" && options.model_type != "unigram") {
    throw UserError("--sp-model-type must be bpe or unigram, not '" + options.model_type + "'");
  }
  if (options.vocab_size < 8) throw UserError("--sp-vocab-size must be >= 8");
  if (texts.empty()) throw UserError("no training text for the SentencePiece model");
  sentencepiece::SetRandomGeneratorSeed(static_cast<unsigned int>(options.seed));
  // One thread and no sentence sampling above the limit: the same corpus gives the same model.
  const std::string args = fmt::format(
      "--model_type={} --vocab_size={} --character_coverage={} --hard_vocab_limit=false "
      "--num_threads=1 --input_sentence_size=2000000 --shuffle_input_sentence=true "
      "--max_sentence_length=65536 --minloglevel=2",
      options.model_type, options.vocab_size, options.character_coverage);
  VectorIterator sentences(texts);
  std::string model;
  const auto status = sentencepiece::SentencePieceTrainer::Train(args, &sentences, &model);
  if (!status.ok()) throw UserError("training the SentencePiece model: " + status.ToString());
  return model;
}

std::string sentencepiece_description(const std::string& model) {
  return std::string(kPrefix) + base64_encode(model);
}

bool is_sentencepiece_description(std::string_view description) {
  return description.starts_with(kPrefix);
}

std::string short_tokenizer_description(const std::string& description) {
  if (is_wordpiece_description(description)) {
    try {
      return short_wordpiece_description(parse_wordpiece_description(description));
    } catch (const UserError&) {
      return "wordpiece (unreadable settings)";
    }
  }
  if (!is_sentencepiece_description(description)) return description;
  try {
    const SentencePieceEncoder encoder(description);
    return fmt::format("sentencepiece ({} pieces)", encoder.vocabulary(false).size());
  } catch (const UserError&) {
    return "sentencepiece (unreadable model)";
  }
}

SentencePieceEncoder::SentencePieceEncoder(const std::string& model_or_description)
    : processor_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {
  const std::string model =
      is_sentencepiece_description(model_or_description)
          ? base64_decode(std::string_view(model_or_description).substr(kPrefix.size()))
          : model_or_description;
  const auto status = processor_->LoadFromSerializedProto(model);
  if (!status.ok()) throw UserError("not a usable SentencePiece model: " + status.ToString());
}

SentencePieceEncoder::~SentencePieceEncoder() = default;
SentencePieceEncoder::SentencePieceEncoder(SentencePieceEncoder&&) noexcept = default;

std::vector<std::string> SentencePieceEncoder::pieces(std::string_view text) const {
  std::vector<std::string> out;
  const auto status = processor_->Encode(text, &out);
  if (!status.ok()) throw UserError("SentencePiece could not encode a text: " + status.ToString());
  return out;
}

std::string SentencePieceEncoder::decode(const std::vector<std::string>& pieces) const {
  std::string text;
  const auto status = processor_->Decode(pieces, &text);
  if (!status.ok()) throw UserError("SentencePiece could not decode: " + status.ToString());
  return text;
}

std::vector<std::string> SentencePieceEncoder::vocabulary(bool language_model) const {
  std::vector<std::string> vocabulary{kPadToken, kUnkToken};
  if (language_model) vocabulary.emplace_back(kEosToken);
  for (int id = 0; id < processor_->GetPieceSize(); ++id) {
    if (processor_->IsControl(id) || processor_->IsUnknown(id)) continue;
    const std::string& piece = processor_->IdToPiece(id);
    if (piece == kPadToken || piece == kUnkToken || piece == kEosToken) continue;
    vocabulary.push_back(piece);
  }
  return vocabulary;
}

std::string SentencePieceEncoder::model() const { return processor_->serialized_model_proto(); }

}  // namespace topiary::data
