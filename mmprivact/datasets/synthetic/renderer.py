"""Rasterise the synthetic figure over a background, with its exact mask."""
from dataclasses import dataclass
from typing import Tuple

import cv2
import numpy as np

from .appearance import Identity, shirt_texture
from .skeleton import JOINT_INDEX, BodyProportions

# Material ids of the part-label image.
_SHIRT, _PANTS, _SKIN, _HAIR, _SHOE, _DARK = 1, 2, 3, 4, 5, 6
_SHIFT = 4  # sub-pixel bits for OpenCV drawing
_PATTERN_PERIOD_M = 0.16


@dataclass(frozen=True)
class PinholeCamera:
    """A horizontal pinhole camera at height ``height`` looking along +z.

    World coordinates are metres, x right, y up, z away from the camera.
    Camera coordinates follow OpenCV: X right, Y down, Z forward.

    Args:
        focal (float): Focal length in pixels.
        cx (float): Principal point x in pixels.
        cy (float): Principal point y in pixels.
        height (float): Camera height above the floor in metres.
    """

    focal: float
    cx: float
    cy: float
    height: float

    @property
    def intrinsics(self) -> np.ndarray:
        """3x3 intrinsic matrix K."""
        return np.array([[self.focal, 0, self.cx], [0, self.focal, self.cy],
                         [0, 0, 1]], dtype=np.float64)

    def world_to_camera(self, points: np.ndarray) -> np.ndarray:
        """Map world points (..., 3) to OpenCV camera coordinates."""
        out = np.array(points, dtype=np.float64, copy=True)
        out[..., 1] = self.height - out[..., 1]
        return out

    def project(self, points_cam: np.ndarray) -> np.ndarray:
        """Project camera-frame points (..., 3) to pixels (..., 2)."""
        z = points_cam[..., 2:3]
        return points_cam[..., :2] * self.focal / z + np.array(
            [self.cx, self.cy])


def _pt(p: np.ndarray) -> Tuple[int, int]:
    return int(round(p[0] * (1 << _SHIFT))), int(round(p[1] * (1 << _SHIFT)))


def _capsule(label, p0, p1, radius, material):
    thickness = max(1, int(round(2 * radius)))
    cv2.line(label, _pt(p0), _pt(p1), material, thickness, cv2.LINE_8,
             _SHIFT)


def _disc(label, centre, radius, material):
    cv2.circle(label, _pt(centre), int(round(max(radius, 0.5) *
                                             (1 << _SHIFT))),
               material, -1, cv2.LINE_8, _SHIFT)


def _draw_figure(label: np.ndarray, uv: np.ndarray, depth: np.ndarray,
                 yaw: float, body: BodyProportions, focal: float) -> None:
    """Paint part materials into ``label`` back to front."""
    ix = JOINT_INDEX

    def r(metres, joint):  # metres -> pixels at the joint's depth
        return focal * metres / depth[ix[joint]]

    parts = []  # (depth, draw callable)

    def add(joints, fn):
        parts.append((float(np.mean([depth[ix[j]] for j in joints])), fn))

    lr = body.limb_radius
    facing = np.array([-np.sin(yaw), -np.cos(yaw)])  # (x, z) of the facing
    for side in ('left', 'right'):
        hip, knee, ankle = (f'{side}_hip', f'{side}_knee', f'{side}_ankle')
        sh, el, wr = (f'{side}_shoulder', f'{side}_elbow', f'{side}_wrist')
        add([hip, knee], lambda h=hip, k=knee: _capsule(
            label, uv[ix[h]], uv[ix[k]], r(1.35 * lr, h), _PANTS))
        add([knee, ankle], lambda k=knee, a=ankle: _capsule(
            label, uv[ix[k]], uv[ix[a]], r(1.1 * lr, k), _PANTS))
        toe = uv[ix[ankle]] + np.array([facing[0], 0.15]) * r(
            0.12 * body.height, ankle)
        add([ankle], lambda a=ankle, t=toe: _capsule(
            label, uv[ix[a]], t, r(0.9 * lr, a), _SHOE))
        add([sh, el], lambda s=sh, e=el: _capsule(
            label, uv[ix[s]], uv[ix[e]], r(1.15 * lr, s), _SHIRT))
        add([el, wr], lambda e=el, w=wr: _capsule(
            label, uv[ix[e]], uv[ix[w]], r(0.9 * lr, e), _SKIN))
        add([wr], lambda w=wr: _disc(label, uv[ix[w]], r(1.3 * lr, w),
                                     _SKIN))

    def torso():
        quad = np.stack([uv[ix['left_shoulder']], uv[ix['right_shoulder']],
                         uv[ix['right_hip']], uv[ix['left_hip']]])
        cv2.fillConvexPoly(label, np.array([_pt(q) for q in quad]), _SHIRT,
                           cv2.LINE_8, _SHIFT)
        _capsule(label, uv[ix['pelvis']], uv[ix['neck']],
                 r(body.torso_radius, 'spine'), _SHIRT)
        _capsule(label, uv[ix['left_hip']], uv[ix['right_hip']],
                 r(1.4 * lr, 'pelvis'), _PANTS)

    add(['pelvis', 'spine', 'neck'], torso)

    def head():
        centre = uv[ix['head']]
        radius = r(body.head_radius, 'head')
        _capsule(label, uv[ix['neck']], centre, r(lr, 'neck'), _SKIN)
        _disc(label, centre, radius, _HAIR)
        toward = -facing[1]  # > 0 when the face points at the camera
        if toward > -0.15:
            face = centre + np.array([facing[0] * 0.35, 0.18]) * radius
            _disc(label, face, 0.78 * radius * (0.55 + 0.45 * max(toward, 0)),
                  _SKIN)
            if toward > 0.35:
                for s in (-1, 1):
                    eye = face + np.array(
                        [s * 0.32 * toward + facing[0] * 0.2, -0.15]) * radius
                    _disc(label, eye, 0.14 * radius, _DARK)

    add(['head'], head)
    for _, draw in sorted(parts, key=lambda p: -p[0]):
        draw()


def render_frames(joints_world: np.ndarray, yaw: np.ndarray,
                  body: BodyProportions, identity: Identity,
                  background: np.ndarray, camera: PinholeCamera,
                  supersample: int = 2) -> Tuple[np.ndarray, np.ndarray]:
    """Render a figure following ``joints_world`` over a static background.

    Args:
        joints_world (np.ndarray): (T, J, 3) world joints in metres.
        yaw (np.ndarray): (T,) facing angle per frame in radians.
        body (BodyProportions): The figure's proportions.
        identity (Identity): The figure's appearance.
        background (np.ndarray): (H, W, 3) float RGB in [0, 255].
        camera (PinholeCamera): Camera in output-pixel units.
        supersample (int): Rendering scale for anti-aliasing.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``frames`` (T, H, W, 3) uint8 RGB and
        ``masks`` (T, H, W) bool, True where the figure covers at least half
        of a pixel.
    """
    h, w = background.shape[:2]
    s = supersample
    palette = np.zeros((7, 3), np.float32)
    palette[_PANTS] = identity.pants
    palette[_SKIN] = identity.skin
    palette[_HAIR] = identity.hair
    palette[_SHOE] = (30, 30, 30)
    palette[_DARK] = (15, 15, 15)
    yy, xx = np.mgrid[0:h * s, 0:w * s].astype(np.float32)
    frames = np.empty((len(joints_world), h, w, 3), np.uint8)
    masks = np.empty((len(joints_world), h, w), bool)
    for t, joints in enumerate(joints_world):
        cam = camera.world_to_camera(joints)
        uv = camera.project(cam) * s
        label = np.zeros((h * s, w * s), np.uint8)
        _draw_figure(label, uv, cam[:, 2], float(yaw[t]), body,
                     camera.focal * s)
        colour = palette[label]
        shirt = label == _SHIRT
        if shirt.any():
            anchor = uv[JOINT_INDEX['neck']]
            period = camera.focal * s * _PATTERN_PERIOD_M / cam[
                JOINT_INDEX['spine'], 2]
            colour[shirt] = shirt_texture(identity, xx[shirt] - anchor[0],
                                          yy[shirt] - anchor[1], period)
        cover = (label > 0).astype(np.float32)
        alpha = cv2.resize(cover, (w, h), interpolation=cv2.INTER_AREA)
        premult = cv2.resize(colour * cover[..., None], (w, h),
                             interpolation=cv2.INTER_AREA)
        out = premult + background * (1.0 - alpha[..., None])
        frames[t] = np.clip(np.rint(out), 0, 255).astype(np.uint8)
        masks[t] = alpha >= 0.5
    return frames, masks
