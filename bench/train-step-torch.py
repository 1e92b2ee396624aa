#!/usr/bin/env python3
"""The seed MLP training step in PyTorch (CPU, eager): 784 -> hidden (32) relu -> 10, cross-entropy
on softmax, Adam (Keras' hyper-parameters: lr 1e-3, b1 0.9, b2 0.999, eps 1e-7), batch 32, on the
same data and initial weights as bench/train-step.js (the generator of bench/train-step-protocol.js,
ported below), with the same timed round (full GC, 20 warm-up steps, then n steps).

  /usr/bin/python3 bench/train-step-torch.py [--threads 1] [--hidden 32] [--batch 32] [--rounds 7] [--steps 200]
  /usr/bin/python3 bench/train-step-torch.py --serve --threads 1   # driven by bench/train-step.js, bench/scaling.js

--serve answers the line protocol described in bench/train-step-protocol.js (the first step runs
before "ready <name>"; then "first" -> "loss <x>", "round <n>" -> "ms <x>", "stats" -> "stats <json>");
without torch it prints "skip <reason>", exit 3.
"""
import argparse
import gc
import json
import math
import os
import resource
import statistics
import sys
import time

NB = 8  # distinct batches, cycled


def since_start_ms():
    """Wall ms since this process started (/proc/self/stat field 22, in clock ticks since boot)."""
    with open('/proc/self/stat') as f:
        start = int(f.read().rsplit(')', 1)[1].split()[19]) / os.sysconf('SC_CLK_TCK')
    with open('/proc/uptime') as f:
        return (float(f.read().split()[0]) - start) * 1000


def arg_parser():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--threads', type=int, default=1, help='torch.set_num_threads (intra-op)')
    p.add_argument('--hidden', type=int, default=32)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--rounds', type=int, default=7)
    p.add_argument('--steps', type=int, default=200)
    p.add_argument('--serve', action='store_true', help='answer commands from bench/train-step.js')
    return p


def data(BATCH, hidden):
    """X, T (NB batches each) and W1, b1, W2, b2 exactly as makeData in bench/train-step-protocol.js draws them."""
    import numpy as np
    M = 0xFFFFFFFF
    seed = 42

    def rand():  # mulberry32, in uint32 arithmetic (JS's Math.imul / >>> / ^ agree modulo 2^32)
        nonlocal seed
        seed = (seed + 0x6D2B79F5) & M
        t = seed
        t = ((t ^ (t >> 15)) * (t | 1)) & M
        t ^= (t + ((t ^ (t >> 7)) * (t | 61))) & M
        return ((t ^ (t >> 14)) & M) / 4294967296

    f32 = lambda xs: np.array(xs, dtype=np.float64).astype(np.float32)
    X = [f32([rand() for _ in range(BATCH * 784)]).reshape(BATCH, 784) for _ in range(NB)]
    T = []
    for _ in range(NB):
        t = np.zeros((BATCH, 10), dtype=np.float32)
        for i in range(BATCH):
            t[i, math.floor(rand() * 10)] = 1
        T.append(t)

    def glorot(fan_in, fan_out):
        lim = math.sqrt(6 / (fan_in + fan_out))
        return f32([(rand() * 2 - 1) * lim for _ in range(fan_in * fan_out)]).reshape(fan_in, fan_out)

    W1 = glorot(784, hidden)
    W2 = glorot(hidden, 10)
    return X, T, W1, np.zeros(hidden, np.float32), W2, np.zeros(10, np.float32)


def blas():
    """Which BLAS this process loaded for sgemm (Debian picks libblas.so.3 with update-alternatives)."""
    try:
        with open('/proc/self/maps') as f:
            paths = {line.split()[-1] for line in f if '/libblas.so' in line}
    except OSError:
        return 'BLAS unknown'
    if len(paths) != 1:
        return f'BLAS: {", ".join(sorted(paths)) or "none"}'
    path = paths.pop()
    if 'openblas' in path:
        return 'OpenBLAS'
    if '/blas/' in path:
        return 'reference BLAS (netlib)'
    return path


def make_step(torch, threads, hidden, d):
    torch.set_num_threads(threads)
    X, T, W1, b1, W2, b2 = d
    xs = [torch.from_numpy(x) for x in X]
    ts = [torch.from_numpy(t) for t in T]
    l1, l2 = torch.nn.Linear(784, hidden), torch.nn.Linear(hidden, 10)
    with torch.no_grad():  # nn.Linear keeps weight as [out, in]
        l1.weight.copy_(torch.from_numpy(W1).T)
        l1.bias.copy_(torch.from_numpy(b1))
        l2.weight.copy_(torch.from_numpy(W2).T)
        l2.bias.copy_(torch.from_numpy(b2))
    model = torch.nn.Sequential(l1, torch.nn.ReLU(), l2)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    ce = torch.nn.functional.cross_entropy  # probabilities as target: mean over rows of -sum t log softmax

    def step(b, want_loss=False):
        opt.zero_grad(set_to_none=True)
        loss = ce(model(xs[b]), ts[b])
        loss.backward()
        opt.step()
        return loss.item() if want_loss else math.nan

    return step


def timed_round(step, steps):
    gc.collect()
    for s in range(20):  # warm
        step(s % NB)
    t0 = time.perf_counter()
    for s in range(steps):
        step(s % NB)
    return (time.perf_counter() - t0) * 1000 / steps


def main():
    a = arg_parser().parse_args()
    # Pin every thread pool before torch loads: its OpenMP pool and the BLAS' own (OpenBLAS reads
    # OPENBLAS_NUM_THREADS once, at load; torch.set_num_threads does not reach it).
    for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ[var] = str(a.threads)
    try:
        import torch
    except ImportError as e:
        print(f'skip torch not importable by {sys.executable} ({e})', flush=True)
        sys.exit(3)
    # Timed like the Node peers: build + first step, after the imports and the data.
    d = data(a.batch, a.hidden)
    start_ms = since_start_ms()
    t0 = time.perf_counter()
    step = make_step(torch, a.threads, a.hidden, d)
    loss = step(0, True)
    first_ms = (time.perf_counter() - t0) * 1000
    n = torch.get_num_threads()
    desc = f'torch {torch.__version__} (cpu, eager, {n} thread{"s" if n > 1 else ""}, {blas()})'
    if a.serve:
        print(f'ready {desc}', flush=True)
        for line in sys.stdin:
            cmd = line.split()
            if cmd == ['first']:
                print(f'loss {loss!r}', flush=True)
            elif cmd == ['stats']:
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
                print('stats ' + json.dumps({'firstMs': first_ms, 'startMs': start_ms, 'rssBytes': rss}), flush=True)
            elif len(cmd) == 2 and cmd[0] == 'round':
                print(f'ms {timed_round(step, int(cmd[1]))!r}', flush=True)
            else:
                print(f'error unknown command {line.strip()!r}', flush=True)
        return
    print(f'first-step loss {loss:.5f} (build + first step {first_ms:.1f} ms)')
    ms = statistics.median(timed_round(step, a.steps) for _ in range(a.rounds))
    print(f'{desc}, hidden {a.hidden}, batch {a.batch}, '
          f'{a.rounds} rounds x {a.steps} steps, median round: '
          f'{round(a.batch / ms * 1000):,} samples/s   {ms:.3f} ms/step')


if __name__ == '__main__':
    main()
