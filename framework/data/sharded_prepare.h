#pragma once
// The parallel, streaming half of `topiary prepare` for language-model text (--format text,
// one document per line): inputs larger than --shard-mb are cut into byte shards
// (line_shard_reader.h), rank r of W handles shards r, r+W, ... of every input, and the result
// is one dataset file per shard plus a manifest at --output (dataset_manifest.h).
//
//  pass 1  every rank reads its shards: sha256 of their bytes and token counts; counts, shard
//          checksums and errors are all-gathered, so every rank builds the same vocabulary.
//  check   when --output is a manifest whose fingerprint (options + shard checksums) matches,
//          nothing is written: a rerun on unchanged input is a no-op.
//  pass 2  every rank tokenizes its shards again and writes each shard file atomically, named
//          after the fingerprint so a new run never overwrites a file the old manifest uses.
//  commit  rank 0 writes the manifest atomically, then deletes shard files no manifest names.
// A run killed at any point leaves either no manifest or the previous complete one.
// Memory is bounded by one shard's tokens and the token counts, not by the input size, and the
// output is the same for any number of ranks (shards are cut by bytes, validation documents
// are chosen by a seeded hash of their byte offset, vocabularies merge exact counts).
#include "comm/communicator.h"
#include "data/prepare.h"

namespace topiary::data {

// Whether prepare_dataset takes this path: --format text with one document per line and an
// input (or --valid input) larger than --shard-mb.
bool uses_sharded_prepare(const PrepareOptions& options);

// Collective: every rank of `comm` calls it. Errors (bad input on any rank) are UserErrors on
// every rank, with the same message.
PrepareSummary prepare_sharded(const PrepareOptions& options, comm::Communicator& comm);

}  // namespace topiary::data
