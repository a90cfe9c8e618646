#pragma once
// The kinds of model Topiary builds: the one list behind the recipe's model.type, the model
// factory (models/registry.cpp) and the model description that checkpoints and exports store
// (as the name, so files written before the enum existed still load). It lives in core because
// the torch-free recipe and the LibTorch models both need it and neither links the other.
#include "core/enum_table.h"

namespace topiary {

enum class ModelType { kTextCnn, kBiLstm, kBiGru, kTransformer, kGpt, kBert };
inline constexpr auto kModelTypes = make_enum_table<ModelType>({
    {ModelType::kTextCnn, "textcnn"},
    {ModelType::kBiLstm, "bilstm"},
    {ModelType::kBiGru, "bigru"},
    {ModelType::kTransformer, "transformer"},
    {ModelType::kGpt, "gpt"},
    {ModelType::kBert, "bert"},
});

}  // namespace topiary
