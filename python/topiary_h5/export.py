"""load_export(): an export file as a ready PyTorch model plus the tokenizer and inference
helpers that mirror `topiary predict` (framework/deploy/predict.cpp, runnable_model.cpp) and
`topiary eval` for language models (framework/train/evaluate.cpp)."""
import torch

from .models import build_model
from .reader import RawExport
from .tokenizer import EOS_ID, TextEncoder


class Export:
    """A loaded export. Attributes:
      model         torch.nn.Module in eval mode, parameter names as in the file
      state_dict    name -> float32 tensor (dense; pruned entries are zero)
      spec          the model description (dict: type, sizes, max_length, ...)
      vocabulary    list of str (id = index)
      label_names   list of str (classifiers; empty for a language model)
      tokenizer     TextEncoder built from /tokenizer (tokenizer.attributes: all its attributes)
      encodings     name -> dense | bitmask | csr | nm, as stored
      attributes    the file's root attributes (format, dtype, task, recipe, ...)
    """

    def __init__(self, path):
        raw = RawExport(path)
        self.path = path
        self.attributes = raw.attributes
        self.spec = raw.model
        self.vocabulary = raw.vocabulary
        self.label_names = raw.label_names
        self.encodings = raw.encodings
        self.tokenizer = TextEncoder(raw.vocabulary, raw.tokenizer_attributes.get("tokenizer", ""))
        self.tokenizer.attributes = raw.tokenizer_attributes
        self.state_dict = {name: torch.from_numpy(w) for name, w in raw.weights.items()}
        self.model = build_model(self.spec)
        expected = set(self.model.state_dict())
        if expected != set(self.state_dict):
            raise ValueError(f"{path}: parameters differ from the model description: missing "
                             f"{sorted(expected - set(self.state_dict))}, extra "
                             f"{sorted(set(self.state_dict) - expected)}")
        self.model.load_state_dict(self.state_dict, strict=True)
        self.model.eval()
        self.is_language_model = self.spec["type"] == "gpt"
        # Truncation `topiary prepare --max-length` applied to the training data (classifiers).
        self.prepare_max_length = 0 if self.is_language_model else int(
            raw.tokenizer_attributes.get("max_length", "0") or 0)
        # The recipe's model.max_length: classify() clips inputs to it.
        self.max_length = int(self.spec.get("max_length", 0) or 0)

    def encode_text(self, text):
        """Token ids of one text, truncated to the dataset's max_length like predict does."""
        ids = self.tokenizer.encode(text)
        if self.prepare_max_length > 0:
            ids = ids[:self.prepare_max_length]
        return ids

    @torch.no_grad()
    def classify_ids(self, inputs, batch_size=64):
        """Logits [N, C] for id sequences, batched and padded like deploy::classify: each batch
        padded to its longest (clipped to max_length) sequence, at least the model's
        min_length (the widest convolution for TextCNN)."""
        rows = []
        for begin in range(0, len(inputs), batch_size):
            batch = inputs[begin:begin + batch_size]
            clipped = [ids[:self.max_length] if self.max_length > 0 else ids for ids in batch]
            length = max([self.model.min_length()] + [len(ids) for ids in clipped])
            tokens = torch.zeros(len(batch), length, dtype=torch.int64)
            for r, ids in enumerate(clipped):
                tokens[r, :len(ids)] = torch.tensor(ids, dtype=torch.int64)
            rows.append(self.model(tokens).float())
        return torch.cat(rows) if rows else torch.zeros(0, len(self.label_names))

    def classify(self, texts, batch_size=64):
        """Logits [N, C] for raw texts, as `topiary predict --logits` prints them."""
        return self.classify_ids([self.encode_text(t) for t in texts], batch_size)

    def token_stream(self, documents):
        """Language model: documents (texts) encoded and each followed by <eos>, as
        `topiary eval` reads a split; documents without tokens are dropped like prepare does."""
        stream = []
        for text in documents:
            ids = self.tokenizer.encode(text)
            if ids:
                stream += ids + [EOS_ID]
        return stream

    @torch.no_grad()
    def language_model_loss(self, stream, batch_size=32):
        """Mean next-token cross-entropy over a token stream, in blocks of max_positions
        predictions with stride max_positions (the last block shorter), as `topiary eval`."""
        context = int(self.spec["max_positions"])
        stream = torch.tensor(stream, dtype=torch.int64)
        predictions = stream.numel() - 1
        total, count = 0.0, 0

        def run(starts, length):
            x = torch.stack([stream[s:s + length] for s in starts])
            y = torch.stack([stream[s + 1:s + length + 1] for s in starts]).reshape(-1)
            logits = self.model(x).float().reshape(x.numel(), -1)
            return torch.nn.functional.cross_entropy(logits, y, reduction="sum").item()

        full = []
        for start in range(0, max(predictions, 0), context):
            length = min(context, predictions - start)
            if length < context:
                total += run([start], length)
            else:
                full.append(start)
            if len(full) == batch_size:
                total += run(full, context)
                full = []
            count += length
        if full:
            total += run(full, context)
        return total / count if count else 0.0

    @torch.no_grad()
    def generate(self, prompt, tokens):
        """Language model: greedy continuation ids of `prompt`, like `topiary predict --prompt
        ... --temperature 0` (the window is the last max_positions ids)."""
        ids = self.tokenizer.encode(prompt) or [EOS_ID]
        context = int(self.spec["max_positions"])
        generated = []
        for _ in range(tokens):
            window = torch.tensor([ids[-context:]], dtype=torch.int64)
            next_id = int(self.model(window)[0, -1].float().argmax())
            ids.append(next_id)
            generated.append(next_id)
        return generated


def read_lines(path):
    """The documents of a text file as `topiary prepare/predict --format text` read them: one per
    line, a trailing \\r dropped, lines of only whitespace skipped (a UTF-8 BOM is dropped)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        lines = f.read().split("\n")
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    return [line for line in lines if line.strip(" \t\r\n\f\v")]


def load_export(path):
    """Reads a `topiary export` file (any format and dtype) into an Export."""
    return Export(path)
