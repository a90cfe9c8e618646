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

std::set<std::string> enum_of(const json& property) {
  return property["anyOf"][0]["enum"].get<std::set<std::string>>();
}

std::set<std::string> as_set(const std::vector<std::string>& names) {
  return {names.begin(), names.end()};
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
  EXPECT_EQ(enum_of(model["type"]), as_set(known_model_types()));
  EXPECT_EQ(enum_of(training["optimizer"]), as_set(known_optimizers()));
  EXPECT_EQ(enum_of(prune["method"]), as_set(known_prune_methods()));
  EXPECT_EQ(enum_of(prune["scope"]), as_set(known_prune_scopes()));
  EXPECT_EQ(enum_of(prune["schedule"]), as_set(known_prune_schedules()));
  const json& lr = schema["$defs"]["lr"]["properties"];
  EXPECT_EQ(enum_of(lr["schedule"]), as_set(known_lr_schedules()));

  const ModelConfig m;
  EXPECT_EQ(model["type"]["default"], m.type);
  EXPECT_EQ(model["embedding_dim"]["default"], m.embedding_dim);
  EXPECT_EQ(model["filters"]["default"], m.filters);
  EXPECT_EQ(model["widths"]["default"].get<std::vector<int64_t>>(), m.widths);
  EXPECT_EQ(model["dropout"]["default"], m.dropout);
  EXPECT_EQ(model["max_length"]["default"], m.max_length);
  const TrainingConfig t;
  EXPECT_EQ(training["batch_size"]["default"], t.batch_size);
  EXPECT_EQ(training["optimizer"]["default"], t.optimizer);
  EXPECT_EQ(training["lr"]["default"], t.lr);
  EXPECT_EQ(training["weight_decay"]["default"], t.weight_decay);
  EXPECT_EQ(training["momentum"]["default"], t.momentum);
  EXPECT_EQ(training["grad_clip"]["default"], t.grad_clip);
  EXPECT_EQ(training["threads"]["default"], t.threads);
  EXPECT_EQ(training["accumulate"]["default"], t.accumulate);
  EXPECT_EQ(training["precision"]["default"], t.precision);
  EXPECT_EQ(training["bucket_by_length"]["default"], t.bucket_by_length);
  EXPECT_EQ(training["drop_last"]["default"], t.drop_last);
  EXPECT_EQ(training["max_tokens"]["default"], t.max_tokens);
  EXPECT_EQ(training["comm_dtype"]["default"], t.comm_dtype);
  EXPECT_EQ(model["tie_embeddings"]["default"], m.tie_embeddings);
  const json& selection = training["selection"]["properties"];
  EXPECT_EQ(selection["metric"]["default"], t.selection.metric);
  EXPECT_EQ(selection["keep_best"]["default"], t.selection.keep_best);
  EXPECT_EQ(selection["patience"]["default"], t.selection.patience);
  EXPECT_EQ(selection["min_delta"]["default"], t.selection.min_delta);
  EXPECT_EQ(selection["at_final_sparsity"]["default"], t.selection.at_final_sparsity);
  const PruneModifier p;
  EXPECT_EQ(prune["method"]["default"], p.method);
  EXPECT_EQ(prune["scope"]["default"], p.scope);
  EXPECT_EQ(prune["schedule"]["default"], p.schedule);
  EXPECT_EQ(prune["init_sparsity"]["default"], p.init_sparsity);
  EXPECT_EQ(prune["pattern"]["default"], p.pattern);
  const json& adaptive = schema["$defs"]["adaptive"]["properties"];
  EXPECT_EQ(adaptive["metric"]["default"], AdaptiveSchedule{}.metric);
  const LrModifier l;
  EXPECT_EQ(lr["schedule"]["default"], l.schedule);
  EXPECT_EQ(lr["min_lr"]["default"], l.min_lr);
  EXPECT_EQ(lr["gamma"]["default"], l.gamma);
  EXPECT_EQ(lr["rewind"]["default"], l.rewind);
  EXPECT_EQ(schema["$defs"]["rewind"]["properties"]["reinit"]["default"], RewindModifier{}.reinit);
  EXPECT_EQ(schema["$defs"]["stage"]["properties"]["repeat"]["default"], Stage{}.repeat);
  EXPECT_EQ(schema["properties"]["seed"]["default"], Recipe{}.seed);
}

}  // namespace
}  // namespace topiary::recipe
