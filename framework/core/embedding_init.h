#pragma once
// How a model trained from scratch draws its token embedding table: the one list behind the
// recipe's model.embedding_init and the model factory. It lives in core because the torch-free
// recipe and the LibTorch models both need it.
#include "core/enum_table.h"

namespace topiary {

// kNormal: LibTorch's own N(0, 1). kUniform: U(-r, r) with r = model.embedding_init_range, as
// in Kim (2014)'s CNN-rand (r = 0.25). With N(0, 1) a rarely seen word keeps large random
// weights that magnitude pruning takes for important ones; U(-0.25, 0.25) leaves them small.
enum class EmbeddingInit { kNormal, kUniform };
inline constexpr auto kEmbeddingInits = make_enum_table<EmbeddingInit>({
    {EmbeddingInit::kNormal, "normal"},
    {EmbeddingInit::kUniform, "uniform"},
});

}  // namespace topiary
