"""The renderer stage interface."""
from abc import ABCMeta, abstractmethod
from typing import Any, List, Sequence, Tuple

import numpy as np

from .render_types import RenderMesh, RenderResult


def check_image_size(image_size: Any) -> Tuple[int, int]:
    """Validate an ``(height, width)`` pair.

    Args:
        image_size (tuple): ``(height, width)`` in pixels.

    Returns:
        tuple[int, int]: ``(height, width)`` as Python ints.
    """
    try:
        height, width = (int(s) for s in image_size)
        ok = (height, width) == tuple(image_size)
    except (TypeError, ValueError):
        ok = False
    if not ok or height <= 0 or width <= 0:
        raise ValueError('image_size must be (height, width) with two '
                         f'positive integers; got {image_size!r}. Use '
                         'frames.shape[1:3] for (T, H, W, 3) frames.')
    return height, width


def empty_result(height: int, width: int) -> RenderResult:
    """A frame where nothing was rendered.

    Args:
        height (int): Image height.
        width (int): Image width.

    Returns:
        RenderResult: Black colour, infinite depth, empty mask, instance -1.
    """
    return RenderResult(
        color=np.zeros((height, width, 3), np.uint8),
        depth=np.full((height, width), np.inf, np.float32),
        mask=np.zeros((height, width), bool),
        instance=np.full((height, width), -1, np.int16))


class MeshRenderer(metaclass=ABCMeta):
    """Renders triangle meshes seen by a pinhole camera (the stage interface).

    Meshes are given in OpenCV camera coordinates (x right, y down,
    z forward, metres) and the camera is ``K`` with pixel centres at integer
    coordinates: a 3D point that :func:`~.projection.project_points` maps to
    ``(u, v)`` is drawn at column ``u``, row ``v``.

    Renderers may hold graphics resources; use them as context managers or
    call :meth:`close`.

    Example:
        >>> with build_renderer(dict(type='PyrenderRenderer')) as renderer:
        ...     out = renderer([[RenderMesh(verts, faces)]], K, (240, 320))
        >>> out.mask.shape
        (1, 240, 320)
    """

    @abstractmethod
    def render(self, meshes: Sequence[RenderMesh], K: np.ndarray,
               image_size: Tuple[int, int]) -> RenderResult:
        """Render one frame.

        Args:
            meshes (Sequence[RenderMesh]): Meshes of this frame (may be
                empty); ``instance`` refers to their positions here.
            K (np.ndarray): (3, 3) camera intrinsics.
            image_size (tuple[int, int]): ``(height, width)``.

        Returns:
            RenderResult: Colour (H, W, 3), depth (H, W), mask (H, W),
            instance (H, W).
        """

    def render_sequence(self, mesh_lists: Sequence[Sequence[RenderMesh]],
                        K: np.ndarray,
                        image_size: Tuple[int, int]) -> RenderResult:
        """Render T frames with one camera.

        Args:
            mesh_lists (Sequence[Sequence[RenderMesh]]): For each frame, the
                meshes visible in it.
            K (np.ndarray): (3, 3) intrinsics shared by all frames.
            image_size (tuple[int, int]): ``(height, width)``.

        Returns:
            RenderResult: Stacked arrays: colour (T, H, W, 3) uint8, depth
            (T, H, W) float32, mask (T, H, W) bool, instance (T, H, W) int16.
        """
        height, width = check_image_size(image_size)
        if isinstance(mesh_lists, RenderMesh) or not isinstance(
                mesh_lists, Sequence):
            raise TypeError('mesh_lists must be a sequence (one entry per '
                            'frame) of sequences of RenderMesh; got '
                            f'{type(mesh_lists).__name__}. For one frame '
                            'use render() or wrap it: [[mesh]].')
        frames: List[RenderResult] = [
            self.render(meshes, K, (height, width)) for meshes in mesh_lists
        ]
        if not frames:
            empty = empty_result(height, width)
            return RenderResult(*(np.empty((0, ) + a.shape, a.dtype)
                                  for a in (empty.color, empty.depth,
                                            empty.mask, empty.instance)))
        return RenderResult(
            color=np.stack([f.color for f in frames]),
            depth=np.stack([f.depth for f in frames]),
            mask=np.stack([f.mask for f in frames]),
            instance=np.stack([f.instance for f in frames]))

    def __call__(self, mesh_lists: Sequence[Sequence[RenderMesh]],
                 K: np.ndarray, image_size: Tuple[int, int]) -> RenderResult:
        """Same as :meth:`render_sequence`."""
        return self.render_sequence(mesh_lists, K, image_size)

    def close(self) -> None:
        """Release graphics resources. Safe to call more than once."""

    def __enter__(self) -> 'MeshRenderer':
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
