#pragma once
// The per-row flags of Note [Row-sparse exchange] (gradient_reducer.h).
#include <torch/types.h>

namespace topiary::train {

// flags[r] = 1 (uint8, on grad's device) when row r of `grad` (contiguous float32 [rows, width])
// has a non-zero entry. A row whose entries are all zero is rewritten to +0, so that rows no rank
// touched hold the same bits on every rank (a dense sum of +-0 would give +0 there too). On the
// CPU one read pass with no temporaries; elsewhere the same result from torch operations.
torch::Tensor flag_touched_rows(torch::Tensor& grad);

// grad.masked_fill_(pruned, 0), bit for bit, for a lookup table's gradient: a row whose entries
// are all +0 (no token of the batch read it) already holds what masking would leave, so only
// the other rows are masked. On the CPU that is one read pass over the table plus the batch's
// rows, instead of a pass over the table and its bool mask (3 ms of a 35 ms TextCNN step);
// elsewhere, or for non-contiguous tensors, it is masked_fill_.
void mask_rows_read(torch::Tensor& grad, const torch::Tensor& pruned);

}  // namespace topiary::train
