// to_yaml: the effective recipe, every key written out, so that a checkpoint records exactly
// what ran and parse_recipe(to_yaml(r)) == r.
#include <yaml-cpp/yaml.h>

#include "recipe/recipe.h"
#include "recipe/yaml_reader.h"

namespace topiary::recipe {
namespace {

// Numbers go out as their shortest round-trip text; the emitter's own double formatting
// would write 0.1 as 0.10000000000000001.
YAML::Emitter& number(YAML::Emitter& out, double value) { return out << format_number(value); }

void write_patterns(YAML::Emitter& out, const char* key, const std::vector<std::string>& patterns) {
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& pattern : patterns) out << YAML::DoubleQuoted << pattern;
  out << YAML::EndSeq;
}

void write_prune(YAML::Emitter& out, const PruneModifier& prune) {
  out << YAML::BeginMap << YAML::Key << "prune" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "method" << YAML::Value << prune.method;
  out << YAML::Key << "scope" << YAML::Value << prune.scope;
  write_patterns(out, "targets", prune.targets);
  if (!prune.exclude.empty()) write_patterns(out, "exclude", prune.exclude);
  out << YAML::Key << "init_sparsity" << YAML::Value;
  number(out, prune.init_sparsity);
  out << YAML::Key << "final_sparsity" << YAML::Value;
  number(out, prune.final_sparsity);
  out << YAML::Key << "start" << YAML::Value << prune.start.to_string();
  out << YAML::Key << "end" << YAML::Value << prune.end.to_string();
  out << YAML::Key << "every" << YAML::Value << prune.every.to_string();
  out << YAML::Key << "schedule" << YAML::Value << prune.schedule;
  out << YAML::EndMap << YAML::EndMap;
}

void write_stage(YAML::Emitter& out, const Stage& stage) {
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << stage.name;
  if (stage.has_until) {
    out << YAML::Key << "until" << YAML::Value << stage.until.to_string();
  } else if (stage.length) {
    out << YAML::Key << "for" << YAML::Value << stage.length->to_string();
  }
  if (!stage.prune.empty()) {
    out << YAML::Key << "modifiers" << YAML::Value << YAML::BeginSeq;
    for (const auto& prune : stage.prune) write_prune(out, prune);
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

}  // namespace

std::string to_yaml(const Recipe& recipe) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << recipe.name;
  out << YAML::Key << "description" << YAML::Value << recipe.description;
  out << YAML::Key << "seed" << YAML::Value << recipe.seed;

  out << YAML::Key << "data" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "path" << YAML::Value << recipe.data.path;
  out << YAML::EndMap;

  const ModelConfig& model = recipe.model;
  out << YAML::Key << "model" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << model.type;
  out << YAML::Key << "embedding_dim" << YAML::Value << model.embedding_dim;
  out << YAML::Key << "filters" << YAML::Value << model.filters;
  out << YAML::Key << "widths" << YAML::Value << YAML::Flow << model.widths;
  out << YAML::Key << "dropout" << YAML::Value;
  number(out, model.dropout);
  out << YAML::Key << "max_length" << YAML::Value << model.max_length;
  out << YAML::EndMap;

  const TrainingConfig& training = recipe.training;
  out << YAML::Key << "training" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "batch_size" << YAML::Value << training.batch_size;
  out << YAML::Key << "optimizer" << YAML::Value << training.optimizer;
  out << YAML::Key << "lr" << YAML::Value;
  number(out, training.lr);
  out << YAML::Key << "weight_decay" << YAML::Value;
  number(out, training.weight_decay);
  out << YAML::Key << "momentum" << YAML::Value;
  number(out, training.momentum);
  out << YAML::Key << "grad_clip" << YAML::Value;
  number(out, training.grad_clip);
  if (training.eval_every) {
    out << YAML::Key << "eval_every" << YAML::Value << training.eval_every->to_string();
  }
  out << YAML::Key << "threads" << YAML::Value << training.threads;
  out << YAML::EndMap;

  out << YAML::Key << "stages" << YAML::Value << YAML::BeginSeq;
  for (const auto& stage : recipe.stages) write_stage(out, stage);
  out << YAML::EndSeq;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace topiary::recipe
