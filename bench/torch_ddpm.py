#!/usr/bin/env python3
"""PyTorch reference for the DDPM UNet of MODELS.md (models/ddpm.cpp),
written from MODELS.md alone with its parameter names, so that a kiln
checkpoint loads into it.

  torch_ddpm.py --threads N --steps S
      one Adam train step at batch 64 (epsilon prediction, T = 1000 linear
      betas), timed; prints "torch_ms_per_step <ms>" (bench/ddpm_bench);
      with --compile the UNet under torch.compile (noising, loss and Adam
      stay eager)
  torch_ddpm.py --ddim --threads N --steps S
      16 samples by DDIM-50 (eta 0) under no_grad, timed per 16 samples
  torch_ddpm.py --check CKPT --inputs IN.safetensors --outputs OUT.safetensors
      eps(x, t) of the checkpoint in float64 on IN's x and t against kiln's
      OUT (kiln run ddpm eps --inputs IN --out OUT); prints the relative
      error and exits 1 above 1e-4
"""
import argparse
import math
import sys

from torch_common import attention, best_ms, limit_threads, read_safetensors, add_device_arg, use_device
import torch
import torch.nn as nn
import torch.nn.functional as F


def sinusoidal(t, dim=128):
    half = dim // 2
    f = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64) / half)
    a = t.to(torch.float64)[:, None] * f[None, :]
    return torch.cat([torch.sin(a), torch.cos(a)], dim=1)


class ResBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.n1 = nn.GroupNorm(8, cin)
        self.c1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.t = nn.Linear(512, cout)
        self.n2 = nn.GroupNorm(8, cout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.c1(F.silu(self.n1(x))) + self.t(F.silu(temb))[:, :, None, None]
        h = self.c2(F.silu(self.n2(h)))
        return h + (self.skip(x) if self.skip is not None else x)


class Attn(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm = nn.GroupNorm(8, c)
        self.qkv = nn.Linear(c, 3 * c)
        self.out = nn.Linear(c, c)

    def forward(self, x):
        n, c, h, w = x.shape
        s = self.norm(x).reshape(n, c, h * w).transpose(1, 2)
        q, k, v = self.qkv(s).split(c, dim=-1)
        heads = lambda t: t.view(n, h * w, 4, c // 4).transpose(1, 2)
        o = attention(heads(q), heads(k), heads(v))
        o = self.out(o.transpose(1, 2).reshape(n, h * w, c))
        return x + o.transpose(1, 2).reshape(n, c, h, w)


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.temb = nn.Sequential(nn.Linear(128, 512), nn.SiLU(), nn.Linear(512, 512))
        self.conv_in = nn.Conv2d(1, 32, 3, padding=1)
        self.d0 = nn.ModuleList([ResBlock(32, 32), ResBlock(32, 32)])
        self.down0 = nn.Conv2d(32, 32, 3, stride=2, padding=1)
        self.d1 = nn.ModuleList([ResBlock(32, 64), ResBlock(64, 64)])
        self.down1 = nn.Conv2d(64, 64, 3, stride=2, padding=1)
        self.m = nn.ModuleList([ResBlock(64, 128), ResBlock(128, 128)])
        self.ma = nn.ModuleList([Attn(128), Attn(128)])
        self.up1 = nn.Conv2d(128, 128, 3, padding=1)
        self.u1 = nn.ModuleList([ResBlock(192, 64), ResBlock(64, 64)])
        self.up0 = nn.Conv2d(64, 64, 3, padding=1)
        self.u0 = nn.ModuleList([ResBlock(96, 32), ResBlock(32, 32)])
        self.norm_out = nn.GroupNorm(8, 32)
        self.conv_out = nn.Conv2d(32, 1, 3, padding=1)

    def forward(self, x, t):
        temb = self.temb(sinusoidal(t).to(x.dtype))
        h = self.conv_in(x)
        s0 = self.d0[1](self.d0[0](h, temb), temb)
        s1 = self.d1[1](self.d1[0](self.down0(s0), temb), temb)
        h = self.m[0](self.down1(s1), temb)
        h = self.ma[1](self.m[1](self.ma[0](h), temb))
        h = torch.cat([self.up1(F.interpolate(h, scale_factor=2.0, mode="nearest")), s1], 1)
        h = self.u1[1](self.u1[0](h, temb), temb)
        h = torch.cat([self.up0(F.interpolate(h, scale_factor=2.0, mode="nearest")), s0], 1)
        h = self.u0[1](self.u0[0](h, temb), temb)
        return self.conv_out(F.silu(self.norm_out(h)))


def check(a):
    model = UNet()
    tensors = read_safetensors(a.check)
    model.load_state_dict({k: tensors[k] for k in model.state_dict()})
    model = model.double().eval()
    inputs, outputs = read_safetensors(a.inputs), read_safetensors(a.outputs)
    with torch.no_grad():
        want = model(inputs["x"].double(), inputs["t"].long())
    got = outputs["eps"].double()
    err = ((got - want).norm() / want.norm()).item()
    print(f"torch_eps_relative_error {err:.3e} (|eps| {want.norm().item():.4g})")
    sys.exit(0 if err < 1e-4 else 1)


def bench_train(a):
    torch.manual_seed(0)
    model = UNet()
    predict = torch.compile(model) if a.compile else model
    opt = torch.optim.Adam(model.parameters(), lr=2e-4)
    betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
    abar = torch.cumprod(1 - betas, 0).float()
    x0 = torch.rand(a.batch, 1, 28, 28) * 2 - 1

    def step():
        t = torch.randint(0, 1000, (a.batch,))
        noise = torch.randn_like(x0)
        ab = abar[t][:, None, None, None]
        xt = ab.sqrt() * x0 + (1 - ab).sqrt() * noise
        opt.zero_grad(set_to_none=True)
        F.mse_loss(predict(xt, t), noise).backward()
        opt.step()

    ms = best_ms(step, a.steps, warmup=2 if not a.compile else 5, rounds=3)
    print(f"torch_ms_per_step {ms:.4f}", flush=True)


def bench_ddim(a):
    """16 samples by DDIM-50 with eta 0, as ddpm_bench times kiln's
    ddim_step loop: t_i = 20 i for i = 49 .. 0, each step to the next t."""
    torch.manual_seed(0)
    model = UNet().eval()
    betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
    abar = torch.cumprod(1 - betas, 0).float()
    noise = torch.randn(16, 1, 28, 28)
    ts = [20 * i for i in range(49, -1, -1)]

    def sample():
        with torch.no_grad():
            x = noise
            for i, t in enumerate(ts):
                ab = abar[t]
                ab_prev = abar[ts[i + 1]] if i + 1 < len(ts) else torch.tensor(1.0)
                eps = model(x, torch.full((16,), t))
                x0 = (x - (1 - ab).sqrt() * eps) / ab.sqrt()
                x = ab_prev.sqrt() * x0 + (1 - ab_prev).sqrt() * eps

    ms = best_ms(sample, a.steps, warmup=1, rounds=3)
    print(f"torch_ms_per_step {ms:.4f}", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    add_device_arg(p)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--compile", action="store_true")
    p.add_argument("--ddim", action="store_true")
    p.add_argument("--check")
    p.add_argument("--inputs")
    p.add_argument("--outputs")
    a = p.parse_args()
    limits = limit_threads(a.threads)
    use_device(a.device)
    if a.check:
        check(a)
    elif a.ddim:
        bench_ddim(a)
    else:
        bench_train(a)
    del limits


if __name__ == "__main__":
    main()
