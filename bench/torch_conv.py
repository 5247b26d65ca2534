#!/usr/bin/env python3
"""PyTorch eager reference for bench/conv_bench: the GAN's four convolution
layers (MODELS.md, batch 64), forward and backward (input and weight
gradients, as autograd computes them in a training step), timed on N threads.

Prints one line per layer: "torch <layer> <fwd_ms> <bwd_ms>". Run it the way
DESIGN.md says a fair CPU baseline needs (conv_bench does): /usr/bin/python3
with Debian's python3-torch, OpenBLAS's OpenMP build, torch and BLAS limited
to N threads.
"""
import argparse

from torch_common import best_ms, limit_threads
import torch
import torch.nn.functional as F

# name, transposed, C_in, H, W, C_out (k4 s2 p1 everywhere)
LAYERS = [
    ("D.conv1", False, 1, 28, 28, 64),
    ("D.conv2", False, 64, 14, 14, 128),
    ("G.convT1", True, 128, 7, 7, 64),
    ("G.convT2", True, 64, 14, 14, 1),
]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--iters", type=int, default=20)
    p.add_argument("--batch", type=int, default=64)
    a = p.parse_args()
    limits = limit_threads(a.threads)
    torch.manual_seed(0)
    for name, transposed, cin, h, w, cout in LAYERS:
        x = torch.randn(a.batch, cin, h, w, requires_grad=True)
        if transposed:
            wt = torch.randn(cin, cout, 4, 4, requires_grad=True)
            op = lambda: F.conv_transpose2d(x, wt, stride=2, padding=1)
        else:
            wt = torch.randn(cout, cin, 4, 4, requires_grad=True)
            op = lambda: F.conv2d(x, wt, stride=2, padding=1)
        with torch.no_grad():
            fwd = best_ms(op, a.iters, warmup=3, rounds=5)
        y = op()
        dy = torch.randn_like(y)

        def backward():
            torch.autograd.grad(y, (x, wt), dy, retain_graph=True)

        bwd = best_ms(backward, a.iters, warmup=3, rounds=5)
        print(f"torch {name} {fwd:.4f} {bwd:.4f}", flush=True)
    del limits


if __name__ == "__main__":
    main()
