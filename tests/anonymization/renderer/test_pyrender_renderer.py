import numpy as np
import pytest
import trimesh
from scipy.ndimage import binary_erosion

from mmprivact.anonymization.renderer import (RENDERERS, MeshRenderer,
                                              PyrenderRenderer, RenderMesh,
                                              build_renderer, project_points)

# Non-square image, fx != fy, principal point off-centre and non-integer.
H, W = 200, 280
K = np.array([[310.0, 0.0, 171.3], [0.0, 270.0, 101.8], [0.0, 0.0, 1.0]])


@pytest.fixture(scope='module')
def lit():
    with PyrenderRenderer() as renderer:
        yield renderer


@pytest.fixture(scope='module')
def flat():
    with build_renderer(dict(type='PyrenderRenderer', flat=True)) as r:
        yield r


def sphere(center, radius, **kwargs):
    mesh = trimesh.creation.icosphere(subdivisions=3, radius=radius)
    return RenderMesh(mesh.vertices + np.asarray(center), mesh.faces,
                      **kwargs)


def fronto_square(u0, u1, v0, v1, z, **kwargs):
    """A square at depth z whose corners project to the pixel box given."""
    corners_uv = np.array([[u0, v0], [u1, v0], [u1, v1], [u0, v1]])
    xy = (corners_uv - K[:2, 2]) / np.diag(K)[:2] * z
    verts = np.column_stack([xy, np.full(4, z)])
    return RenderMesh(verts, np.array([[0, 1, 2], [0, 2, 3]]), **kwargs)


def box_mask(u0, u1, v0, v1):
    """Pixels whose centre (integer coordinates) lies inside the box."""
    cols, rows = np.arange(W), np.arange(H)
    return (((rows > v0) & (rows < v1))[:, None]
            & ((cols > u0) & (cols < u1))[None, :])


def exact_colour_region(renderer, region):
    """Pixels whose colour must be exact.

    OSMesa does not multisample, so every covered pixel is exact; EGL's
    colour pass is anti-aliased, so only pixels away from edges are.
    """
    if renderer.platform == 'osmesa':
        return region
    return binary_erosion(region, np.ones((3, 3), bool))


def test_registry_and_interface(flat):
    assert 'PyrenderRenderer' in RENDERERS
    assert isinstance(flat, MeshRenderer) and flat.flat
    assert build_renderer(flat) is flat


def sphere_image_centre(center, radius):
    """Exact centre of the ellipse a sphere projects to.

    The silhouette is a circular cone (half angle alpha) around the ray to
    the centre; on the normalised image plane its extreme radial points are
    at tan(theta +- alpha), and K (affine) maps that ellipse's centre to the
    image ellipse's centre. Off-axis it lies slightly outward of the
    projection of the sphere's centre.
    """
    center = np.asarray(center, dtype=float)
    n = center[:2] / center[2]
    theta = np.arctan(np.linalg.norm(n))
    alpha = np.arcsin(radius / np.linalg.norm(center))
    mid = (np.tan(theta + alpha) + np.tan(theta - alpha)) / 2
    xy = n / np.linalg.norm(n) * mid
    return np.diag(K)[:2] * xy + K[:2, 2]


@pytest.mark.parametrize('center', [(0.31, -0.22, 2.1), (-0.45, 0.27, 1.7)])
def test_sphere_lands_where_its_centre_projects(lit, center):
    radius = 0.12
    out = lit.render([sphere(center, radius)], K, (H, W))
    rows, cols = np.nonzero(out.mask)
    assert len(rows) > 500
    centroid = np.array([cols.mean(), rows.mean()])
    uv = project_points(np.array([center]), K)[0]
    assert np.abs(centroid - uv).max() < 0.6
    # A half-pixel convention error would be off by 0.5 px on both axes.
    assert np.abs(centroid - sphere_image_centre(center, radius)).max() < 0.15


def test_square_covers_exactly_the_projected_pixels_at_its_depth(lit):
    # Off-centre, so ray length (~2.69 m) and z depth (2.5 m) differ.
    box = (40.3, 97.6, 30.2, 61.7)
    out = lit.render([fronto_square(*box, z=2.5)], K, (H, W))
    expected = box_mask(*box)
    np.testing.assert_array_equal(out.mask, expected)
    np.testing.assert_allclose(out.depth[expected], 2.5, atol=1e-3)
    assert np.isinf(out.depth[~expected]).all()
    assert out.depth.dtype == np.float32 and out.color.dtype == np.uint8
    np.testing.assert_array_equal(out.instance, np.where(expected, 0, -1))
    assert out.instance.dtype == np.int16
    assert (out.color[~expected] == 0).all()
    assert (out.color[expected].sum(-1) > 0).all()


@pytest.mark.parametrize('near_first', [True, False])
def test_nearer_mesh_wins_in_instance_colour_and_depth(flat, near_first):
    far_box, near_box = (30.4, 150.6, 40.3, 120.7), (90.2, 200.5, 80.6, 160.4)
    far = fronto_square(*far_box, z=3.0, color=(0, 255, 0))
    near = fronto_square(*near_box, z=2.0, color=(255, 0, 0))
    meshes = [near, far] if near_first else [far, near]
    i_near, i_far = (0, 1) if near_first else (1, 0)
    out = flat.render(meshes, K, (H, W))
    m_far, m_near = box_mask(*far_box), box_mask(*near_box)
    overlap, far_only = m_near & m_far, m_far & ~m_near
    assert overlap.sum() > 1000 and far_only.sum() > 1000
    assert (out.instance[m_near] == i_near).all()
    assert (out.instance[far_only] == i_far).all()
    assert (out.instance[~(m_far | m_near)] == -1).all()
    np.testing.assert_array_equal(out.mask, m_far | m_near)
    assert (out.color[exact_colour_region(flat, m_near)] == (255, 0,
                                                           0)).all()
    assert (out.color[exact_colour_region(flat, far_only)] == (0, 255,
                                                             0)).all()
    np.testing.assert_allclose(out.depth[m_near], 2.0, atol=1e-3)
    np.testing.assert_allclose(out.depth[far_only], 3.0, atol=1e-3)


def test_unlit_vertex_colours_are_exact(flat):
    # Two triangles of a square (uint8 vertex colours) and a sphere with one
    # float colour: every visible pixel shows the colour as given.
    box = (20.4, 120.6, 30.3, 90.7)
    square = fronto_square(*box, z=2.0)
    first = RenderMesh(square.vertices[:3], np.array([[0, 1, 2]]),
                       vertex_colors=np.full((3, 3), (17, 130, 251),
                                             np.uint8))
    second = RenderMesh(square.vertices[[0, 2, 3]], np.array([[0, 1, 2]]),
                        vertex_colors=np.full((3, 3), (250, 3, 99),
                                              np.uint8))
    ball = sphere((0.3, 0.1, 2.2), 0.15, color=(0.2, 0.4, 0.6))
    out = flat.render([first, ball, second], K, (H, W))
    np.testing.assert_array_equal(out.mask[box_mask(*box)], True)
    expected = {0: (17, 130, 251), 1: (51, 102, 153), 2: (250, 3, 99)}
    for index, rgb in expected.items():
        pixels = out.color[exact_colour_region(flat, out.instance == index)]
        assert len(pixels) > 500
        assert (pixels == rgb).all()


def test_lit_shading_darkens_towards_the_silhouette(lit):
    center = (0.0, 0.0, 2.0)
    out = lit.render([sphere(center, 0.3, color=(255, 255, 255))], K, (H, W))
    u, v = np.round(project_points(np.array([center]), K)[0]).astype(int)
    rows, cols = np.nonzero(out.mask)
    edge = np.argmax(cols)  # right-most pixel: a grazing surface
    centre_lum = out.color[v, u].astype(int).sum()
    edge_lum = out.color[rows[edge], cols[edge]].astype(int).sum()
    assert centre_lum > edge_lum + 60


def test_render_sequence_stacks_and_matches_single_frames(lit):
    frames = [[sphere((0.0, 0.0, 2.0), 0.2)], [],
              [sphere((0.2, 0.0, 2.0), 0.2),
               fronto_square(10.5, 60.5, 10.5, 60.5, 1.5)]]
    out = lit.render_sequence(frames, K, (H, W))
    assert out.color.shape == (3, H, W, 3) and out.color.dtype == np.uint8
    assert out.depth.shape == out.mask.shape == out.instance.shape == (3, H,
                                                                       W)
    assert out.mask.dtype == bool and out.instance.dtype == np.int16
    assert not out.mask[1].any() and np.isinf(out.depth[1]).all()
    assert set(np.unique(out.instance[2])) == {-1, 0, 1}
    single = lit.render(frames[2], K, (H, W))
    np.testing.assert_array_equal(out.color[2], single.color)
    np.testing.assert_array_equal(out.instance[2], single.instance)
    via_call = lit(frames[:1], K, (H, W))
    np.testing.assert_array_equal(via_call.mask[0], out.mask[0])
    empty = lit.render_sequence([], K, (H, W))
    assert empty.color.shape == (0, H, W, 3)


def test_size_change_close_and_reuse():
    box = (5.5, 30.5, 5.5, 20.5)
    with PyrenderRenderer(flat=True) as renderer:
        small = renderer.render([fronto_square(*box, z=1.0)], K, (40, 50))
        big = renderer.render([fronto_square(*box, z=1.0)], K, (H, W))
        np.testing.assert_array_equal(big.mask[:40, :50], small.mask)
        assert small.mask.sum() == 25 * 15
    assert renderer._offscreen is None
    again = renderer.render([fronto_square(*box, z=1.0)], K, (40, 50))
    np.testing.assert_array_equal(again.mask, small.mask)
    renderer.close()


@pytest.mark.parametrize('z', [-2.0, -0.3, 150.0])
def test_nothing_is_drawn_behind_the_camera_or_beyond_zfar(lit, z):
    out = lit.render([sphere((0.0, 0.0, z), 0.2)], K, (H, W))
    assert not out.mask.any() and (out.instance == -1).all()
    assert np.isinf(out.depth).all() and (out.color == 0).all()


def test_bad_inputs_are_refused(lit):
    good = fronto_square(10.5, 20.5, 10.5, 20.5, 1.0)
    with pytest.raises(ValueError, match='image_size'):
        lit.render([good], K, (H, ))
    with pytest.raises(ValueError, match='K must'):
        lit.render([good], np.eye(4), (H, W))
    with pytest.raises(TypeError, match='Wrap it'):
        lit.render(good, K, (H, W))
    with pytest.raises(ValueError, match='faces index vertices'):
        lit.render([RenderMesh(good.vertices, np.array([[0, 1, 7]]))], K,
                   (H, W))
    with pytest.raises(ValueError, match=r'color must have shape \(3,\)'):
        lit.render([RenderMesh(good.vertices, good.faces, color=(1, 2))], K,
                   (H, W))
    with pytest.raises(ValueError, match=r'must lie in \[0, 1\]'):
        lit.render([RenderMesh(good.vertices, good.faces,
                               color=(0.5, 2.0, 0.1))], K, (H, W))


def test_platform_errors_say_how_to_fix(lit):
    with pytest.raises(ValueError, match='apt-get install -y libosmesa6'):
        PyrenderRenderer(platform='vulkan')
    other = 'egl' if lit.platform == 'osmesa' else 'osmesa'
    with pytest.raises(RuntimeError, match=f'PYOPENGL_PLATFORM={other}'):
        PyrenderRenderer(platform=other)
