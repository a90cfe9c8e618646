#!/usr/bin/env python3
"""PyTorch-eager peer of bench/gpu/gpt_throughput.cpp: GPT LM training tokens/s on one device.

Same architecture, parameter names and initialisation scheme as framework/models/gpt.cpp and
framework/models/transformer_block.cpp: learned token and position embeddings, pre-LN blocks
(x + attn(norm1(x)); h + ffn(norm2(h))) with separate q/k/v/o Linear layers (bias), attention as
explicit matmul / masked_fill(-inf) / softmax / matmul (no fused SDPA, as in Topiary), GELU FFN,
final LayerNorm, output projection tied to the token embedding; GPT-2 init (N(0, 0.02), residual
projections N(0, 0.02 / sqrt(2 L)), biases 0, LayerNorms 1/0). Dropout 0 on both sides.

Each step: bf16 autocast forward, fp32 cross-entropy, backward, gradient masks, torch.optim.Adam
(default implementation: foreach on CUDA), weight masks -- the same order as Topiary's trainer.
--sparsity masks every 2-D weight inside the blocks by per-tensor magnitude (the tied embedding
stays dense), exactly the targets of gpt_throughput.

  gpt_peer.py --device cuda --sparsity 0.9 [--layers 12 --width 768 ...]

Prints one JSON line with the same keys as gpt_throughput (impl "pytorch"). --profile adds
"phases_ms" (the timed steps' mean per phase: data, forward, backward, optimizer), the device
synchronised at every phase boundary as in `gpt_throughput --profile`.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads, self.head_dim = heads, width // heads
        self.q = nn.Linear(width, width)
        self.k = nn.Linear(width, width)
        self.v = nn.Linear(width, width)
        self.o = nn.Linear(width, width)

    def forward(self, x, mask):
        b, t, _ = x.shape

        def split(y):
            return y.view(b, t, self.heads, self.head_dim).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.head_dim)
        scores = scores.masked_fill(~mask, float("-inf"))
        mixed = torch.matmul(torch.softmax(scores, -1), v).transpose(1, 2)
        return self.o(mixed.reshape(b, t, self.heads * self.head_dim))


class FeedForward(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.up = nn.Linear(width, hidden)
        self.down = nn.Linear(hidden, width)

    def forward(self, x):
        return self.down(F.gelu(self.up(x)))


class Block(nn.Module):
    def __init__(self, width, heads, ffn):
        super().__init__()
        self.norm1 = nn.LayerNorm(width)
        self.attention = Attention(width, heads)
        self.norm2 = nn.LayerNorm(width)
        self.ffn = FeedForward(width, ffn)

    def forward(self, x, mask):
        h = x + self.attention(self.norm1(x), mask)
        return h + self.ffn(self.norm2(h))


class Gpt(nn.Module):
    def __init__(self, vocab, width, heads, ffn, layers, context):
        super().__init__()
        self.embedding = nn.Embedding(vocab, width)
        self.position = nn.Embedding(context, width)
        self.layers = nn.ModuleList(Block(width, heads, ffn) for _ in range(layers))
        self.norm = nn.LayerNorm(width)
        residual_std = 0.02 / math.sqrt(2.0 * layers)
        with torch.no_grad():
            for name, p in self.named_parameters():
                if "norm" in name:
                    continue
                if name.endswith(".bias"):
                    p.zero_()
                elif "attention.o.weight" in name or "ffn.down.weight" in name:
                    p.normal_(0.0, residual_std)
                else:
                    p.normal_(0.0, 0.02)

    def forward(self, tokens):
        t = tokens.size(1)
        positions = torch.arange(t, device=tokens.device)
        x = self.embedding(tokens) + self.position(positions)
        causal = torch.ones(t, t, dtype=torch.bool, device=tokens.device).tril().view(1, 1, t, t)
        for layer in self.layers:
            x = layer(x, causal)
        return torch.matmul(self.norm(x), self.embedding.weight.t())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", choices=["cpu", "cuda"])
    parser.add_argument("--sparsity", type=float, default=0.0)
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--width", type=int, default=768)
    parser.add_argument("--heads", type=int, default=12)
    parser.add_argument("--ffn", type=int, default=3072)
    parser.add_argument("--vocab", type=int, default=50304)
    parser.add_argument("--context", type=int, default=1024)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--bf16", type=int, default=1)
    parser.add_argument("--peak-tflops", type=float, default=989.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("gpt_peer.py: --device cuda but torch sees no CUDA device")
    torch.manual_seed(args.seed)
    model = Gpt(args.vocab, args.width, args.heads, args.ffn, args.layers, args.context).to(device)
    model.train()
    params = list(model.named_parameters())
    masks = {}
    if args.sparsity > 0:
        with torch.no_grad():
            for name, p in params:
                if not name.startswith("layers.") or p.dim() != 2:
                    continue
                k = int(args.sparsity * p.numel())
                if k <= 0:
                    continue
                threshold = p.abs().reshape(-1).float().kthvalue(k).values
                masks[name] = (p.abs() > threshold).float()
                p.mul_(masks[name])
    masked = [(p, masks[name]) for name, p in params if name in masks]
    # The strongest stock set-up: the fused (single-kernel) Adam on CUDA, like Topiary's.
    fused = device.type == "cuda"
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, fused=fused)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    phase_seconds = {"data": 0.0, "forward": 0.0, "backward": 0.0, "optimizer": 0.0}
    clock = [0.0]

    def phase_end(name):
        # Only with --profile: wait for the device so that each phase owns its kernels.
        if args.profile:
            sync()
            now = time.perf_counter()
            phase_seconds[name] += now - clock[0]
            clock[0] = now

    def step():
        if args.profile:
            sync()
            clock[0] = time.perf_counter()
        block = torch.randint(0, args.vocab, (args.batch, args.context + 1), device=device)
        tokens, targets = block[:, :-1], block[:, 1:]
        phase_end("data")
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bool(args.bf16)):
            logits = model(tokens)
        loss = F.cross_entropy(logits.reshape(-1, args.vocab).float(), targets.reshape(-1))
        phase_end("forward")
        loss.backward()
        phase_end("backward")
        with torch.no_grad():
            for p, mask in masked:
                p.grad.mul_(mask)
        optimizer.step()
        with torch.no_grad():
            for p, mask in masked:
                p.mul_(mask)
        phase_end("optimizer")
        return loss

    for _ in range(args.warmup):
        step()
    sync()
    for name in phase_seconds:
        phase_seconds[name] = 0.0
    start = time.perf_counter()
    loss = None
    for _ in range(args.steps):
        loss = step()
    sync()
    seconds = time.perf_counter() - start
    count = sum(p.numel() for _, p in params)
    masked_total = sum(m.numel() for m in masks.values())
    sparsity = (sum((m == 0).sum().item() for m in masks.values()) / masked_total
                if masked_total else 0.0)
    tokens_per_s = args.batch * args.context * args.steps / seconds
    tflops = 6.0 * count * tokens_per_s / 1e12
    extra = {"profile": bool(args.profile)}
    if args.profile:
        extra["phases_ms"] = {k: round(1e3 * v / args.steps, 3) for k, v in phase_seconds.items()}
    print(json.dumps({
        "impl": "pytorch", "device": args.device, "optimizer": "torch.optim.Adam" + (" (fused)" if fused else ""),
        "bf16": bool(args.bf16), "sparsity": round(sparsity, 4), "params": count,
        "layers": args.layers, "width": args.width, "batch": args.batch,
        "context": args.context, "steps": args.steps, "seconds": round(seconds, 6),
        "step_ms": round(1e3 * seconds / args.steps, 3), "tokens_per_s": round(tokens_per_s, 1),
        "model_tflops": round(tflops, 3), "mfu": round(tflops / args.peak_tflops, 5),
        "loss": round(loss.item() if loss is not None else 0.0, 5),
        "torch": torch.__version__, **extra}))


if __name__ == "__main__":
    main()
