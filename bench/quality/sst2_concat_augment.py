#!/usr/bin/env python3
"""Longer training inputs for distilling a pruned SST-2 student: SST-2's training split is mostly
short phrases while GLUE dev is full sentences, and a 90%-sparse MiniLM loses most of its accuracy
on the longer half of dev. This script carves a seeded 5% validation split from train.tsv and
writes COUNT concatenations of two random phrases of the remaining training split, joined by a
comma, "and", "but" or a full stop (at most 48 words each), one per line, unlabelled: the dense
teacher labels them (`topiary predict`), see bench/quality/minilm_augment.sh.

    bench/quality/sst2_concat_augment.py TRAIN.tsv COUNT OUTDIR
    bench/quality/sst2_concat_augment.py --join OUTDIR PREDICTIONS.jsonl

The first writes OUTDIR/train_orig.tsv, OUTDIR/valid.tsv (sentence<TAB>label) and OUTDIR/aug.txt;
the second (with the teacher's `topiary predict` output for aug.txt) writes OUTDIR/train_aug.tsv:
train_orig.tsv followed by every concatenation with the teacher's label.
"""
import json
import random
import sys


def read_rows(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f][1:]


def write_rows(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write("sentence\tlabel\n")
        for sentence, label in rows:
            f.write(sentence.strip() + "\t" + label + "\n")


def join(out, predictions):
    with open(f"{out}/aug.txt", encoding="utf-8") as f:
        concatenations = [line.rstrip("\n") for line in f]
    with open(predictions, encoding="utf-8") as f:
        labels = {record["line"]: record["label"] for record in map(json.loads, f)}
    missing = [n for n in range(1, len(concatenations) + 1) if n not in labels]
    if missing:
        sys.exit(f"{predictions}: no prediction for line {missing[0]} of {out}/aug.txt")
    with open(f"{out}/train_orig.tsv", encoding="utf-8") as f:
        original = f.read()
    with open(f"{out}/train_aug.tsv", "w", encoding="utf-8") as f:
        f.write(original)
        for number, sentence in enumerate(concatenations, start=1):
            f.write(sentence + "\t" + labels[number] + "\n")


def main():
    if sys.argv[1] == "--join":
        join(sys.argv[2], sys.argv[3])
        return
    train_tsv, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rng = random.Random(1)
    rows = read_rows(train_tsv)
    order = list(range(len(rows)))
    rng.shuffle(order)
    valid_count = round(0.05 * len(rows))
    valid = [rows[i] for i in order[:valid_count]]
    train = [rows[i] for i in order[valid_count:]]
    write_rows(f"{out}/valid.tsv", valid)
    write_rows(f"{out}/train_orig.tsv", train)
    # Mostly commas, then "and": GLUE dev's sentences hold 747 " , ", 481 " and ", 108 " but ".
    joiners = [" , "] * 10 + [" and "] * 4 + [" but "] * 3 + [" . "] * 3
    concatenations = []
    while len(concatenations) < count:
        first, second = rng.choice(train)[0].strip(), rng.choice(train)[0].strip()
        if first == second or len((first + " " + second).split()) > 48:
            continue
        concatenations.append(first + rng.choice(joiners) + second)
    with open(f"{out}/aug.txt", "w", encoding="utf-8") as f:
        f.writelines(s + "\n" for s in concatenations)
    print(f"{len(train)} training rows, {len(valid)} validation rows, {len(concatenations)} concatenations")


if __name__ == "__main__":
    main()
