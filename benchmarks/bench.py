"""Speed of dlkit, as ratios taken in one run (``make bench``).

This machine is shared and noisy: absolute times move 2-10x from one minute to
the next. So every comparison interleaves its variants in one process after a
warm-up, in counterbalanced rounds -- A B, B A, A B, ... (a variant that always ran
right after the same other one would inherit its cache state: +-10 % seen here) --
takes the ratio round by round, and reports the median ratio (and the median times,
for orientation). Thread counts are fixed
(1 BLAS / torch thread by default) before NumPy is imported.

    python benchmarks/bench.py                 # everything
    python benchmarks/bench.py mlp conv        # some sections
    python benchmarks/bench.py --reps 31 --json benchmarks/results.json

Sections:
    mlp        784-256-128-10 MLP training step (ReLU, softmax CE, Adam, batch 128)
               in float32 and float64: dlkit / bare-matmul floor, dlkit / PyTorch
    conv       Conv2D 3x3, 16 -> 32 channels, 28x28, batch 64, forward + backward
    cnn        a small CNN training step (conv-relu-pool-conv-relu-pool-dense, Adam)
    batchnorm  BatchNorm forward + backward, (N, D) and (N, C, H, W)
    slider     chapter 02's slider update: retrain 2-16-16-1 on 400 points for
               300 epochs, full batch, and redraw the figure
    gradcheck  a full gradient check of a ~5k-parameter model
    import     `import dlkit` in a fresh interpreter
    notebooks  executing every notebook top to bottom (slow: a few minutes)

PyTorch is optional (never required by the book): ``pip install torch==2.13.0``
(a CPU build on this machine). Without it the PyTorch ratios are skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def set_threads(n: int) -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)


# Threads must be fixed before NumPy (and its BLAS) is imported.
_threads = 1
for i, arg in enumerate(sys.argv):
    if arg == "--threads" and i + 1 < len(sys.argv):
        _threads = int(sys.argv[i + 1])
set_threads(_threads)

import numpy as np  # noqa: E402

import dlkit as dl  # noqa: E402

try:
    import torch  # noqa: E402

    torch.set_num_threads(_threads)
except ImportError:  # the book never needs torch
    torch = None

RESULTS: dict[str, dict] = {}


# -- measuring ------------------------------------------------------------------------
def timed(fn, inner: int) -> float:
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - start) / inner


def compare(name: str, variants: dict, *, reps: int, inner: int = 5, warmup: int = 3,
            baseline: str | None = None) -> dict:
    """Interleave variants, `reps` rounds of `inner` calls each; ratios vs. each other.

    Prints one line per ratio "name: A / B = r" (the median of per-round ratios)
    and one line per variant with its median time.
    """
    for fn in variants.values():
        for _ in range(warmup):
            fn()
    times = {k: [] for k in variants}
    keys = list(variants)
    for r in range(reps):
        # counterbalanced (A B, then B A, ...): what ran just before warms or evicts the
        # caches, so no variant may always follow the same other one
        for key in (keys if r % 2 == 0 else keys[::-1]):
            times[key].append(timed(variants[key], inner))
    base = baseline or keys[-1]
    out = {"median_ms": {k: 1e3 * statistics.median(v) for k, v in times.items()}, "ratios": {}}
    for key in keys:
        print(f"  {name}: {key:<28} median {out['median_ms'][key]:9.3f} ms")
    for key in keys:
        if key == base:
            continue
        ratios = [a / b for a, b in zip(times[key], times[base])]
        r = statistics.median(ratios)
        out["ratios"][f"{key} / {base}"] = r
        print(f"{name}: {key} / {base} = {r:.2f}x")
    RESULTS[name] = out
    return out


# -- the MLP step -----------------------------------------------------------------------
def mlp_dlkit(dtype, batch=128, sizes=(784, 256, 128, 10)):
    rng = np.random.default_rng(0)
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [dl.Dense(a, b, init="he", rng=rng, dtype=dtype), dl.ReLU()]
    model = dl.Sequential(*layers[:-1])
    opt = dl.optimizers.Adam(model.parameters(), lr=1e-3)
    X = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], batch)
    loss = dl.losses.softmax_cross_entropy  # what fit calls on every mini-batch

    def step():
        _, dz = loss(model.forward(X), y)
        opt.zero_grad()
        model.backward(dz)
        opt.step()

    return step


def mlp_floor(dtype, batch=128, sizes=(784, 256, 128, 10)):
    """The matrix products one step needs and nothing else: 3 forward, 3 dW, 2 dx."""
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal((a, b)).astype(dtype) for a, b in zip(sizes[:-1], sizes[1:])]
    acts = [rng.standard_normal((batch, s)).astype(dtype) for s in sizes]
    outs = [np.empty((batch, s), dtype) for s in sizes]
    grads = [np.empty_like(W) for W in Ws]

    def step():
        for i, W in enumerate(Ws):
            np.matmul(acts[i], W, out=outs[i + 1])
        for i in range(len(Ws) - 1, -1, -1):
            np.matmul(acts[i].T, acts[i + 1], out=grads[i])
            if i > 0:
                np.matmul(acts[i + 1], Ws[i].T, out=outs[i])

    return step


def mlp_torch(dtype, batch=128, sizes=(784, 256, 128, 10)):
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    torch.manual_seed(0)
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(a, b, dtype=tdtype), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    X = torch.randn(batch, sizes[0], dtype=tdtype)
    y = torch.randint(0, sizes[-1], (batch,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(X), y).backward()
        opt.step()

    return step


def bench_mlp(reps):
    for dtype in (np.float32, np.float64):
        name = f"MLP step {np.dtype(dtype).name}"
        variants = {"dlkit": mlp_dlkit(dtype), "matmul floor": mlp_floor(dtype)}
        compare(name, variants, reps=reps)
        if torch is not None:
            compare(name + " vs torch", {"dlkit": mlp_dlkit(dtype), "torch": mlp_torch(dtype)},
                    reps=reps)


# -- convolutions --------------------------------------------------------------------------
def conv_dlkit(dtype=np.float32, n=64, c=16, f=32, hw=28):
    rng = np.random.default_rng(0)
    layer = dl.Conv2D(c, f, 3, padding=1, rng=rng, dtype=dtype)
    x = rng.standard_normal((n, c, hw, hw)).astype(dtype)
    dy = rng.standard_normal((n, f, hw, hw)).astype(dtype)

    def step():
        layer.forward(x)
        for p in layer.parameters():
            p.grad.fill(0)
        layer.backward(dy)

    return step


def conv_floor(dtype=np.float32, n=64, c=16, f=32, hw=28):
    """The im2col products: (N*H*W, 9C) @ (9C, F) forward, its dW and its dcols."""
    rng = np.random.default_rng(0)
    cols = rng.standard_normal((n * hw * hw, 9 * c)).astype(dtype)
    W = rng.standard_normal((9 * c, f)).astype(dtype)
    dy = rng.standard_normal((n * hw * hw, f)).astype(dtype)
    y = np.empty((n * hw * hw, f), dtype)
    dW = np.empty_like(W)
    dcols = np.empty_like(cols)

    def step():
        np.matmul(cols, W, out=y)
        np.matmul(cols.T, dy, out=dW)
        np.matmul(dy, W.T, out=dcols)

    return step


def conv_torch(dtype=np.float32, n=64, c=16, f=32, hw=28):
    torch.manual_seed(0)
    layer = torch.nn.Conv2d(c, f, 3, padding=1)
    x = torch.randn(n, c, hw, hw, requires_grad=True)
    dy = torch.randn(n, f, hw, hw)

    def step():
        layer.zero_grad(set_to_none=True)
        x.grad = None
        layer(x).backward(dy)

    return step


def bench_conv(reps):
    compare("Conv2D fwd+bwd", {"dlkit": conv_dlkit(), "im2col matmul floor": conv_floor()},
            reps=reps, inner=2)
    if torch is not None:
        compare("Conv2D fwd+bwd vs torch", {"dlkit": conv_dlkit(), "torch": conv_torch()},
                reps=reps, inner=2)


def cnn_dlkit(n=64):
    rng = np.random.default_rng(0)
    f32 = np.float32
    model = dl.Sequential(
        dl.Conv2D(1, 8, 3, padding=1, rng=rng, dtype=f32), dl.ReLU(), dl.MaxPool2D(2),
        dl.Conv2D(8, 16, 3, padding=1, rng=rng, dtype=f32), dl.ReLU(), dl.MaxPool2D(2),
        dl.Flatten(), dl.Dense(16 * 7 * 7, 10, rng=rng, dtype=f32))
    opt = dl.optimizers.Adam(model.parameters(), lr=1e-3)
    X = rng.standard_normal((n, 1, 28, 28)).astype(f32)
    y = rng.integers(0, 10, n)

    def step():
        _, dz = dl.losses.softmax_cross_entropy(model.forward(X), y)
        opt.zero_grad()
        model.backward(dz)
        opt.step()

    return step


def cnn_torch(n=64):
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(16 * 7 * 7, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    X = torch.randn(n, 1, 28, 28)
    y = torch.randint(0, 10, (n,))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(X), y).backward()
        opt.step()

    return step


def bench_cnn(reps):
    if torch is None:
        t = timed(cnn_dlkit(), 5)
        print(f"  small CNN step: dlkit median {1e3 * t:.2f} ms (torch not installed)")
        RESULTS["small CNN step"] = {"median_ms": {"dlkit": 1e3 * t}, "ratios": {}}
        return
    compare("small CNN step vs torch", {"dlkit": cnn_dlkit(), "torch": cnn_torch()},
            reps=reps, inner=2)


# -- batch normalization --------------------------------------------------------------------
def bn_dlkit(shape):
    rng = np.random.default_rng(0)
    layer = dl.BatchNorm(shape[1], dtype=np.float32)
    x = rng.standard_normal(shape).astype(np.float32)
    dy = rng.standard_normal(shape).astype(np.float32)

    def step():
        layer.forward(x)
        for p in layer.parameters():
            p.grad.fill(0)
        layer.backward(dy)

    return step


def bn_torch(shape):
    layer = (torch.nn.BatchNorm1d if len(shape) == 2 else torch.nn.BatchNorm2d)(shape[1])
    x = torch.randn(*shape, requires_grad=True)
    dy = torch.randn(*shape)

    def step():
        layer.zero_grad(set_to_none=True)
        x.grad = None
        layer(x).backward(dy)

    return step


def bench_batchnorm(reps):
    for shape in [(128, 256), (64, 32, 28, 28)]:
        name = f"BatchNorm fwd+bwd {shape}"
        if torch is None:
            t = timed(bn_dlkit(shape), 5)
            print(f"  {name}: dlkit median {1e3 * t:.3f} ms (torch not installed)")
            RESULTS[name] = {"median_ms": {"dlkit": 1e3 * t}, "ratios": {}}
            continue
        compare(name + " vs torch", {"dlkit": bn_dlkit(shape), "torch": bn_torch(shape)},
                reps=reps)


# -- what a reader waits for -----------------------------------------------------------------
def bench_slider(reps):
    """Chapter 02's widget: move its learning-rate slider; the LivePlot retrains
    2-16-16-1 on 400 points (200 train, 200 validation) for 300 full-batch epochs
    and redraws its figure in place as a new PNG. Timed from the value change to
    the new image."""
    from dlkit.figures import training as fig02
    from dlkit.interactive import LivePlot, float_slider, int_slider

    lr = float_slider("learning rate", 0.01, 1.0, 0.3, step=1e-4)
    live = LivePlot(fig02.render_training, lr=lr, batch_size=int_slider("batch", 1, 400, 400),
                    epochs=int_slider("epochs", 1, 300, 300),
                    hidden=int_slider("hidden", 2, 16, 16))
    times = []
    for r in range(reps):
        start = time.perf_counter()
        lr.value = 0.3 + 1e-4 * (r + 1)  # a new value each time: nothing comes from the cache
        times.append(time.perf_counter() - start)
    assert live.renders == reps + 1, live.renders
    med = 1e3 * statistics.median(times)
    print(f"slider update (retrain 300 epochs + redraw): median {med:.0f} ms")
    RESULTS["slider update"] = {"median_ms": {"retrain + redraw": med}}


def bench_gradcheck(reps):
    rng = np.random.default_rng(0)
    model = dl.Sequential(dl.Dense(20, 64, rng=rng), dl.Tanh(), dl.Dense(64, 48, rng=rng),
                          dl.Tanh(), dl.Dense(48, 10, rng=rng))
    X = rng.standard_normal((16, 20))
    y = rng.integers(0, 10, 16)
    n_params = model.num_parameters()
    times = []
    for _ in range(max(1, reps // 5)):
        start = time.perf_counter()
        result = dl.gradcheck.check_model(model, dl.softmax_cross_entropy, X, y)
        times.append(time.perf_counter() - start)
    med = statistics.median(times)
    print(f"full gradient check of {n_params} parameters: median {med:.2f} s "
          f"(max relative error {result.max_error:.1e})")
    RESULTS["gradient check"] = {"parameters": n_params, "median_s": med}


def bench_import(reps):
    code = "import time; t = time.perf_counter(); import dlkit; print(time.perf_counter() - t)"
    times = [float(subprocess.check_output([sys.executable, "-c", code], text=True))
             for _ in range(max(3, reps // 3))]
    med = statistics.median(times)
    print(f"import dlkit: median {med:.3f} s")
    RESULTS["import dlkit"] = {"median_s": med}


def bench_notebooks(reps):
    sys.path.insert(0, str(ROOT / "notebooks" / "build"))
    import nbformat
    from nbbuild import execute

    total = 0.0
    per = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        execute(nb)
        per[path.stem] = time.perf_counter() - start
        total += per[path.stem]
        print(f"  notebook {path.stem}: {per[path.stem]:.1f} s")
    print(f"all notebooks: {total:.0f} s")
    RESULTS["notebooks"] = {"seconds": per, "total_s": total}


SECTIONS = {"mlp": bench_mlp, "conv": bench_conv, "cnn": bench_cnn, "batchnorm": bench_batchnorm,
            "slider": bench_slider, "gradcheck": bench_gradcheck, "import": bench_import,
            "notebooks": bench_notebooks}


def cpu_model() -> str:
    """The processor's name (ratios against PyTorch move with its vector units)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", choices=[[], *SECTIONS], default=[])
    parser.add_argument("--reps", type=int, default=21, help="interleaved rounds per comparison")
    parser.add_argument("--threads", type=int, default=1, help="BLAS and torch threads")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    machine = (f"{platform.machine()} {cpu_model()}, {os.cpu_count()} cores, Python "
               f"{platform.python_version()}, NumPy {np.__version__}, "
               f"torch {torch.__version__ if torch else 'not installed'}, {args.threads} thread(s)")
    print(f"# {machine}")
    for name in args.sections or list(SECTIONS):
        print(f"## {name}")
        SECTIONS[name](args.reps)
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "results": RESULTS}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
