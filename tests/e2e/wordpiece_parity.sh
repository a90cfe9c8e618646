#!/usr/bin/env bash
# `topiary prepare --tokenizer wordpiece --vocab DIR` gives the ids Hugging Face `tokenizers`
# gives with the same tokenizer.json (all-MiniLM-L6-v2, truncation 128), read back from the
# dataset file with h5py:
#   - every SST-2 dev sentence;
#   - hard cases: accents, CJK, controls, zero-width characters, U+FFFD, long words around the
#     100-character limit, emoji, punctuation runs, Greek and Cyrillic capitals, combining
#     sequences, added tokens written in the text, a text past 128 tokens, and texts that have
#     no word pieces at all (empty, white space, only removed characters). Those are dropped by
#     prepare and counted as empty, where Hugging Face gives [CLS] [SEP]: the test checks that
#     exactly they are missing and every other row is identical;
#   - every Unicode code point inside a word ("a<c>b", no truncation), which pins the character
#     classes (see framework/data/bert_characters.h, Note [Unicode 8.0 categories]).
# Then a small classifier trained on the SST-2 dataset answers `topiary predict` (export and
# checkpoint) on the hard cases with the logits python/topiary_h5 computes from ids of a
# `tokenizers` Tokenizer rebuilt from the dataset's stored settings, so predict cuts raw text
# the same way too.
source "$(dirname "$0")/../lib.sh"
need_pretrained
SECONDS=0

PYTHONDONTWRITEBYTECODE=1 "$PY" - "$WORK" "$DATA/sst2/dev.tsv" <<'PY'
import csv, json, sys
work, dev = sys.argv[1:3]
with open(dev, encoding="utf-8", newline="") as f:
    sst2 = [(row["sentence"], row["label"]) for row in csv.DictReader(f, delimiter="\t",
                                                                       quoting=csv.QUOTE_NONE)]
long_word = "ab" * 75  # 150 characters
hard = [
    "café", "Ångström", "naïve", "CAFÉ Ångström NAÏVE résumé", "Crème brûlée façade",
    "中文字符", "日本語text", "mixed中文and日本語テキスト", "한국어 텍스트", "ひらがな カタカナ",
    "a\x01b\x02c\x7fd", "tab\there\nnewline\rreturn", "a\x0bb\x0cc\x85d", "bell\x07 esc\x1b[0m",
    "zero\u200bwidth\u200cnon\u200djoiner", "\ufeffbom at start", "soft\u00adhyphen",
    "left\u200eto\u200fright", "bad \ufffd char", "\ufffd", "nul\x00inside",
    long_word, "x" + long_word, "ab" * 49 + "a", "ab" * 50, "ab" * 50 + "a", "é" * 100, "é" * 101,
    "I love it 😀😀 👍🏽 🇫🇷 👨‍👩‍👧 ❤️", "emoji😀glued", "!!!???...", "wait...what?!",
    "--- *** ### @@@ ~~~", "«quoted» „low“ ‘single’ “double”", "a—b–c", "$5.00 + 3% = ?",
    "ΑΘΗΝΑ ΟΔΟΣ Σίσυφος", "МОСКВА Привет ЁЖИК", "e\u0301 a\u0308\u0301 n\u0303o",
    "Z\u0351\u0315a\u0362l\u0353g\u0320o", "\u0301leading mark", "İSTANBUL ıi", "STRASSE straße ẞ",
    "ＡＢＣ １２３ ｶﾀｶﾅ", "ﬁnance Ⅻ ℌ", "hello [SEP] world [MASK][CLS] [cls] [UNK]",
    "don't stop", "U.S.A. e.g. 3.14", " ".join(["word"] * 300),
    "", "   ", "\t \n ", "\u200b\u200b", "\x00", "\u3000", "\ufffd\ufeff",
]
def write(name, rows):
    with open(f"{work}/{name}.jsonl", "w", encoding="utf-8") as f:
        for text, label in rows:
            f.write(json.dumps({"text": text, "label": label}) + "\n")
write("sst2", sst2)
write("hard", [(text, str(i % 2)) for i, text in enumerate(hard)])
points = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
write("sweep", [(" ".join("a" + chr(c) + "b" for c in points[i:i + 64]), str(i // 64 % 2))
                for i in range(0, len(points), 64)])
PY

prepare() {  # prepare NAME MAX_LENGTH: $WORK/NAME.jsonl, both splits, -> $WORK/NAME.h5
  "$BIN" prepare --format jsonl --input "$WORK/$1.jsonl" --valid "$WORK/$1.jsonl" \
    --tokenizer wordpiece --vocab "$PRETRAINED" --max-length "$2" --output "$WORK/$1.h5" \
    >"$WORK/$1.log" || fail "prepare $1"
}
prepare sst2 128
prepare hard 128
prepare sweep 100000
"$BIN" prepare --format jsonl --input "$WORK/hard.jsonl" --valid "$WORK/hard.jsonl" \
  --tokenizer wordpiece --vocab "$PRETRAINED/tokenizer.json" --output "$WORK/hard_file.h5" \
  >/dev/null || fail "prepare with --vocab naming the file"
expect_user_error "--max-vocab" "$BIN" prepare --format jsonl --input "$WORK/hard.jsonl" \
  --tokenizer wordpiece --vocab "$PRETRAINED" --max-vocab 1000 --output "$WORK/no.h5"
expect_user_error "--tokenizer wordpiece needs --vocab" "$BIN" prepare --format jsonl \
  --input "$WORK/hard.jsonl" --tokenizer wordpiece --output "$WORK/no.h5"

PYTHONDONTWRITEBYTECODE=1 "$PY" - "$WORK" "$PRETRAINED/tokenizer.json" <<'PY'
import json, re, sys
import h5py
from tokenizers import Tokenizer
work, tokenizer_json = sys.argv[1:3]
reference = Tokenizer.from_file(tokenizer_json)
reference.no_padding()
empty = [reference.token_to_id("[CLS]"), reference.token_to_id("[SEP]")]

def rows(path):
    with h5py.File(path, "r") as f:
        tokens, offsets = f["train/tokens"][:], f["train/offsets"][:]
        assert f.attrs["max_length"] in ("128", "100000"), f.attrs["max_length"]
    return [tokens[offsets[i]:offsets[i + 1]].tolist() for i in range(len(offsets) - 1)]

def check(name, max_length):
    texts = [json.loads(line)["text"] for line in open(f"{work}/{name}.jsonl", encoding="utf-8")]
    reference.enable_truncation(max_length)
    expected = [e.ids for e in reference.encode_batch(texts)]
    kept = [ids for ids in expected if ids != empty]
    got = rows(f"{work}/{name}.h5")
    assert len(got) == len(kept), f"{name}: {len(got)} rows, expected {len(kept)}"
    mismatches = [i for i, (a, b) in enumerate(zip(got, kept)) if a != b]
    if mismatches:
        texts_kept = [t for t, e in zip(texts, expected) if e != empty]
        for i in mismatches[:5]:
            print(f"{name} row {i}: {texts_kept[i][:80]!r}\n  topiary {got[i][:20]}\n  "
                  f"tokenizers {kept[i][:20]}")
        raise SystemExit(f"{name}: {len(mismatches)} of {len(kept)} rows differ")
    summary = open(f"{work}/{name}.log").read()
    dropped = int(re.search(r"dropped: (\d+) empty", summary).group(1))
    assert dropped == 2 * (len(texts) - len(kept)), (dropped, len(texts) - len(kept))  # both splits
    print(f"{name}: {len(kept)} texts identical to tokenizers, {len(texts) - len(kept)} without "
          "word pieces dropped")
    return texts, expected

check("sst2", 128)
texts, expected = check("hard", 128)
assert sum(e == empty for e in expected) == 8, "the hard cases without word pieces changed"
assert max(len(e) for e in expected) == 128, "no hard case reaches the truncation"
assert rows(f"{work}/hard_file.h5") == rows(f"{work}/hard.h5"), "--vocab FILE differs from DIR"
check("sweep", 100000)
PY

# predict: a classifier on the SST-2 dataset, then raw text through the export and checkpoint.
"$BIN" train --recipe "$SRC/recipes/gmp_global90.yaml" --set data.path="$WORK/sst2.h5" \
  --set model.embedding_dim=16 --set model.filters=8 --set training.batch_size=16 \
  --set training.eval_every=20it --set stages.0.until=10it --set stages.1.until=20it \
  --set stages.1.modifiers.0.prune.start=10it --set stages.1.modifiers.0.prune.end=15it \
  --set stages.1.modifiers.1.prune.start=10it --set stages.1.modifiers.1.prune.end=15it \
  --set stages.1.modifiers.0.prune.every=5it --set stages.1.modifiers.1.prune.every=5it \
  --output "$WORK/cls" >"$WORK/train.log" 2>&1 || { cat "$WORK/train.log"; fail "train"; }
"$BIN" export "$WORK/cls/final.h5" -o "$WORK/cls.h5" --format dense >/dev/null
"$BIN" predict "$WORK/cls.h5" --input "$WORK/hard.jsonl" --format jsonl --text-column text \
  --logits >"$WORK/predict_export.jsonl"
"$BIN" predict "$WORK/cls/final.h5" --input "$WORK/hard.jsonl" --format jsonl \
  --text-column text --logits >"$WORK/predict_checkpoint.jsonl"

PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$SRC/python" "$PY" - "$WORK" "$PRETRAINED/tokenizer.json" <<'PY'
import json, sys
import numpy as np
from tokenizers import Tokenizer
from topiary_h5 import load_export
work, tokenizer_json = sys.argv[1:3]
model = load_export(f"{work}/cls.h5")
assert model.tokenizer.kind == "wordpiece", model.tokenizer.kind
reference = Tokenizer.from_file(tokenizer_json)
reference.no_padding()
reference.enable_truncation(128)
texts = [json.loads(line)["text"] for line in open(f"{work}/hard.jsonl", encoding="utf-8")]
for text in texts:  # the rebuilt Tokenizer is the original one
    assert model.encode_text(text) == reference.encode(text).ids, text
python_logits = model.classify(texts).double().numpy()
for name in ("predict_export.jsonl", "predict_checkpoint.jsonl"):
    cpp = np.array([json.loads(line)["logits"] for line in open(f"{work}/{name}")])
    assert cpp.shape == python_logits.shape, (name, cpp.shape)
    diff = float(np.abs(cpp - python_logits).max())
    print(f"predict ({name}): {len(texts)} texts, max |logit diff| {diff:.2e}")
    assert diff <= 1e-5, diff
PY
echo "wordpiece_parity: ok in ${SECONDS}s"
