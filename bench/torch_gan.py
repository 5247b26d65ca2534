#!/usr/bin/env python3
"""PyTorch eager reference for bench/gan_bench: MODELS.md's DCGAN, one
training step (D on real and on fake in separate passes, then G reusing the
same fake batch) at batch 64, Adam 2e-4 betas (0.5, 0.999), timed on N
threads; with --compile both networks under torch.compile. Prints
"torch_ms_per_step <ms>", or "torch_unavailable"."""
import argparse

from torch_common import best_ms, limit_threads, add_device_arg, use_device
import torch
import torch.nn as nn
import torch.nn.functional as F


def generator():
    return nn.Sequential(
        nn.Linear(64, 128 * 7 * 7), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(),
        nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())


def discriminator():
    return nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(128 * 7 * 7, 1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    add_device_arg(p)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--compile", action="store_true")
    a = p.parse_args()
    limits = limit_threads(a.threads)
    use_device(a.device)
    torch.manual_seed(0)
    g, d = generator(), discriminator()
    og = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    od = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(a.batch, 1, 28, 28) * 2 - 1
    ones, zeros = torch.ones(a.batch, 1), torch.zeros(a.batch, 1)
    # The optimizers update the modules' own parameters; the compiled
    # wrappers share them.
    g_run, d_run = (torch.compile(g), torch.compile(d)) if a.compile else (g, d)

    def step():
        z = torch.randn(a.batch, 64)
        fake = g_run(z)
        od.zero_grad(set_to_none=True)
        loss_d = (F.binary_cross_entropy_with_logits(d_run(real), ones) +
                  F.binary_cross_entropy_with_logits(d_run(fake.detach()),
                                                     zeros))
        loss_d.backward()
        od.step()
        og.zero_grad(set_to_none=True)
        loss_g = F.binary_cross_entropy_with_logits(d_run(fake), ones)
        loss_g.backward()
        og.step()

    ms = best_ms(step, a.steps, warmup=5 if not a.compile else 10, rounds=3)
    print(f"torch_ms_per_step {ms:.4f}", flush=True)
    del limits


if __name__ == "__main__":
    main()
