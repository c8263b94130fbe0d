"""Renderer stage: draw avatar meshes offscreen (colour, depth, mask).

Meshes are in OpenCV camera coordinates and the camera is a zero-skew
pinhole ``K`` whose pixel centres sit at integer coordinates, the model of
:func:`project_points`. pyrender / OpenGL are imported only when a
:class:`PyrenderRenderer` is built.
"""
from .base_mesh_renderer import MeshRenderer
from .projection import project_points
from .pyrender_renderer import PyrenderRenderer
from .registry import RENDERERS, build_renderer
from .render_types import RenderMesh, RenderResult

__all__ = [
    'MeshRenderer', 'PyrenderRenderer', 'RENDERERS', 'RenderMesh',
    'RenderResult', 'build_renderer', 'project_points'
]
