// recipes/schema.json must describe the parser: the same keys in every map, the same names in
// every registry, the same defaults. The parser's own unknown-key message lists the keys it
// accepts, so comparing against that message tests the real code path.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"
#include "recipe/recipe.h"

namespace topiary::recipe {
namespace {

using nlohmann::json;

json load_schema() {
  std::ifstream in(std::string(TOPIARY_TEST_SOURCE_DIR) + "/recipes/schema.json");
  return json::parse(in);
}

std::set<std::string> keys_of(const json& properties) {
  std::set<std::string> keys;
  for (const auto& [key, value] : properties.items()) keys.insert(key);
  return keys;
}

// Keys the parser accepts in one map, read from its "valid keys ... are: a, b" message.
std::set<std::string> parser_keys(const std::string& yaml) {
  std::string message;
  try {
    parse_recipe(yaml, "r.yaml");
  } catch (const UserError& e) {
    message = e.what();
  }
  const size_t start = message.find(" are: ");
  EXPECT_NE(start, std::string::npos) << message;
  std::string list = message.substr(start + 6);
  list = list.substr(0, list.find(" (did you mean"));
  std::set<std::string> keys;
  size_t pos = 0;
  while (pos <= list.size()) {
    const size_t comma = list.find(", ", pos);
    keys.insert(list.substr(pos, comma - pos));
    if (comma == std::string::npos) break;
    pos = comma + 2;
  }
  return keys;
}

// A choice's names in the schema, in the order the schema lists them.
std::vector<std::string> enum_of(const json& property) {
  return property["anyOf"][0]["enum"].get<std::vector<std::string>>();
}

template <typename E, size_t N>
std::string name(const EnumTable<E, N>& table, E value) {
  return std::string(table.name(value));
}

const std::string kData = "data: {path: d.h5}\n";
const std::string kPrune = "targets: [a], final_sparsity: 0.5, start: 0ep, end: 1ep, every: 1it";

TEST(Schema, HasTheSameKeysAsTheParser) {
  const json schema = load_schema();
  const json& top = schema["properties"];
  const json& defs = schema["$defs"];
  EXPECT_EQ(keys_of(top), parser_keys(kData + "stages: [{until: 1ep}]\nzzz: 1\n"));
  EXPECT_EQ(keys_of(top["data"]["properties"]),
            parser_keys("data: {path: d.h5, zzz: 1}\nstages: [{until: 1ep}]\n"));
  EXPECT_EQ(keys_of(top["model"]["anyOf"][1]["properties"]),
            parser_keys(kData + "model: {zzz: 1}\nstages: [{until: 1ep}]\n"));
  EXPECT_EQ(keys_of(top["training"]["anyOf"][1]["properties"]),
            parser_keys(kData + "training: {zzz: 1}\nstages: [{until: 1ep}]\n"));
  EXPECT_EQ(keys_of(defs["stage"]["properties"]),
            parser_keys(kData + "stages: [{until: 1ep, zzz: 1}]\n"));
  EXPECT_EQ(keys_of(defs["modifier"]["properties"]),
            parser_keys(kData + "stages: [{until: 1ep, modifiers: [{zzz: {}}]}]\n"));
  EXPECT_EQ(keys_of(defs["prune"]["properties"]),
            parser_keys(kData + "stages: [{until: 1ep, modifiers: [{prune: {" + kPrune +
                        ", zzz: 1}}]}]\n"));
  EXPECT_EQ(keys_of(defs["override"]["properties"]),
            parser_keys(kData + "stages: [{until: 1ep, modifiers: [{prune: {" + kPrune +
                        ", overrides: [{zzz: 1}]}}]}]\n"));
  EXPECT_EQ(keys_of(defs["adaptive"]["properties"]),
            parser_keys(kData + "stages: [{until: 1ep, modifiers: [{prune: {" + kPrune +
                        ", adaptive: {tolerance: 0, zzz: 1}}}]}]\n"));
  for (const char* kind : {"snapshot", "rewind", "lr"}) {
    EXPECT_EQ(
        keys_of(defs[kind]["properties"]),
        parser_keys(kData + "stages: [{until: 1ep, modifiers: [{" + kind + ": {zzz: 1}}]}]\n"))
        << kind;
  }
  EXPECT_EQ(keys_of(defs["hold"]["anyOf"][1]["properties"]), std::set<std::string>{});
  EXPECT_EQ(keys_of(top["training"]["anyOf"][1]["properties"]["selection"]["properties"]),
            parser_keys(kData + "training: {selection: {zzz: 1}}\nstages: [{until: 1ep}]\n"));
}

TEST(Schema, HasTheSameNamesAndDefaultsAsTheParser) {
  const json schema = load_schema();
  const json& model = schema["properties"]["model"]["anyOf"][1]["properties"];
  const json& training = schema["properties"]["training"]["anyOf"][1]["properties"];
  const json& prune = schema["$defs"]["prune"]["properties"];
  EXPECT_EQ(enum_of(model["type"]), kModelTypes.names());
  EXPECT_EQ(enum_of(model["embedding_init"]), kEmbeddingInits.names());
  EXPECT_EQ(model["embedding_init_range"]["default"], ModelConfig{}.embedding_init_range);
  EXPECT_EQ(enum_of(training["optimizer"]), kOptimizers.names());
  EXPECT_EQ(enum_of(training["on_nonfinite"]), kNonFinitePolicies.names());
  EXPECT_EQ(enum_of(training["precision"]), kPrecisions.names());
  EXPECT_EQ(enum_of(training["selection"]["properties"]["metric"]), kSelectionMetrics.names());
  EXPECT_EQ(enum_of(training["device"]), kDevices.names());
  EXPECT_EQ(enum_of(training["comm"]), kTransports.names());
  EXPECT_EQ(enum_of(training["comm_dtype"]), kCommDtypes.names());
  EXPECT_EQ(enum_of(prune["method"]), prune::kScorerKinds.names());
  EXPECT_EQ(enum_of(prune["scope"]), prune::kScopes.names());
  EXPECT_EQ(enum_of(prune["schedule"]), prune::kScheduleKinds.names());
  EXPECT_EQ(enum_of(prune["allocation"]), prune::kAllocationKinds.names());
  EXPECT_EQ(enum_of(schema["$defs"]["adaptive"]["properties"]["metric"]), kAdaptiveMetrics.names());
  const json& lr = schema["$defs"]["lr"]["properties"];
  EXPECT_EQ(enum_of(lr["schedule"]), kLrKinds.names());

  const ModelConfig m;
  EXPECT_EQ(model["type"]["default"], name(kModelTypes, m.type));
  EXPECT_EQ(model["embedding_dim"]["default"], m.embedding_dim);
  EXPECT_EQ(model["filters"]["default"], m.filters);
  EXPECT_EQ(model["widths"]["default"].get<std::vector<int64_t>>(), m.widths);
  EXPECT_EQ(model["dropout"]["default"], m.dropout);
  EXPECT_EQ(model["max_length"]["default"], m.max_length);
  const TrainingConfig t;
  EXPECT_EQ(training["batch_size"]["default"], t.batch_size);
  EXPECT_EQ(training["optimizer"]["default"], name(kOptimizers, t.optimizer));
  EXPECT_EQ(training["lr"]["default"], t.lr);
  EXPECT_EQ(training["weight_decay"]["default"], t.weight_decay);
  EXPECT_EQ(training["momentum"]["default"], t.momentum);
  EXPECT_EQ(training["rho"]["default"], t.rho);
  EXPECT_EQ(training["max_norm"]["default"], t.max_norm);
  EXPECT_EQ(training["grad_clip"]["default"], t.grad_clip);
  EXPECT_EQ(training["threads"]["default"], t.threads);
  EXPECT_EQ(training["accumulate"]["default"], t.accumulate);
  EXPECT_EQ(training["precision"]["default"], name(kPrecisions, t.precision));
  EXPECT_EQ(training["bucket_by_length"]["default"], t.bucket_by_length);
  EXPECT_EQ(training["drop_last"]["default"], t.drop_last);
  EXPECT_EQ(training["max_tokens"]["default"], t.max_tokens);
  EXPECT_EQ(training["comm_dtype"]["default"], name(kCommDtypes, t.comm_dtype));
  EXPECT_EQ(training["on_nonfinite"]["default"], name(kNonFinitePolicies, t.on_nonfinite));
  EXPECT_EQ(training["device"]["default"], name(kDevices, t.device));
  EXPECT_EQ(training["comm"]["default"], name(kTransports, t.comm));
  EXPECT_EQ(model["tie_embeddings"]["default"], m.tie_embeddings);
  const json& selection = training["selection"]["properties"];
  EXPECT_EQ(selection["metric"]["default"], name(kSelectionMetrics, t.selection.metric));
  EXPECT_EQ(selection["keep_best"]["default"], t.selection.keep_best);
  EXPECT_EQ(selection["patience"]["default"], t.selection.patience);
  EXPECT_EQ(selection["min_delta"]["default"], t.selection.min_delta);
  EXPECT_EQ(selection["at_final_sparsity"]["default"], t.selection.at_final_sparsity);
  const PruneModifier p;
  EXPECT_EQ(prune["method"]["default"], name(prune::kScorerKinds, p.method));
  EXPECT_EQ(prune["scope"]["default"], name(prune::kScopes, p.scope));
  EXPECT_EQ(prune["schedule"]["default"], name(prune::kScheduleKinds, p.schedule));
  EXPECT_EQ(prune["allocation"]["default"], name(prune::kAllocationKinds, p.allocation));
  EXPECT_EQ(prune["init_sparsity"]["default"], p.init_sparsity);
  EXPECT_EQ(prune["pattern"]["default"], p.pattern);
  EXPECT_EQ(prune["dampening"]["default"], p.dampening);
  const json& adaptive = schema["$defs"]["adaptive"]["properties"];
  EXPECT_EQ(adaptive["metric"]["default"], name(kAdaptiveMetrics, AdaptiveSchedule{}.metric));
  const LrModifier l;
  EXPECT_EQ(lr["schedule"]["default"], name(kLrKinds, l.schedule));
  EXPECT_EQ(lr["min_lr"]["default"], l.min_lr);
  EXPECT_EQ(lr["gamma"]["default"], l.gamma);
  EXPECT_EQ(lr["rewind"]["default"], l.rewind);
  EXPECT_EQ(schema["$defs"]["rewind"]["properties"]["reinit"]["default"], RewindModifier{}.reinit);
  EXPECT_EQ(schema["$defs"]["stage"]["properties"]["repeat"]["default"], Stage{}.repeat);
  EXPECT_EQ(schema["properties"]["seed"]["default"], Recipe{}.seed);
}

}  // namespace
}  // namespace topiary::recipe
