#!/usr/bin/env python3
"""The compiled GPT and DDPM UNet (models/gpt.cpp, models/ddpm.cpp) against
PyTorch modules written from MODELS.md (bench/torch_gpt.py,
bench/torch_ddpm.py) that load kiln's checkpoints by their parameter names.

For each model: `kiln train` a few steps (so the weights are not the
initial ones), `kiln run` one entry point on inputs written here (`--inputs`,
`--out`), and the same computation in PyTorch in float64:
  - gpt.prefill on 128 random bytes: every position's next-byte logits;
  - ddpm.eps on 3 noisy images at timesteps 0, 500 and 999.
The bound is 1e-4 relative (L2 over the output): float32 rounding through
the network is ~1e-6.

Exit status: 0 match, 1 mismatch, 77 PyTorch is not installed (ctest's
SKIP_RETURN_CODE), 2 a kiln command failed.
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

SKIP = 77
try:
    import torch
except ImportError as e:
    print(f"SKIP: PyTorch is not importable by {sys.executable} ({e})",
          flush=True)
    sys.exit(SKIP)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
import torch_ddpm  # noqa: E402
import torch_gpt  # noqa: E402


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = bytes(t.contiguous().reshape(-1).view(torch.uint8).tolist())
        dtype = {torch.float32: "F32", torch.int32: "I32"}[t.dtype]
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def kiln(binary, *args):
    r = subprocess.run([binary, *args], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"kiln {' '.join(args)} failed ({r.returncode}):\n{r.stderr}")
        sys.exit(2)


def relative(got, want):
    return ((got.double() - want).norm() / want.norm()).item()


def check_gpt(binary, d):
    corpus = os.path.join(d, "corpus.txt")
    with open(corpus, "w") as f:
        f.write("the quick brown fox jumps over the lazy dog.\n" * 400)
    run = os.path.join(d, "gpt")
    kiln(binary, "train", "gpt", "--data", corpus, "--steps", "3", "--batch",
         "2", "--lr", "1e-2", "-o", run)
    ckpt = os.path.join(run, "checkpoint.safetensors")
    torch.manual_seed(1)
    x = torch.randint(0, 256, (1, 128), dtype=torch.int32)
    inputs, outputs = os.path.join(d, "gpt_in"), os.path.join(d, "gpt_out")
    write_safetensors(inputs, {"x": x, "at": torch.zeros((), dtype=torch.int32)})
    kiln(binary, "run", "gpt", "prefill", "--inputs", inputs, "-c", ckpt,
         "--out", outputs)
    model = torch_gpt.load_kiln(ckpt, torch.float64)
    with torch.no_grad():
        want = model(x.long())
    err = relative(torch_ddpm.read_safetensors(outputs)["logits"], want)
    print(f"gpt.prefill logits: relative error {err:.3e}")
    return err < 1e-4


def check_ddpm(binary, d):
    run = os.path.join(d, "ddpm")
    kiln(binary, "train", "ddpm", "--steps", "2", "--batch", "4", "-o", run)
    ckpt = os.path.join(run, "checkpoint.safetensors")
    torch.manual_seed(2)
    x = torch.randn(3, 1, 28, 28)
    t = torch.tensor([0, 500, 999], dtype=torch.int32)
    inputs, outputs = os.path.join(d, "ddpm_in"), os.path.join(d, "ddpm_out")
    write_safetensors(inputs, {"x": x, "t": t})
    kiln(binary, "run", "ddpm", "eps", "--inputs", inputs, "-c", ckpt,
         "--out", outputs)
    model = torch_ddpm.UNet()
    tensors = torch_ddpm.read_safetensors(ckpt)
    model.load_state_dict({k: tensors[k] for k in model.state_dict()})
    model = model.double().eval()
    with torch.no_grad():
        want = model(x.double(), t.long())
    err = relative(torch_ddpm.read_safetensors(outputs)["eps"], want)
    print(f"ddpm.eps: relative error {err:.3e}")
    return err < 1e-4


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--kiln", required=True, help="the kiln binary")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as d:
        ok = check_gpt(a.kiln, d)
        ok = check_ddpm(a.kiln, d) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
