// `topiary thin` on recurrent models: hidden units whose output nothing reads are removed, the
// thinned model gives the masked model's logits, and parameter names stay PyTorch's.
#include "deploy/thinning.h"

#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "core/error.h"
#include "io/checkpoint_file.h"
#include "models/model.h"
#include "train/model_description.h"

namespace topiary::deploy {
namespace {

namespace fs = std::filesystem;
using Units = std::vector<int64_t>;  // hidden unit indices

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class RecurrentThinning : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("topiary_thin_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  // Not fs::remove_all: libtorch.so exports its own copy, which crashes when it wins the symbol
  // lookup in a binary linked against it.
  void TearDown() override { (void)std::system(("rm -rf '" + dir_.string() + "'").c_str()); }

  static models::ModelSpec spec(ModelType type, int64_t layers) {
    models::ModelSpec s;
    s.type = type;
    s.vocab_size = 30;
    s.num_classes = 3;
    s.embedding_dim = 5;
    s.hidden = 6;
    s.layers = layers;
    s.dropout = 0.3;
    return s;
  }

  // A random model; `masks` (all ones for every rnn / fc weight) zeroed where `zero` says,
  // and applied to the weights.
  struct Masked {
    std::shared_ptr<models::Model> model;
    std::map<std::string, torch::Tensor> masks;
  };
  static Masked make(
      const models::ModelSpec& s,
      const std::vector<std::function<void(std::map<std::string, torch::Tensor>&)>>& edits) {
    torch::manual_seed(7);
    Masked m{models::make_model(s), {}};
    m.model->eval();
    torch::NoGradGuard no_grad;
    for (const auto& p : m.model->named_parameters()) {
      if (p.key().rfind("rnn.weight", 0) == 0 || p.key() == "fc.weight")
        m.masks[p.key()] = torch::ones_like(p.value());
    }
    for (const auto& edit : edits) edit(m.masks);
    for (auto& p : m.model->named_parameters()) {
      const auto mask = m.masks.find(p.key());
      if (mask != m.masks.end()) p.value().mul_(mask->second);
    }
    return m;
  }

  static torch::Tensor tokens() {
    torch::manual_seed(11);
    torch::Tensor t = torch::randint(1, 30, {6, 9}, torch::kInt64);
    // Different lengths (padding id 0), one single-token example.
    const std::vector<int64_t> lengths{9, 4, 7, 1, 2, 9};
    for (int64_t i = 0; i < 6; ++i) t[i].slice(0, lengths[static_cast<size_t>(i)]).fill_(0);
    return t;
  }

  static io::NamedArray array(const std::string& name, const torch::Tensor& t) {
    const torch::Tensor f = t.detach().to(torch::kFloat32).contiguous();
    return {name, f.sizes().vec(),
            std::vector<float>(f.data_ptr<float>(), f.data_ptr<float>() + f.numel())};
  }

  // Writes the masked model as a checkpoint, thins it, and loads the result.
  struct Thinned {
    ThinResult result;
    models::ModelSpec spec;
    std::shared_ptr<models::Model> model;
  };
  Thinned thin(const models::ModelSpec& s, const Masked& m) {
    io::CheckpointContents contents;
    for (const auto& p : m.model->named_parameters())
      contents.weights.push_back(array(p.key(), p.value()));
    for (const auto& [name, mask] : m.masks) contents.masks.push_back(array(name, mask));
    contents.attributes["recipe"] =
        read_text(fs::path(TOPIARY_TEST_SOURCE_DIR) / "tests/data/recipes/tiny_layer.yaml");
    contents.attributes["model"] = train::describe_model(s, 0).dump();
    const std::string input = (dir_ / "in.h5").string(), output = (dir_ / "out.h5").string();
    io::write_checkpoint(input, contents);
    Thinned t;
    t.result = thin_checkpoint(input, output);
    const io::CheckpointContents thinned = io::read_checkpoint(output);
    int64_t dummy = 0;
    t.spec = train::spec_from_description(thinned.attributes.at("model"), output, &dummy);
    t.model = models::make_model(t.spec);
    t.model->eval();
    std::map<std::string, const io::NamedArray*> by_name;
    for (const auto& a : thinned.weights) by_name[a.name] = &a;
    torch::NoGradGuard no_grad;
    EXPECT_EQ(by_name.size(), t.model->named_parameters().size());
    for (auto& p : t.model->named_parameters()) {
      const io::NamedArray& a = *by_name.at(p.key());  // the same names as before thinning
      EXPECT_EQ(p.value().sizes().vec(), a.shape) << p.key();
      p.value().copy_(torch::from_blob(const_cast<float*>(a.values.data()), a.shape));
    }
    return t;
  }

  fs::path dir_;
};

// Zero column `unit` of direction d's hidden units in a [rows, 2h] (next layer) or [C, 4h] (fc)
// reader, and of weight_hh.
auto unread(int64_t layer, int d, Units units, int64_t h, int64_t layers) {
  return [=](std::map<std::string, torch::Tensor>& masks) {
    const std::string k = "_l" + std::to_string(layer) + (d == 0 ? "" : "_reverse");
    for (const int64_t j : units) {
      masks.at("rnn.weight_hh" + k).select(1, j).zero_();
      if (layer + 1 < layers) {
        for (const char* s : {"", "_reverse"}) {
          masks.at("rnn.weight_ih_l" + std::to_string(layer + 1) + s).select(1, d * h + j).zero_();
        }
      } else {
        masks.at("fc.weight").select(1, d * h + j).zero_();
        masks.at("fc.weight").select(1, 2 * h + d * h + j).zero_();
      }
    }
  };
}

int64_t count(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

TEST_F(RecurrentThinning, RemovesUnreadUnitsPerLayerWithEqualLogits) {
  for (const ModelType type : {ModelType::kBiLstm, ModelType::kBiGru}) {
    SCOPED_TRACE(std::string(kModelTypes.name(type)));
    const models::ModelSpec s = spec(type, 2);
    const Masked m = make(s, {unread(0, 0, {1, 3}, 6, 2), unread(0, 1, {2, 4, 5}, 6, 2),
                              unread(1, 0, {0, 4, 5}, 6, 2), unread(1, 1, {1, 5, 3}, 6, 2),
                              // Layer 1 forward unit 2: gate rows masked but output read -> kept.
                              [](auto& masks) {
                                const int64_t gates = masks.at("rnn.weight_ih_l1").size(0) / 6;
                                for (int64_t g = 0; g < gates; ++g) {
                                  masks.at("rnn.weight_ih_l1")[g * 6 + 2].zero_();
                                  masks.at("rnn.weight_hh_l1")[g * 6 + 2].zero_();
                                }
                              }});
    const Thinned t = thin(s, m);
    // Layer 0: forward keeps 4, reverse 3 -> 4 each; layer 1: 3 each.
    EXPECT_EQ(t.spec.hidden_per_layer, (std::vector<int64_t>{4, 3}));
    const torch::Tensor x = tokens();
    const torch::Tensor before = m.model->forward(x), after = t.model->forward(x);
    EXPECT_LE((before - after).abs().max().item<double>(), 1e-5);
    const int64_t gates = type == ModelType::kBiGru ? 3 : 4;
    // Per direction: gates*h*(in + h + 2); fc: 3*(4h) + 3; embedding 30*5.
    auto rnn = [&](int64_t in, int64_t h) { return 2 * gates * h * (in + h + 2); };
    EXPECT_EQ(t.result.parameters_before, 150 + rnn(5, 6) + rnn(12, 6) + 3 * 24 + 3);
    EXPECT_EQ(t.result.parameters_after, 150 + rnn(5, 4) + rnn(8, 3) + 3 * 12 + 3);
    EXPECT_EQ(count(*t.model), t.result.parameters_after);
    EXPECT_NE(t.result.report.find("rnn layer 1 reverse: 6 -> 3 hidden units (3 unread)"),
              std::string::npos)
        << t.result.report;
  }
}

TEST_F(RecurrentThinning, MaskedGateRowsAloneRemoveNothing) {
  // A unit with all its gate rows masked still changes over time (biases), so it stays.
  const models::ModelSpec s = spec(ModelType::kBiLstm, 1);
  const Masked m = make(s, {[](auto& masks) {
                          for (int64_t g = 0; g < 4; ++g) {
                            masks.at("rnn.weight_ih_l0")[g * 6 + 1].zero_();
                            masks.at("rnn.weight_hh_l0")[g * 6 + 1].zero_();
                          }
                        }});
  const Thinned t = thin(s, m);
  EXPECT_EQ(t.spec.hidden_per_layer, (std::vector<int64_t>{6}));
  EXPECT_EQ(t.result.parameters_after, t.result.parameters_before);
}

TEST_F(RecurrentThinning, KeepsOneUnitAndSingleLayerStaysStandard) {
  // Every unit unread: one survives per direction; one layer keeps torch::nn::GRU's layout.
  const models::ModelSpec s = spec(ModelType::kBiGru, 1);
  const Masked m =
      make(s, {unread(0, 0, {0, 1, 2, 3, 4, 5}, 6, 1), unread(0, 1, {0, 1, 2, 3, 4, 5}, 6, 1)});
  const Thinned t = thin(s, m);
  EXPECT_EQ(t.spec.hidden_per_layer, (std::vector<int64_t>{1}));
  const torch::Tensor x = tokens();
  EXPECT_LE((m.model->forward(x) - t.model->forward(x)).abs().max().item<double>(), 1e-5);
}

TEST_F(RecurrentThinning, ParameterNamesAreTorchsForAnySizes) {
  std::set<std::string> expected{"embedding.weight", "fc.weight", "fc.bias"};
  for (const char* l : {"0", "1"}) {
    for (const char* d : {"", "_reverse"}) {
      for (const char* w : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"})
        expected.insert(std::string("rnn.") + w + "_l" + l + d);
    }
  }
  for (const std::vector<int64_t>& sizes : {std::vector<int64_t>{}, {3, 5}}) {
    models::ModelSpec s = spec(ModelType::kBiLstm, 2);
    s.hidden_per_layer = sizes;
    const auto model = models::make_model(s);
    std::set<std::string> names;
    for (const auto& p : model->named_parameters()) names.insert(p.key());
    EXPECT_EQ(names, expected);
  }
}

TEST_F(RecurrentThinning, PerLayerSizesMustMatchTheLayers) {
  models::ModelSpec s = spec(ModelType::kBiLstm, 2);
  s.hidden_per_layer = {3};
  int64_t dummy = 0;
  EXPECT_THROW(train::spec_from_description(train::describe_model(s, 0).dump(), "model.h5", &dummy),
               UserError);
}

}  // namespace
}  // namespace topiary::deploy
