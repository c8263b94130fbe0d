"""Geometry of the license-free default body: rest skeleton and swept tubes.

Everything is built from numbers written here (rounded anthropometric
proportions of a ~1.70 m adult) - no external data. Coordinates follow SMPL:
metres, y up, the body faces +z, +x is the person's left.
"""
from typing import Dict, List, Tuple

import numpy as np

from .smplh_topology import SMPLH_PARENTS

# Left-side and central rest joints (SMPL-H indices); right = mirrored x.
_BODY_JOINTS = {
    0: (0.0, -0.22, 0.02),
    1: (0.075, -0.31, 0.02),
    3: (0.0, -0.11, 0.0),
    4: (0.095, -0.68, 0.015),
    6: (0.0, 0.02, 0.0),
    7: (0.09, -1.08, -0.02),
    9: (0.0, 0.08, 0.02),
    10: (0.11, -1.135, 0.10),
    12: (0.0, 0.29, -0.01),
    13: (0.075, 0.20, -0.005),
    15: (0.0, 0.36, 0.04),
    16: (0.17, 0.225, -0.015),
    18: (0.43, 0.21, -0.03),
    20: (0.685, 0.215, -0.035)
}
_MIRROR = {1: 2, 4: 5, 7: 8, 10: 11, 13: 14, 16: 17, 18: 19, 20: 21}
# Per finger (SMPL-H order index, middle, pinky, ring, thumb): knuckle offset
# from the wrist, direction and the three segment lengths (last = to tip).
_FINGERS = (
    ((0.090, -0.004, 0.026), (1.0, 0.0, 0.05), (0.033, 0.022, 0.021), 0.0092),
    ((0.095, -0.004, 0.004), (1.0, 0.0, 0.0), (0.036, 0.025, 0.022), 0.0095),
    ((0.078, -0.010, -0.034), (1.0, -0.02, -0.08), (0.025, 0.018, 0.018),
     0.0078),
    ((0.088, -0.006, -0.016), (1.0, -0.01, -0.04), (0.033, 0.023, 0.021),
     0.0088),
    ((0.025, -0.015, 0.030), (0.55, -0.2, 0.8), (0.035, 0.030, 0.024), 0.0105),
)
HEAD_TOP_Y = 0.56
SOLE_Y = -1.15


def rest_skeleton() -> Tuple[np.ndarray, Dict[str, np.ndarray]]:
    """Rest joints (52, 3) and the end points of the leaf bones.

    Returns:
        tuple: ``(joints, ends)`` with ``ends`` mapping ``'head'``,
        ``'left_toe'``/``'right_toe'`` and ``'{side}_{finger}_tip'`` to 3D
        points.
    """
    J = np.zeros((52, 3))
    for j, p in _BODY_JOINTS.items():
        J[j] = p
    for j, m in _MIRROR.items():
        J[m] = J[j] * (-1.0, 1.0, 1.0)
    ends = {'head': np.array([0.0, HEAD_TOP_Y, 0.03])}
    for side, s, wrist in (('left', 1.0, 20), ('right', -1.0, 21)):
        ends[f'{side}_toe'] = np.array([0.115 * s, SOLE_Y + 0.02, 0.19])
        for f, (knuckle, direc, lengths, _) in enumerate(_FINGERS):
            d = np.array(direc) * (s, 1.0, 1.0)
            d /= np.linalg.norm(d)
            p = J[wrist] + np.array(knuckle) * (s, 1.0, 1.0)
            for k in range(3):
                J[22 + 15 * (side == 'right') + 3 * f + k] = p
                p = p + d * lengths[k]
            ends[f'{side}_{f}_tip'] = p
    return J, ends


def _frames(centres: np.ndarray, hint: np.ndarray) -> Tuple[np.ndarray, ...]:
    """Per-ring tangent and two normals (u along ``hint``) of a polyline."""
    t = np.gradient(centres, axis=0)
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    u = hint[None] - (t @ hint)[:, None] * t
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    return t, u, np.cross(t, u)


def tube(centres: np.ndarray,
         radii: np.ndarray,
         hint,
         n_around: int,
         n_cap: int = 3) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A closed tube swept along ``centres`` with elliptic cross-sections.

    Args:
        centres (np.ndarray): (K, 3) ring centres.
        radii (np.ndarray): (K, 2) semi-axes along ``hint`` and across it.
        hint (array-like): Direction the first semi-axis points to.
        n_around (int): Vertices per ring.
        n_cap (int): Extra shrinking rings per rounded end (plus a pole).

    Returns:
        tuple: vertices (N, 3), triangles (F, 3) with outward normals, and
        the axis point of every vertex (N, 3).
    """
    t, u, v = _frames(centres, np.asarray(hint, float))
    rings, axis = list(zip(centres, radii, t, u, v)), []
    ang = np.linspace(0, 2 * np.pi, n_around, endpoint=False)
    cos, sin = np.cos(ang)[:, None], np.sin(ang)[:, None]

    def ring(c, r, uu, vv):
        return c + r[0] * cos * uu + r[1] * sin * vv

    start, end = [], []
    for k in range(1, n_cap + 1):  # quarter-circle profile of the end caps
        phi = np.pi / 2 * k / (n_cap + 1)
        for idx, sign, out in ((0, -1.0, start), (-1, 1.0, end)):
            c, r, tt, uu, vv = rings[idx]
            out.append((c + sign * tt * np.mean(r) * np.sin(phi),
                        r * np.cos(phi), uu, vv, c))
    seq = [(c + 0, r, uu, vv, c) for c, r, _, uu, vv in rings]
    seq = start[::-1] + seq + end
    verts = np.concatenate([ring(c, r, uu, vv) for c, r, uu, vv, _ in seq])
    axis = np.concatenate([np.repeat(a[None], n_around, 0) for *_, a in seq])
    n_rings = len(seq)
    i = np.arange(n_around)
    faces = []
    for k in range(n_rings - 1):
        a, b = k * n_around + i, k * n_around + (i + 1) % n_around
        c, d = a + n_around, b + n_around
        faces += [np.stack([a, b, d], 1), np.stack([a, d, c], 1)]
    poles = []
    for idx, sign, ring_k in ((0, -1.0, 0), (-1, 1.0, n_rings - 1)):
        c, r, tt = rings[idx][:3]
        poles.append(c + sign * tt * np.mean(r))
        p = len(verts) + len(poles) - 1
        a = ring_k * n_around + i
        b = ring_k * n_around + (i + 1) % n_around
        faces.append(
            np.stack([np.full_like(a, p), b, a], 1) if ring_k ==
            0 else np.stack([a, b, np.full_like(a, p)], 1))
    verts = np.concatenate([verts, np.array(poles)])
    axis = np.concatenate([axis, centres[[0, -1]]])
    faces = np.concatenate(faces)
    # Orientation depends on the frame handedness: make normals point out.
    tri = verts[faces] - verts.mean(0)
    if np.einsum('ij,ij->i', tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum() \
            < 0:
        faces = faces[:, ::-1]
    return verts, faces, axis


def _polyline(points, spacing: float) -> Tuple[np.ndarray, np.ndarray]:
    """Resample a polyline every ~``spacing`` m; also arc length in [0, 1]."""
    p = np.asarray(points, float)
    seg = np.linalg.norm(np.diff(p, axis=0), axis=1)
    s = np.concatenate([[0], np.cumsum(seg)])
    n = max(int(np.ceil(s[-1] / spacing)) + 1, 3)
    q = np.linspace(0, s[-1], n)
    out = np.stack([np.interp(q, s, p[:, d]) for d in range(3)], 1)
    return out, q / s[-1]


def _profile(s: np.ndarray, knots, values) -> np.ndarray:
    """Radii (K, 2) interpolated from (knot, (r1, r2)) pairs along s."""
    values = np.asarray(values, float)
    return np.stack([np.interp(s, knots, values[:, d]) for d in range(2)], 1)


def build_parts(J: np.ndarray, ends: Dict[str, np.ndarray]) -> List[dict]:
    """The body's parts as tubes: name, vertices, faces and axis points.

    Args:
        J (np.ndarray): (52, 3) rest joints from :func:`rest_skeleton`.
        ends (dict): Leaf bone end points from :func:`rest_skeleton`.

    Returns:
        list[dict]: ``name``, ``verts``, ``faces``, ``axis`` per part.
    """
    parts = []

    def add(name, centres, radii, hint, n_around, n_cap=3):
        v, f, a = tube(centres, radii, hint, n_around, n_cap)
        parts.append(dict(name=name, verts=v, faces=f, axis=a))

    # Torso: elliptic sections (half width, half depth) from crotch to neck.
    ys = np.linspace(-0.40, 0.30, 30)
    knots = [-0.40, -0.30, -0.20, -0.08, 0.05, 0.15, 0.24, 0.30]
    zc = np.interp(ys, knots,
                   [0.02, 0.015, 0.01, 0.005, 0.0, 0.005, -0.01, -0.015])
    radii = _profile(ys, knots, [(0.12, 0.085), (0.165, 0.11), (0.16, 0.105),
                                 (0.145, 0.10), (0.155, 0.105), (0.17, 0.11),
                                 (0.18, 0.095), (0.10, 0.07)])
    add('torso', np.stack([0 * ys, ys, zc], 1), radii, (1, 0, 0), 36, 4)
    c, _ = _polyline([(0, 0.24, -0.015), (0, 0.40, 0.01)], 0.02)
    add('neck', c, np.full((len(c), 2), 0.054), (1, 0, 0), 16, 2)
    theta = np.linspace(np.pi * 0.94, np.pi * 0.06, 20)
    hc, hr = np.array([0.0, 0.455, 0.03]), np.array([0.078, 0.098, 0.105])
    c = hc + np.outer(np.cos(theta), [0, hr[2], 0])
    add('head', c, np.outer(np.sin(theta), hr[:2]), (1, 0, 0), 28, 2)
    for side, s, o in (('left', 1.0, 0), ('right', -1.0, 1)):
        sh, el, wr = J[16 + o], J[18 + o], J[20 + o]
        c, t = _polyline(
            [sh - (0.06 * s, 0, 0), sh, el, wr, wr + (0.012 * s, 0, 0)], 0.018)
        add(
            f'{side}_arm', c,
            _profile(t, [0, 0.1, 0.3, 0.55, 0.75, 1.0], [(0.05, 0.05),
                                                         (0.05, 0.052),
                                                         (0.043, 0.045),
                                                         (0.036, 0.038),
                                                         (0.033, 0.036),
                                                         (0.023, 0.03)]),
            (0, 1, 0), 16)
        hip, kn, an = J[1 + o], J[4 + o], J[7 + o]
        c, t = _polyline(
            [hip + (0.01 * s, 0.11, 0), hip, kn, an, an - (0, 0.02, 0)], 0.02)
        add(
            f'{side}_leg', c,
            _profile(t, [0, 0.12, 0.3, 0.49, 0.62, 0.95, 1.0],
                     [(0.085, 0.09), (0.085, 0.085), (0.07, 0.07),
                      (0.052, 0.055), (0.052, 0.058), (0.036, 0.038),
                      (0.034, 0.036)]), (1, 0, 0), 20)
        toe = ends[f'{side}_toe']
        c, t = _polyline([(toe[0] - 0.02 * s, SOLE_Y + 0.035, -0.065),
                          (J[10 + o][0], SOLE_Y + 0.032, 0.08), toe -
                          (0, 0, 0.02)], 0.02)
        add(
            f'{side}_foot', c,
            _profile(t, [0, 0.6, 1.0], [(0.034, 0.035), (0.047, 0.03),
                                        (0.036, 0.018)]), (1, 0, 0), 16)
        palm_a = wr + (0.0, -0.004, -0.005)
        c, t = _polyline([palm_a, palm_a + (0.088 * s, -0.002, 0)], 0.012)
        add(f'{side}_palm', c,
            _profile(t, [0, 1], [(0.014, 0.033), (0.013, 0.043)]), (0, 1, 0),
            16)
        base = 22 + 15 * o
        for f in range(5):
            jj = [J[base + 3 * f + k] for k in range(3)]
            c, _ = _polyline(jj + [ends[f'{side}_{f}_tip']], 0.009)
            r = _FINGERS[f][3]
            add(
                f'{side}_finger{f}', c,
                np.full(
                    (len(c), 2), r) * np.linspace(1.0, 0.8, len(c))[:, None],
                (0, 1, 0), 8, 2)
    return parts


def bone_segments(J: np.ndarray, ends: Dict[str, np.ndarray]) -> List[list]:
    """For each joint, the segments (a, b) of the bone(s) it rotates."""
    segs: List[list] = [[] for _ in range(52)]
    for j, p in enumerate(SMPLH_PARENTS):
        if p >= 0:
            segs[p].append((J[p], J[j]))
    segs[15].append((J[15], ends['head']))
    for side, o in (('left', 0), ('right', 1)):
        segs[10 + o].append((J[10 + o], ends[f'{side}_toe']))
        for f in range(5):
            j = 22 + 15 * o + 3 * f + 2
            segs[j].append((J[j], ends[f'{side}_{f}_tip']))
    return segs
