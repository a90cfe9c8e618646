#pragma once
// Subword tokenizer: SentencePiece BPE or unigram (Debian's libsentencepiece), trained on the
// training split by `topiary prepare --tokenizer sentencepiece` or loaded from a `.model` file.
//
// The model travels inside the dataset (and from there into checkpoints and exports) as the
// tokenizer description "sentencepiece:<base64 of the serialized model proto>", so training,
// eval and predict all cut text the same way. Topiary's ids are its own: the vocabulary is
// "<pad>", "<unk>" (and "<eos>" for a language model), then the model's pieces in model id
// order without its control and unknown pieces; text is cut into pieces by the model and each
// piece looked up (a piece the vocabulary lacks is <unk>). A model from elsewhere (T5, Llama,
// ...) therefore works whatever ids it gave its specials.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace topiary::data {

struct SentencePieceOptions {
  std::string model_type = "bpe";  // bpe or unigram
  int64_t vocab_size = 8000;       // the model's pieces, its own specials included
  std::string model_file;          // load this model instead of training one
  double character_coverage = 0.9995;
  uint64_t seed = 1;
};

// Trains a model on `texts` (one sentence each; deterministic for the same texts and seed),
// or reads options.model_file. Returns the serialized model proto. Bad options or an
// unreadable model are UserErrors naming the option or file.
std::string make_sentencepiece_model(const std::vector<std::string>& texts,
                                     const SentencePieceOptions& options);

std::string sentencepiece_description(const std::string& model);
bool is_sentencepiece_description(std::string_view description);
// "sentencepiece (N pieces)" or "wordpiece (lowercase, max_length 128)": for summaries,
// instead of the whole model or settings; other descriptions unchanged.
std::string short_tokenizer_description(const std::string& description);

class SentencePieceEncoder {
 public:
  // From a serialized model or a "sentencepiece:..." description.
  explicit SentencePieceEncoder(const std::string& model_or_description);
  ~SentencePieceEncoder();
  SentencePieceEncoder(SentencePieceEncoder&&) noexcept;

  std::vector<std::string> pieces(std::string_view text) const;
  std::string decode(const std::vector<std::string>& pieces) const;
  // <pad>, <unk>, [<eos>], then the model's normal and user-defined pieces.
  std::vector<std::string> vocabulary(bool language_model) const;
  std::string model() const;

 private:
  std::unique_ptr<sentencepiece::SentencePieceProcessor> processor_;
};

}  // namespace topiary::data
