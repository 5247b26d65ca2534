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


def best_ms(fn, iters, warmup, rounds):
    """The best over `rounds` of the mean time of `iters` calls of fn, in
    ms, after `warmup` calls: these machines are noisy."""
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
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
