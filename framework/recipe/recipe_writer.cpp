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

// A choice goes out as its name in the table the parser read it with.
template <typename E, size_t N>
std::string name(const EnumTable<E, N>& table, E value) {
  return std::string(table.name(value));
}

void write_patterns(YAML::Emitter& out, const char* key, const std::vector<std::string>& patterns) {
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& pattern : patterns) out << YAML::DoubleQuoted << pattern;
  out << YAML::EndSeq;
}

void write_prune(YAML::Emitter& out, const PruneModifier& prune) {
  out << YAML::BeginMap << YAML::Key << "prune" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "method" << YAML::Value << name(prune::kScorerKinds, prune.method);
  out << YAML::Key << "scope" << YAML::Value << name(prune::kScopes, prune.scope);
  out << YAML::Key << "pattern" << YAML::Value << YAML::DoubleQuoted << prune.pattern;
  write_patterns(out, "targets", prune.targets);
  if (!prune.exclude.empty()) write_patterns(out, "exclude", prune.exclude);
  out << YAML::Key << "init_sparsity" << YAML::Value;
  number(out, prune.init_sparsity);
  out << YAML::Key << "final_sparsity" << YAML::Value;
  number(out, prune.final_sparsity);
  out << YAML::Key << "start" << YAML::Value << prune.start.to_string();
  out << YAML::Key << "end" << YAML::Value << prune.end.to_string();
  out << YAML::Key << "every" << YAML::Value << prune.every.to_string();
  out << YAML::Key << "schedule" << YAML::Value << name(prune::kScheduleKinds, prune.schedule);
  if (prune.schedule == prune::ScheduleKind::kExponential) {
    out << YAML::Key << "rate" << YAML::Value;
    number(out, prune.rate);
  }
  if (prune.window) out << YAML::Key << "window" << YAML::Value << prune.window->to_string();
  if (prune.method == prune::ScorerKind::kFisher) {
    out << YAML::Key << "dampening" << YAML::Value;
    number(out, prune.dampening);
  }
  out << YAML::Key << "allocation" << YAML::Value
      << name(prune::kAllocationKinds, prune.allocation);
  if (prune.adaptive) {
    out << YAML::Key << "adaptive" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "tolerance" << YAML::Value;
    number(out, prune.adaptive->tolerance);
    out << YAML::Key << "metric" << YAML::Value << name(kAdaptiveMetrics, prune.adaptive->metric);
    if (prune.adaptive->max_delay)
      out << YAML::Key << "max_delay" << YAML::Value << prune.adaptive->max_delay->to_string();
    out << YAML::EndMap;
  }
  if (!prune.overrides.empty()) {
    out << YAML::Key << "overrides" << YAML::Value << YAML::BeginSeq;
    for (const auto& o : prune.overrides) {
      out << YAML::Flow << YAML::BeginMap;
      write_patterns(out, "targets", o.targets);
      out << YAML::Key << "final_sparsity" << YAML::Value;
      number(out, o.final_sparsity);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap << YAML::EndMap;
}

void write_other_modifiers(YAML::Emitter& out, const Stage& stage) {
  for (const auto& snapshot : stage.snapshots) {
    out << YAML::BeginMap << YAML::Key << "snapshot" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << snapshot.name;
    if (snapshot.at) out << YAML::Key << "at" << YAML::Value << snapshot.at->to_string();
    out << YAML::EndMap << YAML::EndMap;
  }
  if (stage.rewind) {
    out << YAML::BeginMap << YAML::Key << "rewind" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "to" << YAML::Value << YAML::DoubleQuoted << stage.rewind->to;
    out << YAML::Key << "reinit" << YAML::Value << YAML::TrueFalseBool << stage.rewind->reinit;
    out << YAML::EndMap << YAML::EndMap;
  }
  if (stage.lr) {
    const LrModifier& lr = *stage.lr;
    out << YAML::BeginMap << YAML::Key << "lr" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "schedule" << YAML::Value << name(kLrKinds, lr.schedule);
    if (lr.warmup) out << YAML::Key << "warmup" << YAML::Value << lr.warmup->to_string();
    if (decays_to_min_lr(lr.schedule)) {
      out << YAML::Key << "min_lr" << YAML::Value;
      number(out, lr.min_lr);
    }
    if (lr.schedule == LrKind::kStep) {
      out << YAML::Key << "gamma" << YAML::Value;
      number(out, lr.gamma);
      out << YAML::Key << "every" << YAML::Value << lr.every->to_string();
    }
    out << YAML::Key << "rewind" << YAML::Value << YAML::TrueFalseBool << lr.rewind;
    out << YAML::EndMap << YAML::EndMap;
  }
  if (stage.augment) {
    const AugmentModifier& a = *stage.augment;
    out << YAML::BeginMap << YAML::Key << "augment" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const auto& [key, value] :
         {std::pair{"delete", a.delete_probability}, std::pair{"swap", a.swap_probability},
          std::pair{"insert", a.insert_probability}, std::pair{"mask", a.mask_probability}}) {
      out << YAML::Key << key << YAML::Value;
      number(out, value);
    }
    out << YAML::Key << "span" << YAML::Value << a.mask_span;
    out << YAML::EndMap << YAML::EndMap;
  }
  if (stage.distill) {
    const DistillModifier& d = *stage.distill;
    out << YAML::BeginMap << YAML::Key << "distill" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "teacher" << YAML::Value << d.teacher;
    out << YAML::Key << "temperature" << YAML::Value;
    number(out, d.temperature);
    out << YAML::Key << "alpha" << YAML::Value;
    number(out, d.alpha);
    if (d.hidden != 0) {  // left out at its default, so recipes written before it read the same
      out << YAML::Key << "hidden" << YAML::Value;
      number(out, d.hidden);
    }
    out << YAML::EndMap << YAML::EndMap;
  }
  if (stage.hold) {
    out << YAML::BeginMap << YAML::Key << "hold" << YAML::Value << YAML::Flow << YAML::BeginMap
        << YAML::EndMap << YAML::EndMap;
  }
}

void write_stage(YAML::Emitter& out, const Stage& stage) {
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << stage.name;
  if (stage.has_until) {
    out << YAML::Key << "until" << YAML::Value << stage.until.to_string();
  } else if (stage.length) {
    out << YAML::Key << "for" << YAML::Value << stage.length->to_string();
  }
  if (stage.repeat != 1) out << YAML::Key << "repeat" << YAML::Value << stage.repeat;
  const bool any = !stage.prune.empty() || !stage.snapshots.empty() || stage.rewind || stage.lr ||
                   stage.hold || stage.augment.has_value() || stage.distill.has_value();
  if (any) {
    out << YAML::Key << "modifiers" << YAML::Value << YAML::BeginSeq;
    write_other_modifiers(out, stage);
    for (const auto& prune : stage.prune) write_prune(out, prune);
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;
}

void write_model_architecture(YAML::Emitter& out, const ModelConfig& model) {
  out << YAML::Key << "embedding_dim" << YAML::Value << model.embedding_dim;
  out << YAML::Key << "embedding_init" << YAML::Value
      << name(kEmbeddingInits, model.embedding_init);
  if (model.embedding_init == EmbeddingInit::kUniform) {
    out << YAML::Key << "embedding_init_range" << YAML::Value;
    number(out, model.embedding_init_range);
  }
  out << YAML::Key << "filters" << YAML::Value << model.filters;
  out << YAML::Key << "widths" << YAML::Value << YAML::Flow << model.widths;
  out << YAML::Key << "dropout" << YAML::Value;
  number(out, model.dropout);
  out << YAML::Key << "max_length" << YAML::Value << model.max_length;
  out << YAML::Key << "hidden" << YAML::Value << model.hidden;
  out << YAML::Key << "layers" << YAML::Value << model.layers;
  out << YAML::Key << "heads" << YAML::Value << model.heads;
  out << YAML::Key << "ffn" << YAML::Value << model.ffn;
  out << YAML::Key << "max_positions" << YAML::Value << model.max_positions;
  out << YAML::Key << "tie_embeddings" << YAML::Value << model.tie_embeddings;
}

// The architecture is the pretrained model's: only what the recipe chose.
void write_pretrained_model(YAML::Emitter& out, const ModelConfig& model) {
  out << YAML::Key << "from" << YAML::Value << model.from;
  out << YAML::Key << "dropout" << YAML::Value;
  number(out, model.dropout);
}

}  // namespace

std::string to_yaml(const Recipe& recipe, bool placement) {
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
  out << YAML::Key << "type" << YAML::Value << name(kModelTypes, model.type);
  if (model.type == ModelType::kBert) {
    write_pretrained_model(out, model);
  } else {
    write_model_architecture(out, model);
  }
  out << YAML::EndMap;

  const TrainingConfig& training = recipe.training;
  out << YAML::Key << "training" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "batch_size" << YAML::Value << training.batch_size;
  out << YAML::Key << "optimizer" << YAML::Value << name(kOptimizers, training.optimizer);
  out << YAML::Key << "lr" << YAML::Value;
  number(out, training.lr);
  out << YAML::Key << "weight_decay" << YAML::Value;
  number(out, training.weight_decay);
  if (!training.no_decay.empty()) {  // written only when set: older recipes dump as before
    out << YAML::Key << "no_decay" << YAML::Value << YAML::Flow << training.no_decay;
  }
  out << YAML::Key << "momentum" << YAML::Value;
  number(out, training.momentum);
  // Only when they apply, so that the effective recipe of older runs is unchanged.
  if (training.optimizer == Optimizer::kAdadelta) {
    out << YAML::Key << "rho" << YAML::Value;
    number(out, training.rho);
  }
  if (training.max_norm > 0) {
    out << YAML::Key << "max_norm" << YAML::Value;
    number(out, training.max_norm);
    out << YAML::Key << "max_norm_targets" << YAML::Value << YAML::Flow
        << training.max_norm_targets;
  }
  out << YAML::Key << "grad_clip" << YAML::Value;
  number(out, training.grad_clip);
  if (training.eval_every) {
    out << YAML::Key << "eval_every" << YAML::Value << training.eval_every->to_string();
  }
  out << YAML::Key << "threads" << YAML::Value << training.threads;
  out << YAML::Key << "on_nonfinite" << YAML::Value
      << name(kNonFinitePolicies, training.on_nonfinite);
  out << YAML::Key << "max_skipped_steps" << YAML::Value << training.max_skipped_steps;
  out << YAML::Key << "accumulate" << YAML::Value << training.accumulate;
  out << YAML::Key << "precision" << YAML::Value << name(kPrecisions, training.precision);
  // Only when set, so that the effective recipe of older runs is unchanged.
  if (training.bucket_by_length > 0) {
    out << YAML::Key << "bucket_by_length" << YAML::Value << training.bucket_by_length;
  }
  if (!training.drop_last) out << YAML::Key << "drop_last" << YAML::Value << false;
  if (training.max_tokens > 0) {
    out << YAML::Key << "max_tokens" << YAML::Value << training.max_tokens;
  }
  if (training.comm_dtype != CommDtype::kFp32) {
    out << YAML::Key << "comm_dtype" << YAML::Value << name(kCommDtypes, training.comm_dtype);
  }
  if (placement) {
    out << YAML::Key << "device" << YAML::Value << name(kDevices, training.device);
    out << YAML::Key << "comm" << YAML::Value << name(kTransports, training.comm);
    out << YAML::Key << "overlap" << YAML::Value << training.overlap;
  }
  const SelectionConfig& selection = training.selection;
  out << YAML::Key << "selection" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "metric" << YAML::Value << name(kSelectionMetrics, selection.metric);
  out << YAML::Key << "keep_best" << YAML::Value << selection.keep_best;
  out << YAML::Key << "patience" << YAML::Value << selection.patience;
  out << YAML::Key << "min_delta" << YAML::Value;
  number(out, selection.min_delta);
  out << YAML::Key << "at_final_sparsity" << YAML::Value << selection.at_final_sparsity;
  out << YAML::EndMap;
  out << YAML::EndMap;

  out << YAML::Key << "stages" << YAML::Value << YAML::BeginSeq;
  for (const auto& stage : recipe.stages) write_stage(out, stage);
  out << YAML::EndSeq;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace topiary::recipe
