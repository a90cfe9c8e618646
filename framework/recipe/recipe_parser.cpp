// parse_recipe: YAML text -> overrides -> variables -> validated, typed Recipe.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/error.h"
#include "recipe/recipe.h"
#include "recipe/stage_parser.h"
#include "recipe/tree_edits.h"
#include "recipe/yaml_reader.h"

namespace topiary::recipe {

std::string resolved_path(const Context& ctx, const std::string& path) {
  std::filesystem::path resolved(path);
  if (resolved.is_relative()) {
    resolved = std::filesystem::path(ctx.file()).parent_path() / resolved;
  }
  return std::filesystem::absolute(resolved).lexically_normal().string();
}

namespace {

int64_t positive_int(const MapReader& m, const std::string& key, int64_t fallback,
                     const std::string& why = "") {
  const int64_t value = m.int_or(key, fallback);
  if (value <= 0)
    m.fail(key, "must be a whole number >= 1" + why + "; found " + std::to_string(value));
  return value;
}

double bounded(const MapReader& m, const std::string& key, double fallback, double low,
               bool low_inclusive, double high, const std::string& valid) {
  const double value = m.double_or(key, fallback);
  const bool ok = (low_inclusive ? value >= low : value > low) && value < high;
  if (!ok) m.fail(key, "must be " + valid + "; found " + format_number(value));
  return value;
}

constexpr double kNoUpperBound = std::numeric_limits<double>::infinity();

DataConfig parse_data(const Context& ctx, const YAML::Node& node) {
  MapReader m(ctx, node, "data", {"path"});
  DataConfig data;
  const std::string path = as_string(ctx, m.require("path"), m.path("path"));
  if (path.empty()) m.fail("path", "needs the HDF5 file written by `topiary prepare`");
  data.path = resolved_path(ctx, path);
  data.path_key_location = ctx.locate(m.get("path"), m.path("path")).to_string();
  return data;
}

// bert: the architecture comes from the pretrained model; only type, from and dropout remain.
ModelConfig parse_pretrained_model(const Context& ctx, const MapReader& m) {
  ModelConfig model;
  model.type = ModelType::kBert;
  for (const char* key :
       {"embedding_dim", "filters", "widths", "hidden", "layers", "heads", "ffn", "max_positions",
        "tie_embeddings", "embedding_init", "embedding_init_range"}) {
    if (m.has(key)) m.fail(key, "is set by the pretrained model's config.json for type bert");
  }
  // Cutting ids here would drop the closing [SEP]; WordPiece truncation keeps it.
  if (m.has("max_length")) {
    m.fail("max_length",
           "type bert reads examples as prepared: truncate with `topiary prepare "
           "--tokenizer wordpiece --max-length N`, which keeps [CLS] and [SEP]");
  }
  const std::string from = m.string_or("from", "");
  if (from.empty()) {
    ctx.fail(m.node(), m.path("from"),
             "type bert needs model.from: a Hugging Face model folder (config.json, "
             "model.safetensors) or a file written by `topiary import hf`");
  }
  model.from = resolved_path(ctx, from);
  model.from_key_location = ctx.locate(m.get("from"), m.path("from")).to_string();
  model.dropout = bounded(m, "dropout", 0.1, 0, true, 1, "in [0, 1)");  // BERT's own default
  return model;
}

void parse_embedding_init(const Context& ctx, const MapReader& m, ModelConfig& model) {
  if (m.has("embedding_init")) {
    model.embedding_init = as_choice(ctx, m.get("embedding_init"), m.path("embedding_init"),
                                     "embedding init", kEmbeddingInits);
  }
  if (m.has("embedding_init_range") && model.embedding_init != EmbeddingInit::kUniform) {
    m.fail("embedding_init_range", "is the half-width of embedding_init: uniform; set that too");
  }
  model.embedding_init_range = bounded(m, "embedding_init_range", model.embedding_init_range, 0,
                                       false, kNoUpperBound, "> 0");
}

ModelConfig parse_model(const Context& ctx, const YAML::Node& node) {
  MapReader m(ctx, node, "model",
              {"type", "from", "embedding_dim", "embedding_init", "embedding_init_range", "filters",
               "widths", "dropout", "max_length", "hidden", "layers", "heads", "ffn",
               "max_positions", "tie_embeddings"});
  ModelConfig model;
  if (m.has("type")) {
    model.type = as_choice(ctx, m.get("type"), m.path("type"), "model type", kModelTypes);
  }
  if (model.type == ModelType::kBert) return parse_pretrained_model(ctx, m);
  if (m.has("from")) m.fail("from", "only a pretrained model (type bert) is loaded from a file");
  model.embedding_dim = positive_int(m, "embedding_dim", model.embedding_dim);
  parse_embedding_init(ctx, m, model);
  model.filters = positive_int(m, "filters", model.filters);
  if (m.has("widths")) {
    const YAML::Node list = m.get("widths");
    require_list(ctx, list, m.path("widths"), "convolution widths (e.g. [3, 4, 5])");
    if (list.size() == 0) m.fail("widths", "needs at least one convolution width, e.g. [3, 4, 5]");
    model.widths.clear();
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string path = join_path(m.path("widths"), i);
      const int64_t width = as_int(ctx, list[i], path);
      if (width <= 0) ctx.fail(list[i], path, "a convolution width is a whole number >= 1");
      model.widths.push_back(width);
    }
  }
  model.dropout = bounded(m, "dropout", model.dropout, 0, true, 1, "in [0, 1)");
  model.hidden = positive_int(m, "hidden", model.hidden);
  model.layers = positive_int(m, "layers", model.layers);
  model.heads = positive_int(m, "heads", model.heads);
  model.ffn = positive_int(m, "ffn", model.ffn);
  model.max_positions = positive_int(m, "max_positions", model.max_positions);
  model.tie_embeddings = m.bool_or("tie_embeddings", model.tie_embeddings);
  if ((model.type == ModelType::kTransformer || model.type == ModelType::kGpt) &&
      model.embedding_dim % model.heads != 0) {
    m.fail("heads",
           "must divide model.embedding_dim (" + std::to_string(model.embedding_dim) + ")");
  }
  model.max_length = m.int_or("max_length", model.max_length);
  if (model.max_length < 0) m.fail("max_length", "must be >= 0 (0 = no truncation)");
  return model;
}

SelectionConfig parse_selection(const Context& ctx, const YAML::Node& node) {
  MapReader m(ctx, node, "training.selection",
              {"metric", "keep_best", "patience", "min_delta", "at_final_sparsity"});
  SelectionConfig selection;
  if (m.has("metric")) {
    selection.metric =
        as_choice(ctx, m.get("metric"), m.path("metric"), "selection metric", kSelectionMetrics);
  }
  selection.keep_best = m.int_or("keep_best", selection.keep_best);
  if (selection.keep_best < 0) m.fail("keep_best", "must be >= 0 (0 = keep no best checkpoint)");
  selection.patience = m.int_or("patience", selection.patience);
  if (selection.patience < 0) m.fail("patience", "must be >= 0 (0 = never stop early)");
  selection.min_delta =
      bounded(m, "min_delta", selection.min_delta, 0, true, kNoUpperBound, ">= 0");
  selection.at_final_sparsity = m.bool_or("at_final_sparsity", selection.at_final_sparsity);
  return selection;
}

TrainingConfig parse_training(const Context& ctx, const YAML::Node& node) {
  MapReader m(ctx, node, "training", {"batch_size",   "optimizer",         "lr",
                                      "weight_decay", "no_decay",          "momentum",
                                      "grad_clip",    "eval_every",        "threads",
                                      "on_nonfinite", "max_skipped_steps", "accumulate",
                                      "precision",    "selection",         "bucket_by_length",
                                      "drop_last",    "max_tokens",        "device",
                                      "comm",         "overlap",           "comm_dtype",
                                      "rho",          "max_norm",          "max_norm_targets"});
  TrainingConfig training;
  training.batch_size =
      positive_int(m, "batch_size", training.batch_size, " (the global batch, split across ranks)");
  if (m.has("optimizer")) {
    training.optimizer =
        as_choice(ctx, m.get("optimizer"), m.path("optimizer"), "optimizer", kOptimizers);
  }
  training.lr = bounded(m, "lr", training.lr, 0, false, kNoUpperBound, "> 0");
  training.weight_decay =
      bounded(m, "weight_decay", training.weight_decay, 0, true, kNoUpperBound, ">= 0");
  if (m.has("no_decay")) {
    training.no_decay =
        parse_patterns(ctx, m.get("no_decay"), m.path("no_decay"), &training.no_decay_where);
  }
  training.momentum = bounded(m, "momentum", training.momentum, 0, true, 1, "in [0, 1)");
  training.rho = bounded(m, "rho", training.rho, 0, true, 1, "in [0, 1)");
  if (m.has("rho") && training.optimizer != Optimizer::kAdadelta) {
    m.fail("rho", "is Adadelta's decay rate; set optimizer: adadelta or leave rho out");
  }
  training.max_norm =
      bounded(m, "max_norm", training.max_norm, 0, true, kNoUpperBound, ">= 0 (0 = off)");
  if (m.has("max_norm_targets")) {
    training.max_norm_targets =
        parse_patterns(ctx, m.get("max_norm_targets"), m.path("max_norm_targets"),
                       &training.max_norm_targets_where);
  }
  if (training.max_norm > 0 && training.max_norm_targets.empty()) {
    m.fail("max_norm", "needs max_norm_targets, the parameters it bounds (e.g. [fc.weight])");
  }
  if (training.max_norm == 0 && !training.max_norm_targets.empty()) {
    m.fail("max_norm_targets", "does nothing without max_norm > 0");
  }
  training.grad_clip =
      bounded(m, "grad_clip", training.grad_clip, 0, true, kNoUpperBound, ">= 0 (0 = off)");
  training.eval_every = m.time_opt("eval_every");
  if (training.eval_every && training.eval_every->value <= 0) {
    m.fail("eval_every", "must be longer than zero (leave it out to evaluate every epoch)");
  }
  training.threads = positive_int(m, "threads", training.threads);
  if (m.has("on_nonfinite")) {
    training.on_nonfinite = as_choice(ctx, m.get("on_nonfinite"), m.path("on_nonfinite"),
                                      "policy for NaN/Inf loss or gradients", kNonFinitePolicies);
  }
  training.max_skipped_steps = m.int_or("max_skipped_steps", training.max_skipped_steps);
  if (training.max_skipped_steps < 0) m.fail("max_skipped_steps", "must be >= 0");
  training.bucket_by_length = m.int_or("bucket_by_length", training.bucket_by_length);
  if (training.bucket_by_length < 0) {
    m.fail("bucket_by_length", "must be >= 0 (global batches per length-sorted chunk; 0 = off)");
  }
  training.drop_last = m.bool_or("drop_last", training.drop_last);
  training.max_tokens = m.int_or("max_tokens", training.max_tokens);
  if (training.max_tokens < 0) {
    m.fail("max_tokens", "must be >= 0 (padded tokens per micro-batch on each rank; 0 = off)");
  }
  training.accumulate = positive_int(m, "accumulate", training.accumulate,
                                     " (micro-batches per step; 1 = no accumulation)");
  if (m.has("precision")) {
    training.precision =
        as_choice(ctx, m.get("precision"), m.path("precision"), "precision", kPrecisions);
  }
  if (m.has("selection")) training.selection = parse_selection(ctx, m.get("selection"));
  if (m.has("device")) {
    training.device = as_choice(ctx, m.get("device"), m.path("device"), "device", kDevices);
  }
  if (m.has("comm")) {
    training.comm =
        as_choice(ctx, m.get("comm"), m.path("comm"), "tensor communicator", kTransports);
  }
  training.overlap = m.bool_or("overlap", training.overlap);
  if (m.has("comm_dtype")) {
    training.comm_dtype = as_choice(ctx, m.get("comm_dtype"), m.path("comm_dtype"),
                                    "gradient exchange element type", kCommDtypes);
  }
  return training;
}

YAML::Node load_tree(const std::string& yaml_text, const std::string& file_name) {
  try {
    return YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    const int column = e.mark.is_null() ? 0 : e.mark.column + 1;
    throw UserError(located(file_name, line, column, "", "YAML syntax error: " + e.msg));
  }
}

}  // namespace

Recipe parse_recipe(const std::string& yaml_text, const std::string& file_name,
                    const std::vector<std::string>& overrides) {
  const std::vector<Override> edits = parse_overrides(overrides);
  const Context ctx(file_name, edits);
  YAML::Node root = load_tree(yaml_text, file_name);
  if (root.IsNull() || !root.IsDefined()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) {
    ctx.fail(root, "",
             "a recipe is a map of top-level keys (data, model, training, stages, ...), "
             "found " +
                 describe(root));
  }
  apply_overrides(root, edits);
  substitute_variables(ctx, root);

  MapReader top(
      ctx, root, "",
      {"name", "description", "seed", "variables", "data", "model", "training", "stages"});
  Recipe recipe;
  recipe.source_file = file_name;
  recipe.name = top.string_or("name", std::filesystem::path(file_name).stem().string());
  if (recipe.name.empty()) top.fail("name", "a recipe name cannot be empty");
  recipe.description = top.string_or("description", "");
  const int64_t seed = top.int_or("seed", 1);
  if (seed < 0) top.fail("seed", "must be a whole number >= 0");
  recipe.seed = static_cast<uint64_t>(seed);
  recipe.data = parse_data(ctx, top.require("data"));
  if (top.has("model")) recipe.model = parse_model(ctx, top.get("model"));
  if (top.has("training")) recipe.training = parse_training(ctx, top.get("training"));
  recipe.stages = parse_stages(ctx, top.require("stages"), "stages");
  for (const auto& stage : recipe.stages) {
    if (stage.lr && decays_to_min_lr(stage.lr->schedule) &&
        stage.lr->min_lr >= recipe.training.lr) {
      fail_at(stage.lr->where,
              "min_lr (" + format_number(stage.lr->min_lr) + ") must be below training.lr (" +
                  format_number(recipe.training.lr) + "), the rate it decays from");
    }
  }
  recipe.effective_yaml = to_yaml(recipe);
  recipe.checkpoint_yaml = to_yaml(recipe, /*placement=*/false);
  return recipe;
}

Recipe load_recipe(const std::string& path, const std::vector<std::string>& overrides) {
  if (std::filesystem::is_directory(path)) {
    throw UserError("cannot read recipe '" + path + "': it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError("cannot read recipe '" + path + "': " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_recipe(text.str(), path, overrides);
}

}  // namespace topiary::recipe
