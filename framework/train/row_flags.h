#pragma once
// The per-row flags of Note [Row-sparse exchange] (gradient_reducer.h).
#include <torch/types.h>

namespace topiary::train {

// flags[r] = 1 (uint8, on grad's device) when row r of `grad` (contiguous float32 [rows, width])
// has a non-zero entry. A row whose entries are all zero is rewritten to +0, so that rows no rank
// touched hold the same bits on every rank (a dense sum of +-0 would give +0 there too). On the
// CPU one read pass with no temporaries; elsewhere the same result from torch operations.
torch::Tensor flag_touched_rows(torch::Tensor& grad);

}  // namespace topiary::train
