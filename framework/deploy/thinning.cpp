#include "deploy/thinning.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>

#include "core/error.h"
#include "data/dataset.h"
#include "io/checkpoint_file.h"
#include "train/model_description.h"
#include "train/open_checkpoint.h"

namespace topiary::deploy {
namespace {

using Tensors = std::map<std::string, torch::Tensor>;

Tensors to_tensors(const std::vector<io::NamedArray>& arrays) {
  Tensors out;
  for (const auto& a : arrays) {
    out[a.name] = torch::from_blob(const_cast<float*>(a.values.data()), a.shape, torch::kFloat32)
                      .clone()
                      .to(torch::kFloat64);  // folding in double keeps the outputs equal
  }
  return out;
}

std::vector<io::NamedArray> to_arrays(const Tensors& tensors) {
  std::vector<io::NamedArray> out;
  for (const auto& [name, t] : tensors) {
    const torch::Tensor f = t.to(torch::kFloat32).contiguous();
    io::NamedArray a;
    a.name = name;
    a.shape = f.sizes().vec();
    a.values.assign(f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
    out.push_back(std::move(a));
  }
  return out;
}

// Entries along `dim` of `mask` (or, without a mask, of the weight) that are entirely zero.
torch::Tensor all_zero_along(const Tensors& weights, const Tensors& masks, const std::string& name,
                             int64_t dim) {
  const auto m = masks.find(name);
  const torch::Tensor t = m != masks.end() ? m->second : weights.at(name);
  const torch::Tensor moved = t.movedim(dim, 0).reshape({t.size(dim), -1});
  return (moved == 0).all(1);
}

// Keeps indices where `remove` is false; at least one (the first) survives.
torch::Tensor kept_indices(torch::Tensor remove) {
  if (remove.all().item<bool>()) {
    remove = remove.clone();
    remove[0] = false;
  }
  return (~remove).nonzero().reshape({-1});
}

void select(Tensors& tensors, const std::string& name, int64_t dim, const torch::Tensor& index) {
  const auto it = tensors.find(name);
  if (it != tensors.end()) it->second = it->second.index_select(dim, index).contiguous();
}

// Both weights and masks follow the same slicing.
struct Model {
  Tensors weights, masks;
  void slice(const std::string& name, int64_t dim, const torch::Tensor& index) {
    select(weights, name, dim, index);
    select(masks, name, dim, index);
  }
};

std::string thin_textcnn(Model& m, models::ModelSpec& spec) {
  std::string report;
  std::vector<torch::Tensor> kept_columns;
  int64_t offset = 0;
  torch::NoGradGuard no_grad;
  spec.filters_per_width.clear();
  for (size_t i = 0; i < spec.widths.size(); ++i) {
    const std::string conv = "convs." + std::to_string(i);
    const torch::Tensor remove = all_zero_along(m.weights, m.masks, conv + ".weight", 0);
    const torch::Tensor keep = kept_indices(remove);
    const int64_t filters = remove.size(0);
    // A removed channel always outputs relu(bias) after pooling: fold it into fc.bias.
    const torch::Tensor removed =
        (remove.clone().index_fill_(0, keep, false)).nonzero().reshape({-1});
    if (removed.numel() > 0) {
      const torch::Tensor constant =
          torch::relu(m.weights.at(conv + ".bias").index_select(0, removed));
      const torch::Tensor columns = m.weights.at("fc.weight").index_select(1, removed + offset);
      m.weights.at("fc.bias") += torch::matmul(columns, constant);
    }
    m.slice(conv + ".weight", 0, keep);
    m.slice(conv + ".bias", 0, keep);
    kept_columns.push_back(keep + offset);
    spec.filters_per_width.push_back(keep.numel());
    report += conv + ": " + std::to_string(filters) + " -> " + std::to_string(keep.numel()) +
              " channels\n";
    offset += filters;
  }
  m.slice("fc.weight", 1, torch::cat(kept_columns));
  return report;
}

std::string thin_transformer(Model& m, models::ModelSpec& spec) {
  std::string report;
  torch::NoGradGuard no_grad;
  const int64_t head_dim = spec.embedding_dim / spec.heads;
  std::vector<int64_t> heads, ffn;
  for (int64_t l = 0; l < spec.layers; ++l) {
    const std::string p = "layers." + std::to_string(l) + ".";
    // FFN neurons.
    const torch::Tensor dead_in = all_zero_along(m.weights, m.masks, p + "ffn.up.weight", 0);
    const torch::Tensor dead_out = all_zero_along(m.weights, m.masks, p + "ffn.down.weight", 1);
    const torch::Tensor keep = kept_indices(dead_in | dead_out);
    const torch::Tensor removed =
        (dead_in & ~dead_out).clone().index_fill_(0, keep, false).nonzero().reshape({-1});
    if (removed.numel() > 0) {  // gelu(up.bias) feeds down: a constant
      const torch::Tensor constant =
          torch::gelu(m.weights.at(p + "ffn.up.bias").index_select(0, removed));
      m.weights.at(p + "ffn.down.bias") +=
          torch::matmul(m.weights.at(p + "ffn.down.weight").index_select(1, removed), constant);
    }
    const int64_t neurons = dead_in.size(0);
    m.slice(p + "ffn.up.weight", 0, keep);
    m.slice(p + "ffn.up.bias", 0, keep);
    m.slice(p + "ffn.down.weight", 1, keep);
    ffn.push_back(keep.numel());
    // Heads: groups of head_dim rows of q/k/v and columns of o.
    const std::string a = p + "attention.";
    const int64_t h_count = m.weights.at(a + "v.weight").size(0) / head_dim;
    auto per_head = [&](const torch::Tensor& rows) {
      return rows.view({h_count, head_dim}).all(1);
    };
    const torch::Tensor dead_v = per_head(all_zero_along(m.weights, m.masks, a + "v.weight", 0));
    const torch::Tensor dead_o = per_head(all_zero_along(m.weights, m.masks, a + "o.weight", 1));
    const torch::Tensor keep_heads = kept_indices(dead_v | dead_o);
    const torch::Tensor removed_heads =
        (dead_v & ~dead_o).clone().index_fill_(0, keep_heads, false).nonzero().reshape({-1});
    auto expand = [&](const torch::Tensor& head_index) {
      return (head_index.unsqueeze(1) * head_dim + torch::arange(head_dim, head_index.options()))
          .reshape({-1});
    };
    if (removed_heads.numel() > 0) {  // the head outputs v.bias (attention weights sum to 1)
      const torch::Tensor rows = expand(removed_heads);
      m.weights.at(a + "o.bias") +=
          torch::matmul(m.weights.at(a + "o.weight").index_select(1, rows),
                        m.weights.at(a + "v.bias").index_select(0, rows));
    }
    const torch::Tensor rows = expand(keep_heads);
    for (const char* proj : {"q", "k", "v"}) {
      m.slice(a + proj + ".weight", 0, rows);
      m.slice(a + proj + ".bias", 0, rows);
    }
    m.slice(a + "o.weight", 1, rows);
    heads.push_back(keep_heads.numel());
    report += p + "ffn: " + std::to_string(neurons) + " -> " + std::to_string(keep.numel()) +
              " neurons; heads " + std::to_string(h_count) + " -> " +
              std::to_string(keep_heads.numel()) + "\n";
  }
  spec.ffn_per_layer = ffn;
  spec.heads_per_layer = heads;
  return report;
}

// Note [Removable hidden units]: a unit's state keeps changing even when its gate rows are
// masked (the cell integrates the biases), so a recurrent unit is removed only when nothing reads
// its output: its column of weight_hh in its own layer and direction, the columns of the next
// layer's weight_ih (both directions) or, after the last layer, the four fc columns of its max-
// and mean-pooled outputs. Both directions of a layer keep the same number of units (the larger
// count); the smaller direction keeps some removable units, which is exact too.
std::string thin_recurrent(Model& m, models::ModelSpec& spec) {
  std::string report;
  torch::NoGradGuard no_grad;
  const int64_t gates = spec.type == ModelType::kBiGru ? 3 : 4;
  const int64_t layers = std::max<int64_t>(1, spec.layers);
  const std::array<std::string, 2> directions{"", "_reverse"};
  std::vector<int64_t> hidden;
  for (int64_t l = 0; l < layers; ++l) {
    const std::string k = "_l" + std::to_string(l);
    const int64_t h = spec.hidden_at(static_cast<size_t>(l));
    // Readers of the layer's output [forward units, reverse units]: columns of width 2h.
    torch::Tensor unread;
    if (l + 1 < layers) {
      const std::string next = "rnn.weight_ih_l" + std::to_string(l + 1);
      unread = all_zero_along(m.weights, m.masks, next, 1) &
               all_zero_along(m.weights, m.masks, next + "_reverse", 1);
    } else {  // fc reads [max forward, max reverse, mean forward, mean reverse]
      const torch::Tensor fc = all_zero_along(m.weights, m.masks, "fc.weight", 1);
      unread = fc.slice(0, 0, 2 * h) & fc.slice(0, 2 * h, 4 * h);
    }
    std::array<torch::Tensor, 2> removable, keep;
    for (size_t d = 0; d < 2; ++d) {
      const std::string hh = "rnn.weight_hh" + k + directions[d];
      removable[d] =
          all_zero_along(m.weights, m.masks, hh, 1) &
          unread.slice(0, static_cast<int64_t>(d) * h, (static_cast<int64_t>(d) + 1) * h);
      keep[d] = kept_indices(removable[d]);
    }
    const int64_t size = std::max(keep[0].numel(), keep[1].numel());
    for (size_t d = 0; d < 2; ++d) {
      // Refill the smaller direction with the first removable units, in index order.
      torch::Tensor chosen = ~removable[d];
      chosen.index_fill_(0, keep[d], true);
      for (int64_t j = 0, missing = size - keep[d].numel(); j < h && missing > 0; ++j) {
        if (!chosen[j].item<bool>()) {
          chosen[j] = true;
          --missing;
        }
      }
      keep[d] = chosen.nonzero().reshape({-1});
      // Gate rows g*h + j of every gate g.
      const torch::Tensor rows =
          (torch::arange(gates, keep[d].options()).unsqueeze(1) * h + keep[d].unsqueeze(0))
              .reshape({-1});
      const std::string suffix = k + directions[d];
      for (const char* name : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
        m.slice("rnn." + std::string(name) + suffix, 0, rows);
      }
      m.slice("rnn.weight_hh" + suffix, 1, keep[d]);
      report += "rnn layer " + std::to_string(l) + (d == 0 ? " forward" : " reverse") + ": " +
                std::to_string(h) + " -> " + std::to_string(size) + " hidden units (" +
                std::to_string(removable[d].sum().item<int64_t>()) + " unread)\n";
    }
    const torch::Tensor columns = torch::cat({keep[0], keep[1] + h});
    if (l + 1 < layers) {
      const std::string next = "rnn.weight_ih_l" + std::to_string(l + 1);
      m.slice(next, 1, columns);
      m.slice(next + "_reverse", 1, columns);
    } else {
      m.slice("fc.weight", 1, torch::cat({columns, columns + 2 * h}));
    }
    hidden.push_back(size);
  }
  spec.hidden_per_layer = hidden;
  return report;
}

int64_t count(const Tensors& tensors) {
  int64_t n = 0;
  for (const auto& [name, t] : tensors) n += t.numel();
  return n;
}

}  // namespace

ThinResult thin_checkpoint(const std::string& input, const std::string& output,
                           const std::string& data) {
  const train::TrainingCheckpoint checkpoint = train::read_training_checkpoint(input);
  const io::CheckpointContents& contents = checkpoint.contents;
  // The dataset sizes the model only when the checkpoint does not describe its own.
  std::optional<data::Dataset> dataset;
  if (checkpoint.model_description() == nullptr) {
    dataset = data::read_dataset(train::dataset_path(checkpoint.recipe, data));
  }
  int64_t max_length = 0;
  models::ModelSpec spec =
      train::checkpoint_model_spec(checkpoint, dataset ? &*dataset : nullptr, &max_length);
  Model m{to_tensors(contents.weights), to_tensors(contents.masks)};
  ThinResult result;
  result.parameters_before = count(m.weights);
  switch (spec.type) {  // every model type can be thinned
    case ModelType::kTextCnn:
      result.report = thin_textcnn(m, spec);
      break;
    case ModelType::kTransformer:
    case ModelType::kGpt:
    case ModelType::kBert:  // post-LN, but a removed head or neuron folds into the same biases
      result.report = thin_transformer(m, spec);
      break;
    case ModelType::kBiLstm:
    case ModelType::kBiGru:
      result.report = thin_recurrent(m, spec);
      break;
  }
  result.parameters_after = count(m.weights);
  io::CheckpointContents out;
  out.weights = to_arrays(m.weights);
  out.masks = to_arrays(m.masks);
  out.attributes = contents.attributes;
  // write_checkpoint sets these itself.
  out.attributes.erase("topiary_kind");
  out.attributes.erase("format_version");
  out.attributes["model"] = train::describe_model(spec, max_length).dump();
  out.attributes["thinned_from"] = input;
  io::write_checkpoint(output, out);
  return result;
}

}  // namespace topiary::deploy
