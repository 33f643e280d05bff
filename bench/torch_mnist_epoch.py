#!/usr/bin/env python3
"""The anchor for bench/versus_torch.sh: PyTorch on the CPU training the same network with the same
recipe as `mnist --network NAME` (SGD lr 0.1, batch 128, standardised pixels, the last partial
batch kept), for one epoch, on the first SUBSET training images if given, as `mnist --subset`
does, then the test accuracy. Prints one line:
    NAME seconds=S images_per_second=R test_accuracy=A peak_rss_mb=M
Run it as the benchmark script does: Debian's python3-torch with libopenblas0-pthread,
OMP_WAIT_POLICY=PASSIVE and 2 threads, or PyTorch's OpenMP and OpenBLAS threads fight over the
cores. PRECISION bf16 runs each step's forward and loss under torch.autocast('cpu',
dtype=torch.bfloat16), PyTorch's own mixed precision. A tool for comparison only; nothing in
jiggle depends on it.
Usage: torch_mnist_epoch.py NETWORK MNIST_DIR [THREADS] [fp32|bf16] [SUBSET]"""
import contextlib
import gzip
import pathlib
import resource
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(folder, stem):
    for name in (stem, stem.replace("-idx", ".idx")):
        for suffix, opener in (("", open), (".gz", gzip.open)):
            path = pathlib.Path(folder) / (name + suffix)
            if path.exists():
                with opener(path, "rb") as f:
                    data = f.read()
                dims = data[3]
                shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
                return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    sys.exit(f"torch_mnist_epoch: {stem} not found in {folder}")


def conv_bn_relu(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]


NETWORKS = {
    "cnn-nobn": lambda: nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(6272, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)),
    "cnn-bn": lambda: nn.Sequential(
        *conv_bn_relu(1, 32), *conv_bn_relu(32, 32), nn.MaxPool2d(2), *conv_bn_relu(32, 64), *conv_bn_relu(64, 64),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3136, 512), nn.ReLU(), nn.Linear(512, 10)),
    "mlp": lambda: nn.Sequential(
        nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)),
}


def main():
    if (len(sys.argv) < 3 or len(sys.argv) > 6 or sys.argv[1] not in NETWORKS
            or sys.argv[4:5] not in ([], ["fp32"], ["bf16"]) or not all(a.isdigit() for a in sys.argv[5:6])):
        sys.exit(__doc__)
    bf16 = sys.argv[4:5] == ["bf16"]
    name, folder = sys.argv[1], sys.argv[2]
    torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
    torch.manual_seed(0)
    standardise = lambda images: (torch.from_numpy(images.astype(np.float32) / 255.0) - 0.1307) / 0.3081
    train_x = standardise(read_idx(folder, "train-images-idx3-ubyte")).unsqueeze(1)
    train_y = torch.from_numpy(read_idx(folder, "train-labels-idx1-ubyte").astype(np.int64))
    if len(sys.argv) > 5:
        subset = max(1, int(sys.argv[5]))
        train_x, train_y = train_x[:subset], train_y[:subset]
    test_x = standardise(read_idx(folder, "t10k-images-idx3-ubyte")).unsqueeze(1)
    test_y = torch.from_numpy(read_idx(folder, "t10k-labels-idx1-ubyte").astype(np.int64))
    model = NETWORKS[name]()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_function = nn.CrossEntropyLoss()

    model.train()
    order = torch.randperm(len(train_x))
    started = time.perf_counter()
    for first in range(0, len(train_x), 128):
        chosen = order[first:first + 128]
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext():
            loss = loss_function(model(train_x[chosen]), train_y[chosen])
        loss.backward()
        optimizer.step()
    seconds = time.perf_counter() - started

    model.eval()
    with torch.no_grad():
        correct = sum(int((model(test_x[i:i + 1000]).argmax(1) == test_y[i:i + 1000]).sum())
                      for i in range(0, len(test_x), 1000))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{name} seconds={seconds:.2f} images_per_second={len(train_x) / seconds:.0f} "
          f"test_accuracy={correct / len(test_x):.4f} peak_rss_mb={peak_mb:.0f}")


if __name__ == "__main__":
    main()
