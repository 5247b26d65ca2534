#!/usr/bin/env python3
"""The compiled canonical GAN (models/gan.cpp) against PyTorch eager.

kiln_gan_steps (gan_steps.cpp) initialises the GAN from a seed, runs N
training steps (d_step(real, z) then g_step(z), the same z) and writes its
inputs, the initial tensors and every tensor after each call. This script
loads the same initial tensors into the PyTorch model of bench/torch_gan.py
(MODELS.md's DCGAN; kiln's parameter names are PyTorch's nn.Sequential
names), runs the same steps and compares. Every tensor kiln keeps is
compared after every call: the parameters, both Adam states (exp_avg,
exp_avg_sq, and each optimizer's step count, which must be exact) and the
BatchNorm running statistics; so are the outputs d_loss, d_real, d_fake
(mean sigmoids) and g_loss. A tensor a call must leave alone (the other
network's parameters and Adam state) must be bit-identical.

The PyTorch loop (MODELS.md; one step):
    fake = G(z)                      # train mode: G's running stats move once
    loss_d = bce(D(real), 1) + bce(D(fake.detach()), 0)    # D's move twice
    loss_d.backward(); opt_d.step()  # compared with kiln's d_step
    loss_g = bce(D(fake), 1)         # reuses fake; D's stats move again
    loss_g.backward(); opt_g.step()  # compared with kiln's g_step
Kiln's g_step recomputes G(z) with Mode::train_no_stats_update instead of
reusing fake: the same values, since G has not changed in between.

The reference is PyTorch in float64 from the same float32 initial values and
inputs: what is bounded is float32 rounding, so the reference has none to
speak of. PyTorch in float32 is run too, to show what float32 achieves.
Tensors are compared through what a call changed, dT = T - T_before, as a
relative error in the L2 norm, ||dT_kiln - dT_ref|| / ||dT_ref||: Adam's
first update is about lr * sign(g), so an element whose gradient is at
rounding level (|g| ~ eps = 1e-8) moves by up to +lr in one implementation
and -lr in another; an element-wise bound would fail on those few elements
or be too loose to catch anything, while their share of the norm is small.

Two comparisons:

1. Call by call ("forced", the sharp one): each kiln call is replayed from
   kiln's own tensors before it (Adam state included), so each comparison
   measures one call and nothing accumulated; chained, the calls cover the
   whole run. Checks:
     - exp_avg and exp_avg_sq (the gradient, as b1 m + (1 - b1) g from the
       same m), running statistics, outputs: relative error at most
       RATIO = 10 times PyTorch float32's own on the same quantity (its
       largest over the calls of the entry point) plus FLOOR = 2e-5. Float32
       gets the losses to 1e-8, the statistics to 5e-7 and most gradients to
       a few 1e-6, but scalars that are short sums which partly cancel (D's
       last bias: 128 terms sigmoid(l) - label) only to a few 1e-5, so one
       fixed number would be loose for most quantities or fail on those.
       RATIO allows for a different, equally valid summation order: two
       rounding errors of the same conditioning differ by random factors of
       order 1 (kiln's is up to 7x PyTorch's on such scalars); FLOOR, about
       150 float32 ulps, covers quantities PyTorch happens to get almost
       exactly. Kiln sits at 0.09 to 0.49 of these bounds in 24 runs (seeds
       0-7 x Fashion-MNIST and noise images, and two compiler versions:
       "the 24 runs" below).
     - the parameters: Adam's update from kiln's own new moments,
       p - lr / (1 - b1^t) * m / (sqrt(m2) / sqrt(1 - b2^t) + eps), computed
       here in float64, element by element, within ADAM_REL = 4e-6 of the
       update plus 2^-23 |p| (rounding of the sum). Float32 evaluation of the
       update costs a few 1e-7, its bias corrections 1 - b^t (Kahan's
       expm1, compiler/lib/Transforms/Optimizer.cpp) about as much: the
       overall scale of each update against float64 is printed as "Adam
       update scale". (Evaluated as 1 - exp(t log b2), the correction
       cancelled and scaled the updates by 1 - 7e-6 at t = 1.)
       A learning rate, beta or eps off by more shows here, free of gradient
       noise (1% off in the learning rate fails by 100x).
   Kinks: ReLU and LeakyReLU have a slope that jumps at 0. An activation
   whose exact value is within rounding of 0 (up to 9e-7 of its layer's RMS
   in the 24 runs, with direct convolutions; a call has 2.4 million activations) can land on the
   other side in float32, which changes one term of the gradient: up to 4e-3
   relative on G's gradients, from one element. Kiln did so in 18 of the
   24 runs, PyTorch float32 in 11. That is not an error, but it is far
   above the bound. So when a gradient moment is off by more than FLOOR
   (and less than KINK_MAX = 3e-2; the largest effect of a kink in the 24
   runs was 4.2e-3), the float64 reference is recomputed with the slope of
   near-kink activations (|x| < KINK_TAU = 1e-5 times the RMS of their
   layer; 3e-6 until kiln's stride-2 convolutions took Winograd's algorithm,
   whose rounding is larger: then a kink at 3.6e-6 of the RMS was seen,
   seed 0) switched, nearest first, in passes, keeping each switch that
   brings the run 10% closer; the switches kept are printed. A real
   mistake is not explained by switching a few slopes (the sensitivity
   check below goes through the same search where it applies).

2. Free-running: the loop above for N steps from kiln's initial tensors,
   changes since initialisation, grouped per network and kind (all of G's
   parameters as one vector, all of its exp_avg as another, ...; the
   zero-gradient biases below left out), and the outputs. Float32 training
   leaves float64 quickly: a kink taken on the other side changes a
   gradient by up to 4e-3, and Adam's first update, about lr * sign(g),
   turns that into whole-lr differences on every element whose gradient is
   that small; the effect carries through the following steps. In the 24
   runs the worst group was 9e-2 away from float64 and the worst output
   1.6e-4, for PyTorch float32 and kiln alike (per tensor it is worse: one
   of the 64 elements of D's first bias flipping is 25%). So the bounds here
   are coarse, FREE_TENSOR = 0.3 and FREE_OUTPUT = 1e-3: an end-to-end check
   that catches gross mistakes, e.g. the wrong beta1 or a state not carried
   from call to call. The sharp checks are the call-by-call ones.

To show the checks catch real mistakes, the script replays PyTorch float32
with each of: the learning rate 1% high, Adam's beta1 at PyTorch's default
0.9 instead of 0.5, G's running statistics updated twice per step, D's not
updated by the generator step; each must fail.

Three biases have no gradient in exact arithmetic: those of the layers before
a train-mode BatchNorm (generator.0, generator.4, discriminator.2), whose
batch mean BatchNorm subtracts. They receive rounding noise, which Adam's
normalisation turns into updates of up to lr of either sign, different in
every implementation. They are checked for being noise instead: the root
mean square of their gradient (from exp_avg) must be below ZERO_GRAD_RATIO
= 1e-3 times that of the following BatchNorm's bias, the same sum over the
batch without the cancellation (PyTorch float32: about 1e-6). Their changes
and Adam states are otherwise left out (the Adam-update check still covers
them).

Exit status: 0 match, 1 mismatch (each one listed), 77 PyTorch is not
installed (ctest's SKIP_RETURN_CODE), 2 usage or driver failure.
"""
import argparse
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import time

SKIP = 77
try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    print(f"SKIP: PyTorch is not importable by {sys.executable} ({e}); "
          "install python3-torch to compare the GAN with PyTorch", flush=True)
    sys.exit(SKIP)

LR, BETAS, EPS = 2e-4, (0.5, 0.999), 1e-8  # MODELS.md; models/gan.cpp's Adam
BN_MOMENTUM = 0.1
RATIO, FLOOR = 10.0, 2e-5
ADAM_REL = 4e-6
KINK_TAU, KINK_MAX = 1e-5, 3e-2
FREE_TENSOR, FREE_OUTPUT = 0.3, 1e-3
ZERO_GRAD_RATIO = 1e-3
ZERO_GRAD_BIAS = {"generator.0.bias": "generator.1.bias",
                  "generator.4.bias": "generator.5.bias",
                  "discriminator.2.bias": "discriminator.3.bias"}
F64 = torch.float64
OUTPUTS = ("d_loss", "d_real", "d_fake", "g_loss")


def generator():  # bench/torch_gan.py
    return nn.Sequential(
        nn.Linear(64, 128 * 7 * 7), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(),
        nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())


def discriminator():  # bench/torch_gan.py
    return nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(128 * 7 * 7, 1))


def read_safetensors(path):
    """(tensors by name as float64, metadata) of an F32 safetensors file,
    parsed here (8-byte little-endian header length, JSON header, data) so
    that the safetensors package is not needed."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: {name} is {info['dtype']}, not F32")
        begin, end = (8 + n + o for o in info["data_offsets"])
        t = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32)
        tensors[name] = t.reshape(info["shape"]).to(F64)
    return tensors, meta


class _Slope(torch.autograd.Function):
    """(Leaky)ReLU whose backward uses the other side's slope at `flip`."""

    @staticmethod
    def forward(ctx, x, negative_slope, flip):
        slope = torch.where(x > 0, 1.0, negative_slope).to(x.dtype)
        slope.view(-1)[flip] = negative_slope + 1.0 - slope.view(-1)[flip]
        ctx.save_for_backward(slope)
        return torch.where(x > 0, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad):
        (slope,) = ctx.saved_tensors
        return grad * slope, None, None


class Act(nn.Module):
    """nn.ReLU (negative_slope 0) or nn.LeakyReLU that records its inputs,
    one per forward pass, and can switch the slope of chosen elements of
    chosen passes (`flips`: {pass: [flat indices]}); passes without flips
    run PyTorch's own function."""

    def __init__(self, name, negative_slope):
        super().__init__()
        self.name, self.negative_slope = name, negative_slope
        self.flips, self.inputs = {}, []

    def forward(self, x):
        flip = self.flips.get(len(self.inputs))
        self.inputs.append(x.detach())
        if flip:
            return _Slope.apply(x, self.negative_slope, torch.tensor(flip))
        if self.negative_slope == 0:
            return F.relu(x)
        return F.leaky_relu(x, self.negative_slope)


class Gan:
    """The PyTorch GAN and its two Adams, loaded from kiln's tensors and
    read back under kiln's names. The keyword arguments are deliberate
    mistakes, for the sensitivity check."""

    def __init__(self, tensors, dtype, lr=LR, betas=BETAS,
                 g_stats_twice=False, g_step_moves_d_stats=True):
        self.dtype = dtype
        self.g_stats_twice = g_stats_twice
        self.g_step_moves_d_stats = g_step_moves_d_stats
        self.net = nn.Module()
        self.net.generator = generator()
        self.net.discriminator = discriminator()
        self.g, self.d = self.net.generator, self.net.discriminator
        # The same functions, with kink switching (no parameters, so the
        # names and state_dict are unchanged).
        self.acts = [Act("G relu 1", 0.0), Act("G relu 2", 0.0),
                     Act("D leaky 1", 0.2), Act("D leaky 2", 0.2)]
        self.g[2], self.g[6], self.d[1], self.d[4] = self.acts
        self.net.to(dtype).train()
        self.opts = {"g_step": torch.optim.Adam(self.g.parameters(), lr=lr,
                                                betas=betas, eps=EPS),
                     "d_step": torch.optim.Adam(self.d.parameters(), lr=lr,
                                                betas=betas, eps=EPS)}
        kiln_names = {k for k in tensors if not is_optimizer_state(k)}
        torch_names = set(self.buffers_and_params())
        if kiln_names != torch_names:
            raise SystemExit(
                "kiln's and PyTorch's tensors differ: only kiln "
                f"{sorted(kiln_names - torch_names)}, only PyTorch "
                f"{sorted(torch_names - kiln_names)}")
        for k, v in self.buffers_and_params().items():
            if tuple(v.shape) != tuple(tensors[k].shape):
                raise SystemExit(f"{k}: kiln {list(tensors[k].shape)}, "
                                 f"PyTorch {list(v.shape)}")
            v.copy_(tensors[k])
        for name, p, opt, entry in self.adam_params():
            step = float(tensors[f"{entry}.step"])
            if step:
                opt.state[p] = {
                    "step": torch.tensor(step),
                    "exp_avg": tensors[name + ".exp_avg"].to(dtype).clone(),
                    "exp_avg_sq":
                        tensors[name + ".exp_avg_sq"].to(dtype).clone()}

    def buffers_and_params(self):
        return {k: v for k, v in self.net.state_dict().items()
                if not k.endswith(".num_batches_tracked")}

    def adam_params(self):
        """(kiln name, parameter, optimizer, entry) for every parameter."""
        for prefix, module, entry in (("generator", self.g, "g_step"),
                                      ("discriminator", self.d, "d_step")):
            for name, p in module.named_parameters():
                yield f"{prefix}.{name}", p, self.opts[entry], entry

    def tensors(self):
        """Every tensor under kiln's name, float64."""
        out = {k: v.detach().to(F64).clone()
               for k, v in self.buffers_and_params().items()}
        for name, p, opt, entry in self.adam_params():
            s = opt.state.get(p, {})
            for key in ("exp_avg", "exp_avg_sq"):
                out[f"{name}.{key}"] = s[key].to(F64).clone() if key in s \
                    else torch.zeros(p.shape, dtype=F64)
            out[f"{entry}.step"] = torch.tensor(float(s.get("step", 0.0)),
                                                dtype=F64)
        return out

    def d_step(self, real, z):
        """G(z), then D's update; returns (outputs, fake)."""
        real, z = real.to(self.dtype), z.to(self.dtype)
        fake = self.g(z)
        opt = self.opts["d_step"]
        opt.zero_grad(set_to_none=True)
        real_logits = self.d(real)
        fake_logits = self.d(fake.detach())
        loss = bce(real_logits, 1.0) + bce(fake_logits, 0.0)
        loss.backward()
        opt.step()
        return {"d_loss": loss.item(),
                "d_real": torch.sigmoid(real_logits).mean().item(),
                "d_fake": torch.sigmoid(fake_logits).mean().item()}, fake

    def g_step(self, z, fake=None):
        """G's update on `fake` (the D step's batch), or, when None, on G(z)
        recomputed without moving G's running statistics (kiln's way, and the
        same thing: G has not changed since the D step)."""
        if fake is None or self.g_stats_twice:
            # Momentum 0: batch statistics, running ones kept exactly
            # (1 * running + 0 * batch).
            bns = (self.g[1], self.g[5])
            for bn in bns:
                bn.momentum = BN_MOMENTUM if self.g_stats_twice else 0.0
            fake = self.g(z.to(self.dtype))
            for bn in bns:
                bn.momentum = BN_MOMENTUM
        opt = self.opts["g_step"]
        opt.zero_grad(set_to_none=True)
        if not self.g_step_moves_d_stats:
            self.d[3].momentum = 0.0
        loss = bce(self.d(fake), 1.0)
        self.d[3].momentum = BN_MOMENTUM
        loss.backward()
        opt.step()
        return {"g_loss": loss.item()}

    def call(self, call, inputs):
        entry, k = call.split(".")
        if entry == "d_step":
            return self.d_step(inputs[f"real.{k}"], inputs[f"z.{k}"])[0]
        return self.g_step(inputs[f"z.{k}"])


def bce(logits, label):
    return F.binary_cross_entropy_with_logits(logits,
                                              torch.full_like(logits, label))


def is_optimizer_state(name):
    """Adam's moments, step counts and learning rates (kiln's learning
    rate is a tensor, a runtime input of its entries: checked against LR
    by check_learning_rates)."""
    return name.endswith((".exp_avg", ".exp_avg_sq")) or name in (
        "d_step.step", "g_step.step", "d_step.lr", "g_step.lr")


def check_learning_rates(tensors):
    """The learning rates kiln ran with, against the reference's LR: an
    error message, or None."""
    for entry in ("d_step", "g_step"):
        name = f"{entry}.lr"
        if name not in tensors:
            return f"kiln wrote no {name}"
        got = float(tensors[name])
        if not abs(got - LR) <= 1e-6 * LR:  # NaN fails too
            return f"kiln's {name} is {got:g}, the reference's {LR:g}"
    return None


def calls_of(steps):
    return [f"{e}.{k}" for k in range(steps) for e in ("d_step", "g_step")]


def free_run(init, inputs, steps, dtype, **mistakes):
    """MODELS.md's loop from `init`: [(outputs, tensors)] per call."""
    gan = Gan(init, dtype, **mistakes)
    out = []
    for k in range(steps):
        d_out, fake = gan.d_step(inputs[f"real.{k}"], inputs[f"z.{k}"])
        out.append((d_out, gan.tensors()))
        out.append((gan.g_step(inputs[f"z.{k}"], fake), gan.tensors()))
    return out


def forced_call(before, call, inputs, dtype, flips=(), **mistakes):
    """One call from `before`, alone; flips: ((act index, pass, element),
    ...) slopes switched. Returns (outputs, tensors, gan)."""
    gan = Gan(before, dtype, **mistakes)
    for a, p, e in flips:
        gan.acts[a].flips.setdefault(p, []).append(e)
    out = gan.call(call, inputs)
    return out, gan.tensors(), gan


def rms(t):
    return t.norm().item() / math.sqrt(t.numel())


def grad_of(t, before, name):
    """The gradient an Adam step used, from its first moment."""
    return (t[name + ".exp_avg"] - BETAS[0] * before[name + ".exp_avg"]) / (
        1 - BETAS[0])


def adam_excess(t, before, name):
    """How far parameter `name` of `t` is from Adam's update of `before` with
    t's own new moments, in units of the allowed error, minus 1 (<= 0
    passes)."""
    entry = "d_step" if name.startswith("discriminator") else "g_step"
    step = float(t[entry + ".step"])
    m, v = t[name + ".exp_avg"], t[name + ".exp_avg_sq"]
    update = LR / (1 - BETAS[0] ** step) * m / (
        v.sqrt() / math.sqrt(1 - BETAS[1] ** step) + EPS)
    want = before[name] - update
    allowed = ADAM_REL * update.abs() + 2.0 ** -23 * want.abs() + 1e-30
    return ((t[name] - want).abs() / allowed).max().item() - 1


def update_scale(t, before, entry):
    """Least-squares scale of the parameter updates of `entry` in `t`
    against Adam's exact update from t's moments, minus 1."""
    num = den = 0.0
    net = "discriminator." if entry == "d_step" else "generator."
    step = float(t[entry + ".step"])
    for name in t:
        if name.startswith(net) and name + ".exp_avg" in t:
            m, v = t[name + ".exp_avg"], t[name + ".exp_avg_sq"]
            exact = -LR / (1 - BETAS[0] ** step) * m / (
                v.sqrt() / math.sqrt(1 - BETAS[1] ** step) + EPS)
            num += ((t[name] - before[name]) * exact).sum().item()
            den += (exact * exact).sum().item()
    return num / den - 1


def measure_call(call, b, prev, ref_prev, ref, got, forced):
    """{what: (kind, value)} for one call. b: tensors changes are measured
    from; prev / ref_prev: the run's and the reference's tensors before the
    call (for what must be left alone). Kinds: "rel", "grad" (a relative
    error of a gradient-derived tensor), "zero" (must be 0), "adam" (<= 0),
    "noise" (<= ZERO_GRAD_RATIO)."""
    (ref_out, r), (got_out, g) = ref, got
    net = "discriminator." if call.startswith("d_step") else "generator."
    m = {}
    for k, v in ref_out.items():
        m[k] = ("rel", abs(got_out[k] - v) / abs(v))
    for name in r:
        base = name.rsplit(".", 1)[0] if name.endswith(
            (".exp_avg", ".exp_avg_sq")) else name
        if name.endswith(".step"):
            m[name] = ("zero", abs(g[name] - r[name]).item())
        elif base in ZERO_GRAD_BIAS and base.startswith(net):
            if forced and name == base:
                bn = ZERO_GRAD_BIAS[base]
                m[f"{base} gradient / {bn}'s"] = (
                    "noise", rms(grad_of(g, b, base)) / rms(grad_of(g, b, bn)))
                m[name] = ("adam", adam_excess(g, b, name))
        elif torch.equal(r[name], ref_prev[name]):
            m[name] = ("zero", (g[name] - prev[name]).abs().max().item())
        elif forced and name == base and "running" not in name:
            m[name] = ("adam", adam_excess(g, b, name))
        else:
            dr, dg = r[name] - b[name], g[name] - b[name]
            kind = "grad" if forced and name != base else "rel"
            m[name] = (kind, ((dg - dr).norm() / dr.norm()).item())
    return m


def forced_bounds(m32):
    """Bounds of the forced "rel"/"grad" measurements: RATIO times PyTorch
    float32's largest error on the same quantity over the calls of the same
    entry point, plus FLOOR."""
    worst = {}
    for (call, what), (kind, v) in m32.items():
        key = (call.split(".")[0], what)
        worst[key] = max(worst.get(key, 0.0), v)
    return {k: RATIO * v + FLOOR for k, v in worst.items()}


def bound_of(mode, call, what, kind, bounds):
    if kind in ("zero", "adam"):
        return 0.0
    if kind == "noise":
        return ZERO_GRAD_RATIO
    if mode == "free":
        return FREE_OUTPUT if what in OUTPUTS else FREE_TENSOR
    return bounds[(call.split(".")[0], what)]


def near_kinks(gan, call):
    """(act index, pass, element, |x| / rms) of the activations of the
    float64 reference `gan` that are within KINK_TAU of their kink, on the
    gradient's path (D's passes for d_step; all for g_step)."""
    out = []
    for a, act in enumerate(gan.acts):
        if call.startswith("d_step") and act.name.startswith("G"):
            continue
        for p, x in enumerate(act.inputs):
            scale = rms(x)
            flat = x.reshape(-1).abs()
            for e in torch.nonzero(flat < KINK_TAU * scale).flatten().tolist():
                out.append((a, p, e, flat[e].item() / scale))
    return sorted(out, key=lambda k: k[3])


def compare_forced(before, inputs, got):
    """Forced comparison of run `got` ([(outputs, tensors)] per call,
    starting from before[i]): {(call, what): (kind, value)} and notes on the
    kinks taken on the other side. The reference of each call is the
    float64 call with whichever near-kink slopes switched bring `got`'s
    gradients closest, found greedily, nearest kink first."""
    m, notes = {}, []
    for i, call in enumerate(calls_of(len(got) // 2)):
        out, t, gan = forced_call(before[i], call, inputs, F64)
        mc = measure_call(call, before[i], before[i], before[i], (out, t),
                          got[i], True)
        score = sum(v for kind, v in mc.values() if kind == "grad")
        kept = []
        # Search only where a kink can be the explanation: above FLOOR, and
        # below KINK_MAX (a kink moves a gradient moment by 4e-3 at most).
        worst = max(v for kind, v in mc.values() if kind == "grad")
        left = near_kinks(gan, call) if FLOOR < worst < KINK_MAX else []
        # Passes until one keeps nothing: a kink's effect can hide behind a
        # larger one's until that one is switched.
        while left:
            before_pass = len(left)
            for a, p, e, x in list(left):
                flips = kept + [(a, p, e)]
                out2, t2, _ = forced_call(before[i], call, inputs, F64, flips)
                mc2 = measure_call(call, before[i], before[i], before[i],
                                   (out2, t2), got[i], True)
                score2 = sum(v for kind, v in mc2.values() if kind == "grad")
                if score2 < 0.9 * score:  # not a change at rounding level
                    kept, mc, score = flips, mc2, score2
                    left.remove((a, p, e, x))
                    notes.append(f"{call}: {gan.acts[a].name} pass {p} "
                                 f"element {e} (x = {x:.1e} of its RMS)")
            if len(left) == before_pass:
                break
        m.update({(call, w): v for w, v in mc.items()})
    return m, notes


def compare_free(init, ref, got):
    """Free-running comparison: outputs; step counts and what a call must
    leave alone, exactly; and the changes since `init` grouped per network
    and kind (parameters, exp_avg, exp_avg_sq, running_mean, running_var),
    each group as one vector, the zero-gradient biases left out. Grouped, a
    single element of a small tensor whose first Adam update flips sign
    (D's first bias has 64) weighs what it weighs in the network."""
    m = {}
    for i, call in enumerate(calls_of(len(got) // 2)):
        (ref_out, r), (got_out, g) = ref[i], got[i]
        prev = init if i == 0 else got[i - 1][1]
        ref_prev = init if i == 0 else ref[i - 1][1]
        for k, v in ref_out.items():
            m[(call, k)] = ("rel", abs(got_out[k] - v) / abs(v))
        diff, norm = {}, {}
        for name in r:
            base = name.rsplit(".", 1)[0] if name.endswith(
                (".exp_avg", ".exp_avg_sq")) else name
            if name.endswith(".step"):
                m[(call, name)] = ("zero", abs(g[name] - r[name]).item())
            elif torch.equal(r[name], ref_prev[name]):
                m[(call, name)] = ("zero",
                                   (g[name] - prev[name]).abs().max().item())
            elif base not in ZERO_GRAD_BIAS:
                kind = name.rsplit(".", 1)[1]
                if kind not in ("exp_avg", "exp_avg_sq", "running_mean",
                                "running_var"):
                    kind = "parameters"
                group = f"{name.split('.')[0]} {kind}"
                dr, dg = r[name] - init[name], g[name] - init[name]
                diff[group] = diff.get(group, 0.0) + (dg - dr).pow(2).sum()
                norm[group] = norm.get(group, 0.0) + dr.pow(2).sum()
        for group in diff:
            m[(call, group)] = ("rel",
                                (diff[group] / norm[group]).sqrt().item())
    return m


def report(mode, m, m32, mk32, bounds):
    """Per call, the worst measurement of each kind (relative to its bound):
    kiln, PyTorch float32, kiln against PyTorch float32, bound."""
    print(f"{'call':9} {'worst':44} {'kiln':>9} {'torch32':>9} "
          f"{'kiln-t32':>9} {'bound':>9}")
    calls = sorted({c for c, _ in m}, key=lambda c: (c[-1], c[0] != "d"))
    for call in calls:
        worst = {}
        for (c, what), (kind, v) in m.items():
            if c != call:
                continue
            label = ("output" if what in OUTPUTS else
                     "running" if "running" in what else kind)
            bound = bound_of(mode, call, what, kind, bounds)
            score = v if kind in ("zero", "adam") else v / bound
            if label not in worst or score > worst[label][0]:
                worst[label] = (score, what)
        for label in sorted(worst):
            what = worst[label][1]
            kind, v = m[(call, what)]
            bound = bound_of(mode, call, what, kind, bounds)
            shown = {"zero": "==0", "adam": "<=0"}.get(kind, f"{bound:.2e}")
            t32 = m32[(call, what)][1] if kind != "zero" else float("nan")
            kt = mk32[(call, what)][1] if kind in ("rel", "grad") else \
                float("nan")
            print(f"{call:9} {what[:44]:44} {v:9.2e} {t32:9.2e} {kt:9.2e} "
                  f"{shown:>9}")


def print_closest(mode, m, bounds):
    """The bounded measurement closest to its bound, as a fraction of it."""
    frac, key = max((v / bound_of(mode, c, w, k, bounds), (c, w))
                    for (c, w), (k, v) in m.items()
                    if k in ("rel", "grad", "noise"))
    print(f"  closest to its bound: {key[0]} {key[1]}, at {frac:.2f} of it")


def mismatches(mode, label, errors, bounds):
    """Prints each error above its bound; 1 if there was one, else 0."""
    status = 0
    for (call, what), (kind, v) in errors.items():
        bound = bound_of(mode, call, what, kind, bounds)
        if not v <= bound:
            print(f"MISMATCH ({label}) {call} {what}: {v:.3e}, bound "
                  f"{bound:.3e}")
            status = 1
    return status


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--driver", help="kiln_gan_steps, run into --work")
    p.add_argument("--work", help="directory of kiln_gan_steps' files "
                   "(default: a temporary one)")
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default="auto",
                   choices=("auto", "fashion-mnist", "noise"))
    p.add_argument("--no-sensitivity", action="store_true",
                   help="skip replaying the deliberate mistakes")
    a = p.parse_args()
    if not a.driver and not a.work:
        p.error("give --driver, --work or both")
    torch.set_num_threads(1)  # deterministic, and kiln runs on one thread

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kiln_gan_vs_torch_") as tmp:
        work = a.work or tmp
        if a.driver:
            cmd = [a.driver, work, "--steps", str(a.steps), "--seed",
                   str(a.seed), "--data", a.data]
            r = subprocess.run(cmd, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0:
                print(r.stdout, end="")
                print(f"FAIL: {' '.join(cmd)} exited {r.returncode}")
                return 2
        t_kiln = time.perf_counter() - t0
        init, init_meta = read_safetensors(os.path.join(work,
                                                        "init.safetensors"))
        inputs, meta = read_safetensors(os.path.join(work,
                                                     "inputs.safetensors"))
        steps = int(meta["steps"])
        calls = calls_of(steps)
        kiln = []
        for call in calls:
            t, out = read_safetensors(os.path.join(work,
                                                   f"{call}.safetensors"))
            kiln.append(({k: float(v) for k, v in out.items()}, t))
    print(f"kiln vs PyTorch {torch.__version__}: canonical GAN, {steps} steps "
          f"(d_step + g_step), batch {inputs['real.0'].shape[0]}, "
          f"{meta['data']} images, seed {init_meta['seed']}")
    for i, call in enumerate(calls):
        print(f"  kiln {call}: " + ", ".join(
            f"{k} {v:.7g}" for k, v in kiln[i][0].items()))

    for tensors in [init] + [t for _, t in kiln]:
        if problem := check_learning_rates(tensors):
            print(f"FAIL: {problem}")
            return 1

    t0 = time.perf_counter()
    status = 0
    before = [init] + [t for _, t in kiln[:-1]]

    # 1. Call by call.
    t32 = [forced_call(before[i], c, inputs, torch.float32)[:2]
           for i, c in enumerate(calls)]
    m32, notes32 = compare_forced(before, inputs, t32)
    bounds = forced_bounds({k: v for k, v in m32.items()
                            if v[0] in ("rel", "grad")})
    mk, notes = compare_forced(before, inputs, kiln)
    mk32 = {}
    for i, call in enumerate(calls):
        mk32.update({(call, w): v for w, v in measure_call(
            call, before[i], before[i], before[i], t32[i], kiln[i],
            True).items()})
    print("\n1. call by call, from kiln's tensors before each call; errors "
          "against PyTorch float64")
    report("forced", mk, m32, mk32, bounds)
    for who, ns in (("kiln", notes), ("PyTorch float32", notes32)):
        for note in ns:
            print(f"  {who} took a kink on the other side: {note}")
    print("  Adam update scale against the exact bias corrections: " +
          ", ".join(f"{c} {update_scale(kiln[i][1], before[i], c[:6]):+.1e}"
                    for i, c in enumerate(calls)))
    for (call, what), (kind, v) in m32.items():
        if kind in ("zero", "adam", "noise") and not v <= bound_of(
                "forced", call, what, kind, bounds):
            print(f"CHECK BROKEN: PyTorch float32 fails {call} {what} "
                  f"({v:.3e})")
            status = 1
    print_closest("forced", mk, bounds)
    status |= mismatches("forced", "call by call", mk, bounds)

    # 2. Free-running.
    ref = free_run(init, inputs, steps, F64)
    free32 = free_run(init, inputs, steps, torch.float32)
    fk, f32, fk32 = (compare_free(init, ref, kiln),
                     compare_free(init, ref, free32),
                     compare_free(init, free32, kiln))
    print("\n2. free-running from the initial tensors, changes since then; "
          "errors against PyTorch float64")
    report("free", fk, f32, fk32, bounds)
    print_closest("free", fk, bounds)
    status |= mismatches("free", "free-running", fk, bounds)

    if not a.no_sensitivity:
        mistakes = {
            "learning rate 1% high": {"lr": LR * 1.01},
            "Adam beta1 0.9 (PyTorch's default)": {"betas": (0.9, BETAS[1])},
            "G's running statistics updated twice per step":
                {"g_stats_twice": True},
            "D's running statistics not updated by the G step":
                {"g_step_moves_d_stats": False},
        }
        print("\nsensitivity: PyTorch float32 with a mistake, in kiln's "
              "place (each must fail):")
        for what, kw in mistakes.items():
            wrong = [forced_call(before[i], c, inputs, torch.float32,
                                 **kw)[:2] for i, c in enumerate(calls)]
            mf, _ = compare_forced(before, inputs, wrong)
            bad_f = [(c, w) for (c, w), (k, v) in mf.items()
                     if not v <= bound_of("forced", c, w, k, bounds)]
            mfree = compare_free(init, ref, free_run(init, inputs, steps,
                                                     torch.float32, **kw))
            bad_r = [(c, w) for (c, w), (k, v) in mfree.items()
                     if not v <= bound_of("free", c, w, k, bounds)]
            first = bad_f[0] if bad_f else bad_r[0] if bad_r else None
            print(f"  {what}: {len(bad_f)} call-by-call and {len(bad_r)} "
                  f"free-running failures" +
                  (f" (first: {first[0]} {first[1]})" if first else ""))
            if not bad_f and not bad_r:
                print(f"FAIL: the comparison does not detect: {what}")
                status = 1
    t_torch = time.perf_counter() - t0
    print(f"\ntime: kiln {t_kiln:.1f} s, PyTorch and the comparison "
          f"{t_torch:.1f} s")
    print("PASS" if status == 0 else "FAIL")
    return status


if __name__ == "__main__":
    sys.exit(main())
