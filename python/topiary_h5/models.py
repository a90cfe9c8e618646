"""PyTorch twins of Topiary's models (framework/models/*.cpp): same parameter names, same
forward computation, so an export's weights load with load_state_dict(strict=True) and give the
C++ logits. Input: int64 token ids [batch, length] padded with id 0."""
import math

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def _per_layer(spec, key, default_key, i):
    sizes = spec.get(key) or []
    return int(sizes[i]) if sizes else int(spec[default_key])


class TextCNN(nn.Module):
    """Kim CNN; windows that reach past an example's last real token never win max pooling."""

    def __init__(self, spec):
        super().__init__()
        e = spec["embedding_dim"]
        self.widths = [int(w) for w in spec["widths"]]
        filters = [_per_layer(spec, "filters_per_width", "filters", i)
                   for i in range(len(self.widths))]
        self.embedding = nn.Embedding(spec["vocab_size"], e, padding_idx=0)
        self.convs = nn.ModuleList(nn.Conv1d(e, f, w) for f, w in zip(filters, self.widths))
        self.dropout = nn.Dropout(spec["dropout"])
        self.fc = nn.Linear(sum(filters), spec["num_classes"])

    def min_length(self):
        return max(self.widths, default=1)

    def forward(self, tokens):
        lengths = (tokens != 0).sum(1, keepdim=True)
        embedded = self.embedding(tokens).transpose(1, 2)
        pooled = []
        for conv, width in zip(self.convs, self.widths):
            features = conv(embedded)
            valid_windows = (lengths - width + 1).clamp_min(1)
            positions = torch.arange(features.size(2)).unsqueeze(0)
            features = features.masked_fill((positions >= valid_windows).unsqueeze(1), -math.inf)
            pooled.append(torch.relu(features.max(dim=2).values))
        return self.fc(self.dropout(torch.cat(pooled, 1)))


class PerLayerRNN(nn.Module):
    """A stacked bidirectional LSTM / GRU whose layers differ in hidden size (a thinned model's
    hidden_per_layer), with nn.LSTM's parameter names (weight_ih_l<k>[_reverse], ...). Each layer
    runs a one-layer nn.LSTM / nn.GRU whose parameters are registered here under those names."""

    def __init__(self, rnn, input_size, hidden, dropout):
        super().__init__()
        self.dropout = dropout
        self._layers = []  # not submodules: their parameters are ours, renamed
        for k, h in enumerate(hidden):
            layer = rnn(input_size, h, num_layers=1, bidirectional=True, batch_first=True)
            for name, parameter in list(layer.named_parameters()):
                self.register_parameter(name.replace("_l0", f"_l{k}"), parameter)
            self._layers.append(layer)
            input_size = 2 * h

    def forward(self, packed):
        for k, layer in enumerate(self._layers):
            layer.train(self.training)
            packed = layer(packed)[0]
            if k + 1 < len(self._layers) and self.training and self.dropout > 0:
                packed = packed._replace(
                    data=nn.functional.dropout(packed.data, self.dropout, True))
        return (packed,)


class RecurrentClassifier(nn.Module):
    """Packed bidirectional LSTM / GRU, max-and-mean pooling over real tokens."""

    def __init__(self, spec):
        super().__init__()
        layers = max(1, int(spec["layers"]))
        hidden = [_per_layer(spec, "hidden_per_layer", "hidden", i) for i in range(layers)]
        rnn = nn.GRU if spec["type"] == "bigru" else nn.LSTM
        dropout = spec["dropout"] if layers > 1 else 0.0
        self.embedding = nn.Embedding(spec["vocab_size"], spec["embedding_dim"], padding_idx=0)
        if len(set(hidden)) == 1:
            self.rnn = rnn(spec["embedding_dim"], hidden[0], num_layers=layers,
                           bidirectional=True, batch_first=True, dropout=dropout)
        else:
            self.rnn = PerLayerRNN(rnn, spec["embedding_dim"], hidden, dropout)
        self.dropout = nn.Dropout(spec["dropout"])
        self.fc = nn.Linear(4 * hidden[-1], spec["num_classes"])

    def min_length(self):
        return 1

    def forward(self, tokens):
        lengths = (tokens != 0).sum(1).clamp_min(1)
        packed = pack_padded_sequence(self.embedding(tokens), lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        states, _ = pad_packed_sequence(self.rnn(packed)[0], batch_first=True)
        real = (torch.arange(states.size(1)).unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(2)
        max_pooled = states.masked_fill(~real, -math.inf).max(1).values
        mean_pooled = (states * real).sum(1) / lengths.unsqueeze(1).to(states.dtype)
        return self.fc(self.dropout(torch.cat([max_pooled, mean_pooled], 1)))


class Attention(nn.Module):
    def __init__(self, width, heads, head_dim, dropout):
        super().__init__()
        self.heads, self.head_dim = heads, head_dim
        inner = heads * head_dim
        self.q = nn.Linear(width, inner)
        self.k = nn.Linear(width, inner)
        self.v = nn.Linear(width, inner)
        self.o = nn.Linear(inner, width)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask):
        batch, time = x.size(0), x.size(1)

        def split(t):
            return t.view(batch, time, self.heads, self.head_dim).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.head_dim)
        scores = scores.masked_fill(~mask, -math.inf)
        weights = self.dropout(torch.softmax(scores, -1))
        mixed = torch.matmul(weights, v).transpose(1, 2).reshape(batch, time,
                                                                 self.heads * self.head_dim)
        return self.o(mixed)


class FeedForward(nn.Module):
    def __init__(self, width, hidden, dropout):
        super().__init__()
        self.up = nn.Linear(width, hidden)
        self.down = nn.Linear(hidden, width)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.down(self.dropout(torch.nn.functional.gelu(self.up(x))))


class TransformerBlock(nn.Module):
    """Pre-LN: x + attention(norm1(x)), then h + ffn(norm2(h))."""

    def __init__(self, width, heads, head_dim, ffn, dropout):
        super().__init__()
        self.norm1 = nn.LayerNorm(width)
        self.attention = Attention(width, heads, head_dim, dropout)
        self.norm2 = nn.LayerNorm(width)
        self.ffn = FeedForward(width, ffn, dropout)

    def forward(self, x, mask):
        h = x + self.attention(self.norm1(x), mask)
        return h + self.ffn(self.norm2(h))


def _blocks(spec):
    d = spec["embedding_dim"]
    head_dim = d // spec["heads"]  # stays the same when a model is thinned to fewer heads
    return nn.ModuleList(
        TransformerBlock(d, _per_layer(spec, "heads_per_layer", "heads", i), head_dim,
                         _per_layer(spec, "ffn_per_layer", "ffn", i), spec["dropout"])
        for i in range(int(spec["layers"])))


class TransformerClassifier(nn.Module):
    """Encoder over the first max_positions tokens; mean pooling over real tokens."""

    def __init__(self, spec):
        super().__init__()
        d = spec["embedding_dim"]
        self.max_positions = int(spec["max_positions"])
        self.embedding = nn.Embedding(spec["vocab_size"], d, padding_idx=0)
        self.position = nn.Embedding(self.max_positions, d)
        self.layers = _blocks(spec)
        self.norm = nn.LayerNorm(d)
        self.dropout = nn.Dropout(spec["dropout"])
        self.fc = nn.Linear(d, spec["num_classes"])

    def min_length(self):
        return 1

    def forward(self, tokens):
        tokens = tokens[:, :self.max_positions]
        real = tokens != 0
        # As the C++ model: an input without tokens is read as its first (padding) token.
        empty = ~real.any(1)
        if bool(empty.any()):
            real = real.clone()
            real[empty, 0] = True
        x = self.dropout(self.embedding(tokens) + self.position(torch.arange(tokens.size(1))))
        mask = real.unsqueeze(1).unsqueeze(2)  # [B, 1, 1, T]: padded keys are hidden
        for layer in self.layers:
            x = layer(x, mask)
        x = self.norm(x)
        weights = real.unsqueeze(2).to(x.dtype)
        pooled = (x * weights).sum(1) / weights.sum(1).clamp_min(1.0)
        return self.fc(self.dropout(pooled))


class GPT(nn.Module):
    """Causal decoder; next-token logits [B, T, V]. The output projection is embedding.weight
    unless tie_embeddings is false (then head.weight)."""

    def __init__(self, spec):
        super().__init__()
        d = spec["embedding_dim"]
        self.max_positions = int(spec["max_positions"])
        self.embedding = nn.Embedding(spec["vocab_size"], d)
        self.position = nn.Embedding(self.max_positions, d)
        self.layers = _blocks(spec)
        self.norm = nn.LayerNorm(d)
        self.dropout = nn.Dropout(spec["dropout"])
        self.head = None if spec["tie_embeddings"] else nn.Linear(d, spec["vocab_size"],
                                                                  bias=False)

    def forward(self, tokens):
        time = tokens.size(1)
        if time > self.max_positions:
            raise ValueError("GPT input longer than max_positions")
        x = self.dropout(self.embedding(tokens) + self.position(torch.arange(time)))
        causal = torch.ones(time, time, dtype=torch.bool).tril().view(1, 1, time, time)
        for layer in self.layers:
            x = layer(x, causal)
        x = self.norm(x)
        return self.head(x) if self.head is not None else torch.matmul(x, self.embedding.weight.t())


MODELS = {"textcnn": TextCNN, "bilstm": RecurrentClassifier, "bigru": RecurrentClassifier,
          "transformer": TransformerClassifier, "gpt": GPT}


def build_model(spec):
    """An untrained module for a model description (the export's "model" JSON)."""
    if spec["type"] not in MODELS:
        raise ValueError(f"unknown model type {spec['type']!r}; known: {', '.join(MODELS)}")
    return MODELS[spec["type"]](spec)
