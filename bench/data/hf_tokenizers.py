#!/usr/bin/env python3
"""Word-level tokenization of a text file with Hugging Face `tokenizers`, as a user would do it.

The peer of `topiary prepare --format text --tokenizer word` in bench/data/hf_compare.sh: a
WordLevel model with a Lowercase normalizer and the Whitespace pre-tokenizer (words and runs
of punctuation), its vocabulary trained on the file (WordLevelTrainer, min_frequency 1, the
specials <pad> <unk> <eos>), then every line encoded (encode_batch_fast when the version has it,
in batches of 10,000 lines) and the ids written as one int32 array plus int64 line offsets
(numpy .npy files), the same data a Topiary dataset holds. Run it with RAYON_NUM_THREADS=1
for one thread.

  hf_tokenizers.py INPUT.txt OUTPUT_PREFIX      # prints one JSON line: seconds per phase
"""
import itertools
import json
import sys
import time

import numpy as np
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers


def main():
    source, prefix = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    tokenizer = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.WordLevelTrainer(min_frequency=1, show_progress=False,
                                        special_tokens=["<pad>", "<unk>", "<eos>"])
    tokenizer.train([source], trainer)
    t1 = time.perf_counter()
    encode = getattr(tokenizer, "encode_batch_fast", tokenizer.encode_batch)
    ids, offsets = [], [0]
    with open(source, encoding="utf-8") as f:
        while True:
            lines = [line.rstrip("\n") for line in itertools.islice(f, 10000)]
            if not lines:
                break
            for encoding in encode(lines):
                if encoding.ids:
                    ids.append(np.asarray(encoding.ids, dtype=np.int32))
                    offsets.append(offsets[-1] + len(encoding.ids))
    t2 = time.perf_counter()
    np.save(prefix + ".ids.npy", np.concatenate(ids) if ids else np.zeros(0, np.int32))
    np.save(prefix + ".offsets.npy", np.asarray(offsets, dtype=np.int64))
    tokenizer.save(prefix + ".tokenizer.json")
    t3 = time.perf_counter()
    print(json.dumps({"train_seconds": t1 - t0, "encode_seconds": t2 - t1, "write_seconds": t3 - t2,
                      "seconds": t3 - t0, "vocabulary": tokenizer.get_vocab_size(),
                      "tokens": int(offsets[-1]), "documents": len(offsets) - 1}))


if __name__ == "__main__":
    main()
