#!/usr/bin/env python3
"""PyTorch eager reference for bench/vae_bench: the canonical VAE of
MODELS.md, one Adam train step at batch 128, timed on N threads; with
--compile the loss (forward, and so its backward) under torch.compile.

Prints one line: "torch_ms_per_step <ms>". Run it the way DESIGN.md says a
fair CPU baseline needs (vae_bench does): /usr/bin/python3 with Debian's
python3-torch, OpenBLAS's OpenMP build, torch and BLAS limited to N threads.
"""
import argparse

from torch_common import best_ms, limit_threads, add_device_arg, use_device
import torch
import torch.nn as nn
import torch.nn.functional as F


class Vae(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(784, 512), nn.ReLU(),
                                     nn.Linear(512, 256), nn.ReLU())
        self.mu = nn.Linear(256, 32)
        self.logvar = nn.Linear(256, 32)
        self.decoder = nn.Sequential(nn.Linear(32, 256), nn.ReLU(),
                                     nn.Linear(256, 512), nn.ReLU(),
                                     nn.Linear(512, 784))

    def loss(self, x):
        h = self.encoder(x)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = self.decoder(z)
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
        kl = -0.5 * (1 + logvar - mu * mu - logvar.exp()).sum(1)
        return (recon + kl).mean()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    add_device_arg(p)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--compile", action="store_true")
    a = p.parse_args()
    limits = limit_threads(a.threads)
    use_device(a.device)
    torch.manual_seed(0)
    model = Vae()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = (torch.rand(a.batch, 784) < 0.3).float() * torch.rand(a.batch, 784)
    loss_fn = torch.compile(model.loss) if a.compile else model.loss

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(x)
        loss.backward()
        opt.step()

    ms = best_ms(step, a.steps, warmup=20 if not a.compile else 30, rounds=3)
    print(f"torch_ms_per_step {ms:.4f}", flush=True)
    del limits


if __name__ == "__main__":
    main()
