"""Offscreen mesh rendering with pyrender (OSMesa or EGL)."""
import logging
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .base_mesh_renderer import MeshRenderer, check_image_size, empty_result
from .gl_platform import INSTALL_HINT, activate_platform, delete_egl_offscreen
from .projection import check_intrinsics
from .registry import RENDERERS
from .render_types import RenderMesh, RenderResult

logger = logging.getLogger(__name__)

# Segmentation codes are 16-bit (red + 256 * green); 0 is the background.
_MAX_MESHES = 2**15 - 1
_DEFAULT_COLOR = (0.7, 0.7, 0.7)
# OpenCV camera frame -> OpenGL camera frame (a rotation: winding is kept).
_CV_TO_GL = np.array([1.0, -1.0, -1.0])


def _srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    # pyrender's lit shader ends with pow(c, 1/2.2); pre-compensating keeps a
    # fully lit surface close to the requested colour.
    return np.power(rgb, 2.2)


def _as_unit_rgb(value: Any, name: str, rows: Optional[int]) -> np.ndarray:
    """Colours as float32 in [0, 1]; uint8 / integers are divided by 255."""
    arr = np.asarray(value)
    shape = (3, ) if rows is None else (rows, 3)
    if arr.shape != shape:
        raise ValueError(f'{name} must have shape {shape} (RGB); got '
                         f'{arr.shape}.')
    if np.issubdtype(arr.dtype, np.integer):
        arr = arr.astype(np.float32) / 255.0
    elif np.issubdtype(arr.dtype, np.floating):
        if not np.all(np.isfinite(arr)) or arr.min() < 0 or arr.max() > 1:
            raise ValueError(f'float {name} must lie in [0, 1]; got range '
                             f'[{arr.min()}, {arr.max()}]. Pass uint8 '
                             'colours in [0, 255] or divide by 255.')
    else:
        raise TypeError(f'{name} must be uint8 or float; got {arr.dtype}.')
    return arr.astype(np.float32)


def _face_normals(tri: np.ndarray) -> np.ndarray:
    """Unnormalised (area-weighted) normals of (F, 3, 3) triangles."""
    a, b = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    # Written out: np.cross is several times slower on (F, 3) arrays.
    return np.stack([
        a[:, 1] * b[:, 2] - a[:, 2] * b[:, 1],
        a[:, 2] * b[:, 0] - a[:, 0] * b[:, 2],
        a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    ], axis=1)


def _vertex_normals(verts: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted vertex normals (zero for unreferenced vertices)."""
    face_n = _face_normals(verts[faces])
    # bincount is several times faster than np.add.at for scatter-adds.
    idx = faces.reshape(-1)
    weights = np.repeat(face_n, 3, axis=0)
    normals = np.stack([
        np.bincount(idx, weights=weights[:, c], minlength=len(verts))
        for c in range(3)
    ], axis=1)
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return normals / np.maximum(length, 1e-12)


def _check_mesh(mesh: Any, index: int) -> Tuple[np.ndarray, np.ndarray]:
    if not isinstance(mesh, RenderMesh):
        raise TypeError(f'meshes[{index}] must be a RenderMesh; got '
                        f'{type(mesh).__name__}.')
    verts = np.asarray(mesh.vertices, dtype=np.float64)
    if verts.ndim != 2 or verts.shape[1] != 3 or not np.all(
            np.isfinite(verts)):
        raise ValueError(f'meshes[{index}].vertices must be a finite (V, 3) '
                         f'array in OpenCV camera coordinates; got shape '
                         f'{verts.shape}.')
    faces = np.asarray(mesh.faces)
    if (faces.ndim != 2 or faces.shape[1] != 3
            or not np.issubdtype(faces.dtype, np.integer)):
        raise ValueError(f'meshes[{index}].faces must be an integer (F, 3) '
                         f'array; got shape {faces.shape}, dtype '
                         f'{faces.dtype}.')
    if faces.size and (faces.min() < 0 or faces.max() >= len(verts)):
        raise ValueError(f'meshes[{index}].faces index vertices outside '
                         f'[0, {len(verts) - 1}]; got range [{faces.min()}, '
                         f'{faces.max()}].')
    return verts, faces.astype(np.int64)


@RENDERERS.register()
class PyrenderRenderer(MeshRenderer):
    """Offscreen OpenGL renderer built on pyrender (OSMesa or EGL).

    One pyrender ``OffscreenRenderer`` is created for the first image size
    and reused (it is recreated only when the size changes); release it
    with :meth:`close` or a ``with`` block. Colour comes from a shaded pass;
    with several meshes (or on EGL) a second, unshaded and not multisampled
    segmentation pass gives ``instance`` and the depth, so mask, depth and
    instance agree pixel for pixel: a pixel is covered when its centre is.
    On EGL the colour pass is multisampled (anti-aliased edges); on OSMesa
    it is not.

    Args:
        platform (str, optional): ``'osmesa'`` (CPU, Mesa) or ``'egl'``
            (GPU driver or Mesa llvmpipe). None uses the platform OpenGL is
            already bound to, else ``PYOPENGL_PLATFORM``, else ``'osmesa'``.
        flat (bool): Unlit rendering: pixels get the exact (interpolated)
            vertex colours. Otherwise a directional light plus ambient light
            shade the meshes. Defaults to False.
        light_direction (sequence): Direction the light travels, OpenCV
            camera coordinates; the default comes from above the camera.
        light_intensity (float): Directional light intensity.
        ambient_light (float): Ambient light level in [0, 1].
        default_color (sequence): RGB in [0, 1] for meshes without colours.
        znear (float): Near clipping distance in metres.
        zfar (float): Far clipping distance in metres.
    """

    def __init__(self,
                 platform: Optional[str] = None,
                 flat: bool = False,
                 light_direction: Sequence[float] = (0.0, 0.5, 1.0),
                 light_intensity: float = 2.5,
                 ambient_light: float = 0.25,
                 default_color: Sequence[float] = _DEFAULT_COLOR,
                 znear: float = 0.01,
                 zfar: float = 100.0) -> None:
        if not 0 < znear < zfar:
            raise ValueError('Need 0 < znear < zfar (metres); got '
                             f'znear={znear}, zfar={zfar}.')
        direction = np.asarray(light_direction, dtype=np.float64)
        if direction.shape != (3, ) or np.linalg.norm(direction) == 0:
            raise ValueError('light_direction must be a non-zero 3-vector; '
                             f'got {light_direction!r}.')
        if light_intensity < 0 or not 0 <= ambient_light <= 1:
            raise ValueError('Need light_intensity >= 0 and 0 <= '
                             f'ambient_light <= 1; got {light_intensity}, '
                             f'{ambient_light}.')
        self.platform = activate_platform(platform)
        self.flat = bool(flat)
        self.light_direction = direction / np.linalg.norm(direction)
        self.light_intensity = float(light_intensity)
        self.ambient_light = float(ambient_light)
        self.default_color = _as_unit_rgb(
            np.asarray(default_color, dtype=np.float32), 'default_color',
            None)
        self.znear = float(znear)
        self.zfar = float(zfar)
        try:
            import pyrender
        except Exception as err:  # missing libOSMesa / libEGL surfaces here
            raise RuntimeError(
                f'Could not import pyrender with PYOPENGL_PLATFORM='
                f'{self.platform!r}: {err!r}. {INSTALL_HINT}') from err
        self._pyrender = pyrender
        self._offscreen: Any = None
        self._size: Optional[Tuple[int, int]] = None
        self._build_scene()

    def _build_scene(self) -> None:
        pyrender = self._pyrender
        self._scene = pyrender.Scene(
            bg_color=(0.0, 0.0, 0.0, 0.0),
            ambient_light=(self.ambient_light, ) * 3)
        self._camera = pyrender.IntrinsicsCamera(
            1.0, 1.0, 0.0, 0.0, znear=self.znear, zfar=self.zfar)
        # Camera at the origin looking down OpenGL's -z (= OpenCV +z).
        self._scene.add(self._camera, pose=np.eye(4))
        light = pyrender.DirectionalLight(
            color=np.ones(3), intensity=self.light_intensity)
        self._scene.add(light, pose=self._light_pose())
        self._material = pyrender.MetallicRoughnessMaterial(
            baseColorFactor=(1.0, 1.0, 1.0, 1.0),
            metallicFactor=0.0,
            roughnessFactor=0.8,
            doubleSided=False)

    def _light_pose(self) -> np.ndarray:
        # A pyrender directional light shines along its node's -z axis.
        forward = self.light_direction * _CV_TO_GL
        z_axis = -forward
        helper = np.array([0.0, 1.0, 0.0])
        if abs(z_axis @ helper) > 0.9:
            helper = np.array([1.0, 0.0, 0.0])
        x_axis = np.cross(helper, z_axis)
        x_axis /= np.linalg.norm(x_axis)
        pose = np.eye(4)
        pose[:3, :3] = np.stack([x_axis, np.cross(z_axis, x_axis), z_axis],
                                axis=1)
        return pose

    def _renderer_for(self, height: int, width: int) -> Any:
        if self._offscreen is not None:
            if self._size != (height, width):
                # pyrender resizes the framebuffers (EGL) or recreates the
                # OSMesa context at the next render.
                self._offscreen.viewport_width = width
                self._offscreen.viewport_height = height
                self._size = (height, width)
            return self._offscreen
        os.environ['PYOPENGL_PLATFORM'] = self.platform
        try:
            self._offscreen = self._pyrender.OffscreenRenderer(width, height)
        except Exception as err:
            raise RuntimeError(
                f'Could not create an offscreen OpenGL context with '
                f'PYOPENGL_PLATFORM={self.platform!r}: {err!r}. '
                f'{INSTALL_HINT}') from err
        self._size = (height, width)
        return self._offscreen

    def _primitive(self, mesh: RenderMesh, index: int) -> Any:
        verts, faces = _check_mesh(mesh, index)
        verts = verts * _CV_TO_GL
        if mesh.vertex_colors is not None:
            colors = _as_unit_rgb(mesh.vertex_colors,
                                  f'meshes[{index}].vertex_colors',
                                  len(verts))
        else:
            color = self.default_color if mesh.color is None else \
                _as_unit_rgb(mesh.color, f'meshes[{index}].color', None)
            colors = np.broadcast_to(color, verts.shape)
        if not self.flat:
            colors = _srgb_to_linear(colors)
        normals = None
        if not self.flat and mesh.smooth:
            normals = _vertex_normals(verts, faces)
        elif not self.flat:
            # Faceted shading: unshared vertices carrying face normals.
            tri = verts[faces]
            face_n = _face_normals(tri)
            face_n /= np.maximum(
                np.linalg.norm(face_n, axis=1, keepdims=True), 1e-12)
            verts = tri.reshape(-1, 3)
            colors = colors[faces].reshape(-1, 3)
            normals = np.repeat(face_n, 3, axis=0)
            faces = np.arange(len(verts)).reshape(-1, 3)
        # Both windings, so faces show from either side whatever the mesh's
        # orientation: pyrender's segmentation pass ignores doubleSided and
        # always culls back faces.
        faces = np.concatenate([faces, faces[:, ::-1]])
        return self._pyrender.Primitive(
            positions=verts.astype(np.float32),
            normals=None if normals is None else normals.astype(np.float32),
            color_0=np.ascontiguousarray(colors, dtype=np.float32),
            indices=faces.astype(np.uint32),
            material=self._material)

    def render(self, meshes: Sequence[RenderMesh], K: np.ndarray,
               image_size: Tuple[int, int]) -> RenderResult:
        """Render one frame; see :meth:`MeshRenderer.render`.

        Args:
            meshes (Sequence[RenderMesh]): Meshes in OpenCV camera
                coordinates; ``instance`` indexes this sequence.
            K (np.ndarray): (3, 3) zero-skew intrinsics.
            image_size (tuple[int, int]): ``(height, width)``.

        Returns:
            RenderResult: Colour, depth, mask and instance of the frame.
        """
        height, width = check_image_size(image_size)
        K_arr = check_intrinsics(K)
        if isinstance(meshes, RenderMesh):
            raise TypeError('meshes must be a sequence of RenderMesh; got '
                            'a single RenderMesh. Wrap it: [mesh].')
        meshes = list(meshes)
        if len(meshes) > _MAX_MESHES:
            raise ValueError(f'At most {_MAX_MESHES} meshes per frame (int16 '
                             f'instance ids); got {len(meshes)}.')
        primitives = [self._primitive(m, i) for i, m in enumerate(meshes)]
        if not primitives:
            return empty_result(height, width)
        # pyrender places pixel centres at half-integers (window coordinates)
        # while K puts them at integers: shift the principal point by +0.5.
        cam = self._camera
        cam.fx, cam.fy = K_arr[0, 0], K_arr[1, 1]
        cam.cx, cam.cy = K_arr[0, 2] + 0.5, K_arr[1, 2] + 0.5
        renderer = self._renderer_for(height, width)
        pyrender = self._pyrender
        nodes: List[Any] = [
            self._scene.add(pyrender.Mesh([p])) for p in primitives
        ]
        try:
            flags = pyrender.RenderFlags.FLAT if self.flat else \
                pyrender.RenderFlags.NONE
            color, depth = renderer.render(self._scene, flags=flags)
            # The colour pass is multisampled on EGL, where its depth marks
            # partly covered edge pixels; the segmentation pass is not, so
            # it gives pixel-centre coverage like OSMesa.
            if len(nodes) == 1 and self.platform == 'osmesa':
                instance = np.where(depth > 0, 0, -1).astype(np.int16)
            else:
                seg_map: Dict[Any, np.ndarray] = {
                    node: np.array([(i + 1) & 255, ((i + 1) >> 8) & 255, 0])
                    for i, node in enumerate(nodes)
                }
                seg, depth = renderer.render(
                    self._scene,
                    flags=pyrender.RenderFlags.SEG,
                    seg_node_map=seg_map)
                code = seg[..., 0].astype(np.int32) + \
                    (seg[..., 1].astype(np.int32) << 8)
                valid = (code > 0) & (code <= len(nodes)) & (depth > 0)
                instance = np.where(valid, code - 1, -1).astype(np.int16)
        finally:
            for node in nodes:
                self._scene.remove_node(node)
        mask = instance >= 0
        depth = np.where(mask, depth, np.inf).astype(np.float32)
        color = np.where(mask[..., None], color[..., :3], 0).astype(np.uint8)
        return RenderResult(color=color, depth=depth, mask=mask,
                            instance=instance)

    def _delete_offscreen(self) -> None:
        offscreen, self._offscreen, self._size = self._offscreen, None, None
        if offscreen is None:
            return
        try:
            if self.platform == 'egl':
                delete_egl_offscreen(offscreen)
            else:
                offscreen.delete()
        except Exception as err:  # context may already be gone
            logger.debug('Ignoring error while deleting the offscreen '
                         'renderer: %r', err)

    def close(self) -> None:
        """Free the OpenGL context and buffers (a later render recreates)."""
        self._delete_offscreen()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(platform={self.platform!r}, '
                f'flat={self.flat}, znear={self.znear}, zfar={self.zfar})')
