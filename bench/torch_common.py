"""What the PyTorch eager references of bench/ share. Importing it prints
"torch_unavailable" and exits 0 when torch is missing (the C++ benches then
report kiln alone); limit_threads() and best_ms() give every reference the
same fair baseline and timing (DESIGN.md: torch and BLAS on N threads)."""
import sys
import time

try:
    import torch
except ImportError:
    print("torch_unavailable", flush=True)
    sys.exit(0)

try:
    from threadpoolctl import threadpool_limits
except ImportError:
    threadpool_limits = None


def limit_threads(n):
    """Runs torch and BLAS on n threads; keep the result alive meanwhile."""
    torch.set_num_threads(n)
    return threadpool_limits(n, "blas") if threadpool_limits else None


def add_device_arg(parser):
    """--device cpu|cuda: where the reference runs (cuda: PyTorch eager on
    the GPU, fp32 with TF32 matmuls off, as kiln computes)."""
    parser.add_argument("--device", default="cpu")


def use_device(name):
    """Makes `name` the device of every tensor and module made after. The
    CPU is the default already: Debian's 1.13 has no set_default_device."""
    if name == "cpu":
        return
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_default_device(name)


def attention(q, k, v, causal=False):
    """softmax(q k^T / sqrt(d)) v over the last two dimensions, masked
    causally (query i sees keys up to i) if asked: PyTorch's fused
    scaled_dot_product_attention (2.0 and later), or the same arithmetic
    written out on Debian's 1.13, which lacks it."""
    sdpa = getattr(torch.nn.functional, "scaled_dot_product_attention", None)
    if sdpa is not None:
        return sdpa(q, k, v, is_causal=causal)
    scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
    if causal:
        rows, cols = scores.shape[-2:]
        keep = torch.ones(rows, cols, dtype=torch.bool,
                          device=scores.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    return scores.softmax(-1) @ v


def _sync():
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def best_ms(fn, iters, warmup, rounds):
    """The best over `rounds` of the mean time of `iters` calls of fn, in
    ms, after `warmup` calls: these machines are noisy. On a GPU the work
    queued is waited for before each clock read."""
    for _ in range(warmup):
        fn()
    _sync()
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        _sync()
        best = min(best, (time.perf_counter() - t0) / iters)
    return best * 1e3


def read_safetensors(path):
    """The F32 and I32 tensors of a safetensors file (a kiln checkpoint or
    kiln run's --out), by name."""
    import json
    import struct
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    types = {"F32": torch.float32, "I32": torch.int32}
    out = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] not in types:
            continue
        b, e = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[b:e]),
                                     dtype=types[info["dtype"]]).reshape(info["shape"])
    return out
