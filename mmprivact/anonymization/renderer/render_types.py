"""Plain data passed into and out of a :class:`MeshRenderer`."""
from dataclasses import dataclass
from typing import Optional, Sequence, Union

import numpy as np

ColorLike = Union[np.ndarray, Sequence[float], Sequence[int]]


@dataclass
class RenderMesh:
    """One triangle mesh to render, in OpenCV camera coordinates.

    Colours are RGB, either ``uint8`` in [0, 255] or float in [0, 1].
    ``vertex_colors`` wins over ``color``; with neither, a light grey is used.

    Args:
        vertices (np.ndarray): (V, 3) float vertex positions in metres,
            OpenCV camera frame (x right, y down, z forward).
        faces (np.ndarray): (F, 3) int vertex indices of the triangles.
        vertex_colors (np.ndarray, optional): (V, 3) per-vertex RGB colours.
        color (sequence, optional): One (3,) RGB colour for the whole mesh.
        smooth (bool): Interpolate vertex normals (smooth shading) when lit;
            ``False`` gives faceted shading with per-face normals.
            Irrelevant in unlit (flat) rendering. Defaults to True.
    """

    vertices: np.ndarray
    faces: np.ndarray
    vertex_colors: Optional[np.ndarray] = None
    color: Optional[ColorLike] = None
    smooth: bool = True


@dataclass
class RenderResult:
    """What a renderer returns for one frame (or T stacked frames).

    A single frame has the shapes below; :meth:`MeshRenderer.render_sequence`
    returns the same fields with a leading time axis T.

    Args:
        color (np.ndarray): (H, W, 3) uint8 RGB; 0 where nothing was drawn.
        depth (np.ndarray): (H, W) float32 distance along the camera z axis
            in metres; ``np.inf`` where nothing was drawn.
        mask (np.ndarray): (H, W) bool, True where any mesh is visible.
        instance (np.ndarray): (H, W) int16 index (in the input list) of the
            mesh visible at each pixel; -1 where nothing was drawn.
    """

    color: np.ndarray
    depth: np.ndarray
    mask: np.ndarray
    instance: np.ndarray
