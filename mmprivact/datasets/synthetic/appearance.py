"""Appearance of the synthetic benchmark: identities and backgrounds.

Identities are the private attributes of the benchmark: visible only in
appearance (clothing colour and pattern, hair, skin, body proportions) and
drawn independently of the action.
"""
from dataclasses import asdict, dataclass
from typing import Tuple

import cv2
import numpy as np

RGB = Tuple[int, int, int]


@dataclass(frozen=True)
class Identity:
    """One synthetic person.

    Args:
        name (str): Identifier, e.g. ``'id03'``.
        shirt (RGB): Main shirt colour.
        shirt_secondary (RGB): Second colour of the shirt pattern.
        pattern (str): ``'solid'``, ``'hstripes'``, ``'vstripes'``,
            ``'checks'`` or ``'dots'``.
        pants (RGB): Trousers colour.
        hair (RGB): Hair colour (back of the head).
        skin (RGB): Skin colour (face, forearms, hands).
        height (float): Height in metres.
        build (float): Width factor of the body.
    """

    name: str
    shirt: RGB
    shirt_secondary: RGB
    pattern: str
    pants: RGB
    hair: RGB
    skin: RGB
    height: float
    build: float

    def attributes(self) -> dict:
        """Return the identity's private attributes as plain values."""
        return asdict(self)


_SKIN = [(241, 194, 167), (224, 172, 105), (198, 134, 66), (141, 85, 36),
         (255, 219, 172)]

IDENTITIES = (
    Identity('id00', (200, 30, 30), (200, 30, 30), 'solid', (40, 60, 140),
             (20, 20, 20), _SKIN[0], 1.80, 1.00),
    Identity('id01', (40, 160, 60), (235, 235, 235), 'hstripes',
             (190, 170, 120), (100, 60, 30), _SKIN[1], 1.70, 0.90),
    Identity('id02', (230, 210, 40), (230, 210, 40), 'solid', (25, 25, 25),
             (230, 200, 110), _SKIN[4], 1.62, 0.85),
    Identity('id03', (40, 80, 220), (240, 240, 240), 'checks', (120, 120, 120),
             (20, 20, 20), _SKIN[2], 1.90, 1.15),
    Identity('id04', (130, 50, 170), (130, 50, 170), 'solid', (235, 235, 225),
             (170, 60, 20), _SKIN[0], 1.75, 1.05),
    Identity('id05', (245, 130, 20), (20, 20, 20), 'vstripes', (20, 30, 90),
             (150, 150, 150), _SKIN[3], 1.85, 1.20),
    Identity('id06', (30, 200, 210), (10, 30, 90), 'dots', (110, 70, 40),
             (100, 60, 30), _SKIN[1], 1.66, 0.95),
    Identity('id07', (240, 240, 240), (240, 240, 240), 'solid', (180, 20, 40),
             (20, 20, 20), _SKIN[3], 1.78, 0.90),
    Identity('id08', (245, 120, 180), (110, 110, 110), 'checks', (30, 120, 50),
             (230, 200, 110), _SKIN[4], 1.68, 1.00),
    Identity('id09', (25, 25, 25), (240, 200, 30), 'hstripes', (210, 190, 150),
             (235, 235, 235), _SKIN[2], 1.95, 1.10),
)


def shirt_texture(identity: Identity, xs: np.ndarray, ys: np.ndarray,
                  period: float) -> np.ndarray:
    """Colour of the shirt at pixel coordinates relative to the figure.

    Args:
        identity (Identity): Whose shirt.
        xs (np.ndarray): x offsets (pixels) from the figure's anchor.
        ys (np.ndarray): y offsets (pixels) from the figure's anchor.
        period (float): Pattern period in pixels (scales with the figure).

    Returns:
        np.ndarray: ``xs.shape + (3,)`` float32 RGB.
    """
    a = np.asarray(identity.shirt, np.float32)
    b = np.asarray(identity.shirt_secondary, np.float32)
    half = max(period / 2.0, 1.0)
    if identity.pattern == 'solid':
        use_b = np.zeros(xs.shape, bool)
    elif identity.pattern == 'hstripes':
        use_b = np.floor(ys / half) % 2 == 1
    elif identity.pattern == 'vstripes':
        use_b = np.floor(xs / half) % 2 == 1
    elif identity.pattern == 'checks':
        use_b = (np.floor(xs / half) + np.floor(ys / half)) % 2 == 1
    elif identity.pattern == 'dots':
        fx = (xs / period) % 1.0 - 0.5
        fy = (ys / period) % 1.0 - 0.5
        use_b = fx * fx + fy * fy < 0.09
    else:
        raise ValueError(f'Unknown shirt pattern {identity.pattern!r}.')
    return np.where(use_b[..., None], b, a)


def make_background(rng: np.random.Generator, height: int, width: int,
                    horizon: int) -> np.ndarray:
    """A random indoor-like scene: textured wall, floor and a few objects.

    Args:
        rng (np.random.Generator): Source of randomness (one per video).
        height (int): Image height in pixels.
        width (int): Image width in pixels.
        horizon (int): Row where the floor meets the wall.

    Returns:
        np.ndarray: (height, width, 3) float32 RGB in [0, 255].
    """
    def noise_field(cells, colours):
        grid = rng.random((cells, cells, 1)).astype(np.float32)
        field = cv2.resize(grid, (width, height),
                           interpolation=cv2.INTER_CUBIC)[..., None]
        field = np.clip(field, 0, 1)
        return colours[0] * (1 - field) + colours[1] * field

    wall_cols = rng.uniform(40, 230, size=(2, 3)).astype(np.float32)
    floor_cols = rng.uniform(30, 200, size=(2, 3)).astype(np.float32)
    wall = noise_field(int(rng.integers(3, 9)), wall_cols)
    floor = noise_field(int(rng.integers(3, 9)), floor_cols)
    yy, xx = np.mgrid[0:height, 0:width]
    kind = rng.integers(0, 3)
    if kind == 1:  # wallpaper stripes
        period = rng.uniform(4, 14)
        wall *= (0.85 + 0.15 * (np.floor(xx / period) % 2))[..., None]
    elif kind == 2:  # tiles
        period = rng.uniform(6, 16)
        tiles = (np.floor(xx / period) + np.floor(yy / period)) % 2
        wall *= (0.9 + 0.1 * tiles)[..., None]
    # Floor boards, denser towards the horizon.
    boards = np.floor(np.sqrt(np.maximum(yy - horizon, 0) + 1) * 2.0) % 2
    floor *= (0.88 + 0.12 * boards)[..., None]
    img = np.where((yy >= horizon)[..., None], floor, wall)
    for _ in range(int(rng.integers(1, 4))):  # pictures, shelves, doors
        w = int(rng.integers(width // 10, width // 3))
        h = int(rng.integers(height // 10, height // 3))
        x0 = int(rng.integers(0, width - w))
        y0 = int(rng.integers(0, max(horizon - h, 1)))
        colour = rng.uniform(20, 240, size=3).astype(np.float32)
        img[y0:y0 + h, x0:x0 + w] = colour
        frame = rng.uniform(20, 240, size=3).astype(np.float32)
        img[y0:y0 + h, x0:x0 + 1] = frame
        img[y0:y0 + h, x0 + w - 1:x0 + w] = frame
    return np.clip(img, 0, 255).astype(np.float32)
