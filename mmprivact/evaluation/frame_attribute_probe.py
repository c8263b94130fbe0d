"""A simple frame classifier that predicts a private attribute from frames.

The reference attacker for the synthetic benchmark: how well a private
attribute (e.g. identity) can be read off single frames. Trained from
scratch on a handful of frames per video; scores are reported per frame and
per video (averaged logits over the video's frames).
"""
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import cv2
import decord
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import print_log
from tqdm import tqdm


def load_labelled_frames(ann_file: str, data_root: str,
                         frames_per_video: int = 4, size: int = 64
                         ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode evenly spaced frames of every video in a list file.

    Args:
        ann_file (str): ``relative/path.mp4 label`` list.
        data_root (str): Folder the paths are relative to.
        frames_per_video (int): Frames taken from each video.
        size (int): Frames are resized to ``size`` x ``size``.

    Returns:
        tuple: ``frames`` (N, size, size, 3) uint8 RGB, ``labels`` (N,) and
        ``video_index`` (N,) telling which list entry each frame came from.
    """
    if not osp.isfile(ann_file):
        raise FileNotFoundError(f'Attribute list {ann_file!r} not found; '
                                'generate the synthetic benchmark first '
                                '(python tools/data/generate_synthetic.py).')
    frames, labels, index = [], [], []
    with open(ann_file) as f:
        rows = [line.split() for line in f if line.strip()]
    for i, (rel, label) in enumerate(tqdm(rows, desc='decode', unit='video',
                                          leave=False)):
        path = osp.join(data_root, rel)
        try:
            reader = decord.VideoReader(path)
        except Exception as err:
            raise RuntimeError(f'Cannot decode video {path!r}: {err}') from err
        ids = np.linspace(0, len(reader) - 1, frames_per_video).round()
        batch = reader.get_batch(ids.astype(int).tolist()).asnumpy()
        for frame in batch:
            frames.append(cv2.resize(frame, (size, size),
                                     interpolation=cv2.INTER_AREA))
            labels.append(int(label))
            index.append(i)
    return np.stack(frames), np.asarray(labels), np.asarray(index)


class FrameAttributeProbe(nn.Module):
    """A small 2D CNN (4 conv blocks, global pooling, linear head).

    Args:
        num_classes (int): Number of attribute values.
        width (int): Channels of the first block (doubles per block).
    """

    def __init__(self, num_classes: int, width: int = 16) -> None:
        super().__init__()
        layers, c_in = [], 3
        for i in range(4):
            c_out = width * 2**i
            layers += [nn.Conv2d(c_in, c_out, 3, padding=1),
                       nn.GroupNorm(4, c_out), nn.ReLU(inplace=True),
                       nn.MaxPool2d(2)]
            c_in = c_out
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(c_in, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of (N, 3, H, W) frames scaled to [-1, 1]."""
        return self.head(self.features(x).mean((2, 3)))

    @staticmethod
    def to_input(frames: np.ndarray) -> torch.Tensor:
        """(N, H, W, 3) uint8 -> (N, 3, H, W) float in [-1, 1]."""
        x = torch.from_numpy(frames).permute(0, 3, 1, 2).float()
        return x / 127.5 - 1.0


def train_attribute_probe(train: Sequence[np.ndarray],
                          test: Sequence[np.ndarray],
                          num_classes: int,
                          *,
                          epochs: int = 8,
                          batch_size: int = 64,
                          lr: float = 3e-3,
                          seed: int = 0,
                          progress: bool = True) -> Dict[str, float]:
    """Train :class:`FrameAttributeProbe` and score it on held-out videos.

    Args:
        train (tuple): ``(frames, labels, video_index)`` for training.
        test (tuple): The same for testing.
        num_classes (int): Number of attribute values.
        epochs (int): Passes over the training frames.
        batch_size (int): Frames per step.
        lr (float): AdamW learning rate.
        seed (int): Seed for initialisation and shuffling.
        progress (bool): Show a progress bar.

    Returns:
        dict: ``frame_top1``, ``video_top1``, ``chance`` (majority-class
        rate on the test frames) and the numbers of frames and videos.
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x_train = FrameAttributeProbe.to_input(train[0])
    y_train = torch.from_numpy(train[1]).long()
    model = FrameAttributeProbe(num_classes)
    optim = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps = epochs * int(np.ceil(len(x_train) / batch_size))
    sched = torch.optim.lr_scheduler.OneCycleLR(optim, lr, total_steps=steps)
    bar = tqdm(total=steps, desc='attribute probe', disable=not progress)
    model.train()
    for _ in range(epochs):
        order = torch.from_numpy(rng.permutation(len(x_train)))
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            optim.zero_grad()
            loss.backward()
            optim.step()
            sched.step()
            bar.update()
    bar.close()
    model.eval()
    with torch.no_grad():
        logits = torch.cat([
            model(FrameAttributeProbe.to_input(test[0][i:i + 256]))
            for i in range(0, len(test[0]), 256)
        ])
    frame_pred = logits.argmax(1).numpy()
    videos: List[int] = sorted(set(test[2].tolist()))
    video_correct = []
    for v in videos:
        sel = test[2] == v
        video_correct.append(
            logits[torch.from_numpy(sel)].mean(0).argmax().item()
            == test[1][sel][0])
    result = dict(
        frame_top1=float((frame_pred == test[1]).mean()),
        video_top1=float(np.mean(video_correct)),
        chance=float(np.bincount(test[1]).max() / len(test[1])),
        train_frames=int(len(x_train)), test_frames=int(len(test[0])),
        test_videos=len(videos))
    print_log(f'attribute probe: {result}', logger='current')
    return result
