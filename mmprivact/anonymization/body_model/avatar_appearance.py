"""Seeded avatar appearance: body shape and per-vertex clothing colours."""
from typing import Dict, Optional, Tuple

import numpy as np

from .smplh_body_model import SMPLHBodyModel

# Dominant skinning joint -> body region (SMPL-H joint indices).
_REGION_OF_JOINT = {
    15: 'head',
    12: 'neck',
    0: 'pelvis',
    3: 'torso',
    6: 'torso',
    9: 'torso',
    13: 'torso',
    14: 'torso',
    16: 'upper_arm',
    17: 'upper_arm',
    18: 'forearm',
    19: 'forearm',
    1: 'thigh',
    2: 'thigh',
    4: 'shin',
    5: 'shin',
    7: 'foot',
    8: 'foot',
    10: 'foot',
    11: 'foot'
}
_SKIN_TONES = np.array([(255, 224, 196), (241, 194, 160), (224, 172, 135),
                        (198, 134, 96), (141, 85, 54), (92, 58, 40)], float)
_HAIR = np.array([(20, 16, 14), (60, 40, 25), (110, 75, 40), (180, 140, 80),
                  (120, 120, 120), (150, 50, 30)], float)
_TROUSERS = np.array([(40, 60, 110), (30, 30, 35), (150, 130, 95),
                      (90, 90, 95), (70, 80, 50), (120, 40, 40)], float)
_SHOES = np.array([(25, 25, 25), (230, 230, 230), (90, 60, 40), (40, 40, 90)],
                  float)


def _hsv_to_rgb(h: float, s: float, v: float) -> np.ndarray:
    import colorsys
    return np.array(colorsys.hsv_to_rgb(h, s, v)) * 255.0


class AvatarAppearance:
    """Draws an avatar's shape and clothing from a seed.

    Regions (skin, hair, shirt, trousers, shoes) come from each vertex's
    dominant skinning joint and its rest position, so the same code works
    for the default body and the official SMPL-H. What varies with the
    seed: betas, skin tone, hair (none/short/long and colour), sleeve and
    trouser length, clothing colours, a shirt pattern (solid, horizontal or
    vertical stripes, checks) and a fabric-noise texture. The same
    ``(seed, person_index)`` always gives the same result.

    Args:
        body_model (SMPLHBodyModel, optional): The body; ``None`` = the
            default body.
        beta_std (float): Standard deviation of the drawn betas (clipped to
            +-2.5).
    """

    def __init__(self,
                 body_model: Optional[SMPLHBodyModel] = None,
                 beta_std: float = 0.8) -> None:
        if body_model is None:
            body_model = SMPLHBodyModel()
        if not isinstance(body_model, SMPLHBodyModel):
            raise TypeError(f'body_model must be an SMPLHBodyModel or None; '
                            f'got {type(body_model)}.')
        if beta_std < 0:
            raise ValueError(f'beta_std must be >= 0; got {beta_std}.')
        self.num_betas = body_model.num_betas
        self.beta_std = float(beta_std)
        self.verts = body_model.v_template.detach().cpu().double().numpy()
        self.joints = body_model.j_template.detach().cpu().numpy()
        dominant = body_model.lbs_weights.detach().cpu().numpy().argmax(1)
        self.region = np.array(
            [_REGION_OF_JOINT.get(int(j), 'hand') for j in dominant])

    def _masks(self, rng: np.random.Generator) -> Dict[str, np.ndarray]:
        """Boolean vertex masks of skin, hair, shirt, trousers and shoes."""
        r, v, head = self.region, self.verts, self.joints[15]
        hair_style = rng.integers(3)  # 0 none, 1 short, 2 long
        rel = v - head
        hair = np.zeros(len(v), bool)
        if hair_style > 0:
            low = 0.02 if hair_style == 1 else -0.06
            hair = (r == 'head') & ((rel[:, 1] > 0.12) | ((rel[:, 1] > low) &
                                                          (rel[:, 2] < -0.01)))
            if hair_style == 2:
                hair |= (r == 'neck') & (rel[:, 2] < -0.06)
        long_sleeves, long_trousers = rng.random() < 0.5, rng.random() < 0.7
        shirt = np.isin(r, ('torso', 'upper_arm')) | (
            (r == 'forearm') & long_sleeves) | ((r == 'pelvis') &
                                                (v[:, 1] > self.joints[3, 1]))
        trousers = np.isin(r, ('thigh', )) | (
            (r == 'shin') & long_trousers) | ((r == 'pelvis') & ~shirt)
        shoes = r == 'foot'
        skin = ~(hair | shirt | trousers | shoes)
        return dict(skin=skin,
                    hair=hair,
                    shirt=shirt,
                    trousers=trousers,
                    shoes=shoes)

    def _pattern(self, rng: np.random.Generator) -> np.ndarray:
        """Per-vertex bool: True where the shirt's second colour shows."""
        kind = rng.integers(4)  # solid, horizontal, vertical stripes, checks
        period = rng.uniform(0.03, 0.09)
        y = self.verts[:, 1] / period
        around = np.arctan2(self.verts[:, 0], self.verts[:, 2]) * 0.15 / period
        horiz = np.floor(y).astype(int) % 2 == 1
        vert = np.floor(around).astype(int) % 2 == 1
        return [np.zeros(len(y), bool), horiz, vert, horiz ^ vert][kind]

    def __call__(self,
                 seed: int,
                 person_index: int = 0) -> Tuple[np.ndarray, np.ndarray]:
        """Draw one avatar.

        Args:
            seed (int): Per-video seed (non-negative).
            person_index (int): Person within the video (non-negative).

        Returns:
            tuple[np.ndarray, np.ndarray]: ``betas`` (num_betas,) float64 and
            ``vertex_colors`` (V, 3) uint8 RGB.
        """
        for name, val in (('seed', seed), ('person_index', person_index)):
            if isinstance(
                    val, bool) or not isinstance(val,
                                                 (int, np.integer)) or val < 0:
                raise ValueError(f'{name} must be a non-negative int; got '
                                 f'{val!r}.')
        rng = np.random.default_rng([int(seed), int(person_index)])
        betas = np.clip(rng.normal(0.0, self.beta_std, self.num_betas), -2.5,
                        2.5)
        masks = self._masks(rng)
        skin = _SKIN_TONES[rng.integers(len(_SKIN_TONES))] + rng.normal(
            0, 6, 3)
        shirt = _hsv_to_rgb(rng.random(), rng.uniform(0.3, 0.9),
                            rng.uniform(0.35, 0.95))
        second = np.clip(
            shirt * rng.uniform(0.4, 0.7) + rng.uniform(0, 1) * 110, 0, 255)
        trousers = _TROUSERS[rng.integers(len(_TROUSERS))] + rng.normal(
            0, 10, 3)
        colors = np.zeros((len(self.verts), 3))
        colors[masks['skin']] = skin
        colors[masks['hair']] = _HAIR[rng.integers(len(_HAIR))]
        colors[masks['shirt']] = shirt
        colors[masks['shirt'] & self._pattern(rng)] = second
        colors[masks['trousers']] = trousers
        colors[masks['shoes']] = _SHOES[rng.integers(len(_SHOES))]
        # Fabric/skin texture: small per-vertex brightness noise.
        colors *= rng.uniform(0.92, 1.08, (len(colors), 1))
        return betas, np.clip(np.round(colors), 0, 255).astype(np.uint8)
