// model.embedding_init: uniform draws embedding.weight from U(-range, range), keeps the padding
// row at zero, and is as deterministic as the default N(0, 1) draw.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/model.h"

namespace topiary::models {
namespace {

ModelSpec small_spec(ModelType type, EmbeddingInit init) {
  ModelSpec spec;
  spec.type = type;
  spec.vocab_size = 200;
  spec.num_classes = 2;
  spec.embedding_dim = 16;
  spec.filters = 4;
  spec.heads = 2;
  spec.ffn = 8;
  spec.max_positions = 8;
  spec.embedding_init = init;
  spec.embedding_init_range = 0.1;
  return spec;
}

torch::Tensor embedding_of(const ModelSpec& spec, uint64_t seed) {
  torch::manual_seed(seed);
  return make_model(spec)->named_parameters()["embedding.weight"].detach().clone();
}

TEST(EmbeddingInit, UniformStaysInRangeAndKeepsThePaddingRow) {
  const torch::Tensor w = embedding_of(small_spec(ModelType::kTextCnn, EmbeddingInit::kUniform), 1);
  EXPECT_LE(w.abs().max().item<float>(), 0.1F);
  EXPECT_GT(w.abs().max().item<float>(), 0.09F);    // fills the range, not a smaller one
  EXPECT_EQ(w[0].abs().sum().item<float>(), 0.0F);  // textcnn pads with id 0
  EXPECT_GT(w[1].abs().sum().item<float>(), 0.0F);
  // U(-r, r) has standard deviation r / sqrt(3) = 0.0577.
  EXPECT_NEAR(w.slice(0, 1).std().item<float>(), 0.0577F, 0.005F);
}

TEST(EmbeddingInit, NormalIsTheModulesOwnDraw) {
  const torch::Tensor w = embedding_of(small_spec(ModelType::kTextCnn, EmbeddingInit::kNormal), 1);
  EXPECT_NEAR(w.slice(0, 1).std().item<float>(), 1.0F, 0.05F);
}

TEST(EmbeddingInit, SameSeedSameDrawOtherSeedOther) {
  for (ModelType type :
       {ModelType::kTextCnn, ModelType::kBiLstm, ModelType::kTransformer, ModelType::kGpt}) {
    const ModelSpec spec = small_spec(type, EmbeddingInit::kUniform);
    const torch::Tensor a = embedding_of(spec, 5);
    EXPECT_TRUE(torch::equal(a, embedding_of(spec, 5))) << kModelTypes.name(type);
    EXPECT_FALSE(torch::equal(a, embedding_of(spec, 6))) << kModelTypes.name(type);
    EXPECT_LE(a.abs().max().item<float>(), 0.1F) << kModelTypes.name(type);
  }
  // gpt has no padding row: its row 0 is drawn like the others.
  EXPECT_GT(embedding_of(small_spec(ModelType::kGpt, EmbeddingInit::kUniform), 5)[0]
                .abs()
                .sum()
                .item<float>(),
            0.0F);
}

}  // namespace
}  // namespace topiary::models
