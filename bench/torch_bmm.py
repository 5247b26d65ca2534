#!/usr/bin/env python3
"""PyTorch eager reference for bench/bmm_bench: scores q k^T and weights @
values at [16, 4, 128, 32] (torch.matmul, which is torch.bmm over the
flattened batch), timed on N threads.

Prints one line: "torch_ms_per_step <ms>".
"""
import argparse

from torch_common import best_ms, limit_threads
import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=200)
    args = ap.parse_args()
    limits = limit_threads(args.threads)  # noqa: F841 (kept alive)
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(16, 4, 128, 32, generator=g) for _ in range(3))

    def step():
        with torch.no_grad():
            s = torch.matmul(q, k.transpose(-1, -2))
            return torch.matmul(s, v)

    ms = best_ms(step, args.steps, 20, 3)
    print(f"torch_ms_per_step {ms:.4f}", flush=True)


if __name__ == "__main__":
    main()
