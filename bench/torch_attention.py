#!/usr/bin/env python3
"""PyTorch eager reference for bench/attention_bench: causal
scaled_dot_product_attention at [16, 4, 128, 32] (the GPT's batch and
heads), forward only, or with --backward forward plus the gradients of
q, k and v of sum(o * r), timed on N threads.

Prints one line: "torch_ms_per_step <ms>".
"""
import argparse

from torch_common import attention, best_ms, limit_threads
import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--backward", action="store_true")
    args = ap.parse_args()
    limits = limit_threads(args.threads)  # noqa: F841 (kept alive)
    g = torch.Generator().manual_seed(0)
    q, k, v, r = (torch.randn(16, 4, 128, 32, generator=g) for _ in range(4))

    def forward():
        with torch.no_grad():
            return attention(q, k, v, causal=True)

    for t in (q, k, v):
        t.requires_grad_(args.backward)

    def train():
        o = attention(q, k, v, causal=True)
        (o * r).sum().backward()
        for t in (q, k, v):
            t.grad = None

    ms = best_ms(train if args.backward else forward, args.steps, 10, 3)
    print(f"torch_ms_per_step {ms:.4f}", flush=True)


if __name__ == "__main__":
    main()
