#!/usr/bin/env python3
"""PyTorch reference for the byte-level GPT of MODELS.md (models/gpt.cpp),
written from MODELS.md alone, with its parameter names, so that a kiln
checkpoint loads into it.

  torch_gpt.py --threads N --steps S [--compile]
      one AdamW train step at batch 32 on random windows, timed on N
      threads; prints "torch_ms_per_step <ms>" (bench/gpt_bench)
  torch_gpt.py --decode --threads N --steps S
      one decode step at batch 1 with a KV cache (the reference's own),
      timed; prints "torch_ms_per_step <ms>" (bench/gpt_bench)
  torch_gpt.py --eval CKPT [--data PATH] [--windows N]
      held-out loss of a kiln checkpoint by MODELS.md's protocol (every
      non-overlapping window [128 k, 128 k + 129) of the last 10% of the
      corpus); prints "torch_eval_loss <nats/byte> windows <n>"
  torch_gpt.py --greedy CKPT --prompt TEXT --tokens N
      greedy continuation by full recomputation over the window (rebuilt
      from its last 64 bytes when full, as kiln generate does); prints
      "torch_greedy <hex bytes>"
"""
import argparse
import math
import os

from torch_common import attention, best_ms, limit_threads, read_safetensors, add_device_arg, use_device
import torch
import torch.nn as nn
import torch.nn.functional as F

V, T, C, H, F_MLP, L = 256, 128, 128, 4, 512, 4


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(C)
        self.qkv = nn.Linear(C, 3 * C)
        self.proj = nn.Linear(C, C)
        self.ln2 = nn.LayerNorm(C)
        self.fc1 = nn.Linear(C, F_MLP)
        self.fc2 = nn.Linear(F_MLP, C)

    def attend(self, x, cache=None):
        n, s, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(C, dim=-1)
        heads = lambda t: t.view(n, -1, H, C // H).transpose(1, 2)
        q, k, v = heads(q), heads(k), heads(v)
        if cache is None:
            o = attention(q, k, v, causal=True)
        else:
            k = torch.cat([cache[0], k], dim=2) if cache[0] is not None else k
            v = torch.cat([cache[1], v], dim=2) if cache[1] is not None else v
            cache[0], cache[1] = k, v
            # A causal mask aligns query i with key i: right for a prefill
            # into an empty cache, wrong for several queries after cached
            # keys (query i must see cache + i), which nothing does.
            assert k.shape[2] == s or s == 1, "prefill after cached keys"
            o = attention(q, k, v, causal=s > 1)
        return self.proj(o.transpose(1, 2).reshape(n, s, C))

    def forward(self, x, cache=None):
        x = x + self.attend(x, cache)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))


class Gpt(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(V, C)
        self.pos = nn.Parameter(torch.zeros(T, C))
        self.blocks = nn.ModuleList(Block() for _ in range(L))
        self.ln_f = nn.LayerNorm(C)
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif ".ln" in name or name.startswith("ln_f"):
                nn.init.ones_(p)
            else:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, x, start=0, caches=None):
        h = self.tok(x) + self.pos[start:start + x.shape[1]]
        for i, b in enumerate(self.blocks):
            h = b(h, None if caches is None else caches[i])
        return self.ln_f(h) @ self.tok.weight.t()

    def loss(self, x, y):
        return F.cross_entropy(self.forward(x).reshape(-1, V), y.reshape(-1))


def load_kiln(path, dtype):
    model = Gpt()
    tensors = read_safetensors(path)
    state = {k: tensors[k] for k in model.state_dict()}
    model.load_state_dict(state)
    return model.to(dtype).eval()


def corpus(path):
    """MODELS.md: every fortune file (no .dat, .u8 or links) in sorted path
    order, concatenated; or one file."""
    path = path or os.environ.get("KILN_FORTUNES", "/usr/share/games/fortunes")
    if os.path.isfile(path):
        return open(path, "rb").read()
    files = sorted(os.path.join(path, f) for f in os.listdir(path))
    files = [f for f in files if os.path.isfile(f) and not os.path.islink(f)
             and not f.endswith((".dat", ".u8"))]
    return b"".join(open(f, "rb").read() for f in files)


def held_out(text):
    return text[len(text) - len(text) // 10:]


def evaluate(a):
    model = load_kiln(a.eval, torch.float64)
    text = held_out(corpus(a.data))
    starts = list(range(0, len(text) - T, T))
    if a.windows:
        starts = starts[:a.windows]
    total = 0.0
    with torch.no_grad():
        for i in range(0, len(starts), 256):
            w = torch.tensor([list(text[s:s + T + 1]) for s in starts[i:i + 256]])
            total += model.loss(w[:, :-1], w[:, 1:]).item() * len(w)
    print(f"torch_eval_loss {total / len(starts):.8f} windows {len(starts)}")


def greedy(a):
    model = load_kiln(a.greedy, torch.float64)
    window = list(a.prompt.encode()) or [10]
    window = window[-T:]
    out = []
    with torch.no_grad():
        for i in range(a.tokens):
            logits = model(torch.tensor([window]))[0, -1]
            b = int(torch.argmax(logits))
            out.append(b)
            window = window + [b] if len(window) < T else window[-(T // 2 - 1):] + [b]
    print("torch_greedy " + bytes(out).hex())


def bench_train(a):
    torch.manual_seed(0)
    model = Gpt()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)
    w = torch.randint(0, V, (a.batch, T + 1))
    x, y = w[:, :-1], w[:, 1:]
    loss_fn = torch.compile(model.loss) if a.compile else model.loss

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(x, y).backward()
        opt.step()

    ms = best_ms(step, a.steps, warmup=5 if not a.compile else 10, rounds=3)
    print(f"torch_ms_per_step {ms:.4f}", flush=True)


def bench_decode(a):
    """A 64-byte prompt, then 64 greedy bytes with the KV cache: ms per
    generated byte, the prefill included (as gpt_bench measures kiln)."""
    torch.manual_seed(0)
    model = Gpt().eval()
    prompt = torch.randint(0, V, (1, 64))
    tokens = 64

    def generate():
        with torch.no_grad():
            caches = [[None, None] for _ in range(L)]
            logits = model(prompt, 0, caches)
            for i in range(tokens):
                b = torch.argmax(logits[0, -1]).view(1, 1)
                logits = model(b, 64 + i, caches)

    ms = best_ms(generate, max(1, a.steps // tokens), warmup=1, rounds=3)
    print(f"torch_ms_per_step {ms / tokens:.4f}", flush=True)


def bench_prefill(a):
    """The time to the first byte: a prefill of a 64-byte prompt, filling
    the caches (as gpt_bench measures kiln's)."""
    torch.manual_seed(0)
    model = Gpt().eval()
    prompt = torch.randint(0, V, (1, 64))

    def prefill():
        with torch.no_grad():
            caches = [[None, None] for _ in range(L)]
            model(prompt, 0, caches)

    ms = best_ms(prefill, a.steps, warmup=2, rounds=3)
    print(f"torch_ms_per_step {ms:.4f}", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    add_device_arg(p)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--compile", action="store_true")
    p.add_argument("--decode", action="store_true")
    p.add_argument("--prefill", action="store_true")
    p.add_argument("--eval")
    p.add_argument("--greedy")
    p.add_argument("--data")
    p.add_argument("--windows", type=int, default=0)
    p.add_argument("--prompt", default="")
    p.add_argument("--tokens", type=int, default=64)
    a = p.parse_args()
    limits = limit_threads(a.threads)
    use_device(a.device)
    if a.eval:
        evaluate(a)
    elif a.greedy:
        greedy(a)
    elif a.decode:
        bench_decode(a)
    elif a.prefill:
        bench_prefill(a)
    else:
        bench_train(a)
    del limits


if __name__ == "__main__":
    main()
