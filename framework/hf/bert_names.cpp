#include "hf/bert_names.h"

#include <array>
#include <regex>
#include <utility>

#include "core/error.h"

namespace topiary::hf {
namespace {

using NamePair = std::pair<const char*, const char*>;  // {hugging face, topiary}

// Outside the blocks (names without the "bert." prefix).
constexpr std::array<NamePair, 8> kModelNames{{
    {"embeddings.word_embeddings.weight", "embedding.weight"},
    {"embeddings.position_embeddings.weight", "position.weight"},
    {"embeddings.token_type_embeddings.weight", "token_type.weight"},
    {"embeddings.LayerNorm.weight", "embedding_norm.weight"},
    {"embeddings.LayerNorm.bias", "embedding_norm.bias"},
    {"pooler.dense.weight", "pooler.weight"},
    {"pooler.dense.bias", "pooler.bias"},
    {"classifier.weight", "fc.weight"},
}};

// Inside block i: "encoder.layer.<i>.<first>" <-> "layers.<i>.<second>" (+ .weight / .bias).
constexpr std::array<NamePair, 8> kBlockNames{{
    {"attention.self.query", "attention.q"},
    {"attention.self.key", "attention.k"},
    {"attention.self.value", "attention.v"},
    {"attention.output.dense", "attention.o"},
    {"attention.output.LayerNorm", "norm1"},
    {"intermediate.dense", "ffn.up"},
    {"output.dense", "ffn.down"},
    {"output.LayerNorm", "norm2"},
}};

// Old TensorFlow-converted files name LayerNorm parameters gamma / beta.
std::string modern_suffix(const std::string& name) {
  for (const auto& [old_suffix, suffix] : {NamePair{".gamma", ".weight"}, {".beta", ".bias"}}) {
    const std::string o = old_suffix;
    if (name.size() > o.size() && name.compare(name.size() - o.size(), o.size(), o) == 0 &&
        name.find("LayerNorm") != std::string::npos) {
      return name.substr(0, name.size() - o.size()) + suffix;
    }
  }
  return name;
}

std::string without_bert_prefix(const std::string& name) {
  return name.rfind("bert.", 0) == 0 ? name.substr(5) : name;
}

}  // namespace

bool is_ignored_tensor(const std::string& hf_name) {
  const std::string name = without_bert_prefix(hf_name);
  return name == "embeddings.position_ids" || name.rfind("cls.", 0) == 0;
}

std::optional<std::string> topiary_name(const std::string& hf_name) {
  const std::string name = modern_suffix(without_bert_prefix(hf_name));
  if (name == "classifier.bias") return "fc.bias";
  for (const auto& [theirs, ours] : kModelNames) {
    if (name == theirs) return std::string(ours);
  }
  static const std::regex block(R"(encoder\.layer\.(\d+)\.(.+)\.(weight|bias))");
  std::smatch match;
  if (!std::regex_match(name, match, block)) return std::nullopt;
  for (const auto& [theirs, ours] : kBlockNames) {
    if (match[2] == theirs) {
      return "layers." + match[1].str() + "." + ours + "." + match[3].str();
    }
  }
  return std::nullopt;
}

std::string hf_name(const std::string& topiary_name) {
  if (topiary_name == "fc.bias") return "classifier.bias";
  if (topiary_name == "fc.weight") return "classifier.weight";
  for (const auto& [theirs, ours] : kModelNames) {
    if (topiary_name == ours) return "bert." + std::string(theirs);
  }
  static const std::regex block(R"(layers\.(\d+)\.(.+)\.(weight|bias))");
  std::smatch match;
  if (std::regex_match(topiary_name, match, block)) {
    for (const auto& [theirs, ours] : kBlockNames) {
      if (match[2] == ours) {
        return "bert.encoder.layer." + match[1].str() + "." + theirs + "." + match[3].str();
      }
    }
  }
  TOPIARY_ASSERT(false, "BERT parameter without a Hugging Face name: " + topiary_name);
  return {};
}

}  // namespace topiary::hf
