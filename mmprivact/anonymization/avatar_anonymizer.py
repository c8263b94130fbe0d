"""The avatar pipeline: one video in, anonymized frames + privacy mask out."""
import logging
import time
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional

import numpy as np

from .anonymized_video import AnonymizedVideo
from .anonymizer_registry import ANONYMIZERS
from .array_checks import dilate_masks

logger = logging.getLogger(__name__)

#: Background the refiner sees around the avatars (no real pixel).
NEUTRAL_GREY = 128

#: The default, offline configuration: nothing but installed packages.
DEFAULT_STAGES = dict(
    pose=dict(type='MediaPipePoseEstimator'),
    segmenter='from_pose',
    body_model=dict(model_path=None),
    fitter=dict(type='JointFitter'),
    renderer=dict(type='PyrenderRenderer'),
    inpainter=dict(type='TemporalBackgroundInpainter',
                   fallback=dict(type='OpenCVInpainter')),
    compositor=dict(type='DepthAwareCompositor', feather=2),
    refiner=None)


@ANONYMIZERS.register()
class AvatarAnonymizer:
    """Replace each real person in a clip by a pose-following avatar.

    Stages, each a config dict of its stage's registry (or an instance):

    1. ``pose``: tracked 3D skeletons in camera coordinates
       (:mod:`.pose`; default: MediaPipe, offline).
    2. ``segmenter``: person masks (:mod:`.segmentation`); ``'from_pose'``
       reuses the pose model's segmentation when it has one.
    3. ``fitter``: SMPL-H fitted to each person's joints
       (:mod:`.body_model`), giving the pose parameters.
    4. The avatar: the fitted motion on a body whose *shape* and clothing
       are drawn from ``seed`` and the person's index
       (:class:`~.body_model.AvatarAppearance`), so the real person's body
       shape does not carry over. The avatar's pelvis is put on the fitted
       pelvis.
    5. ``renderer``: colour, depth and mask of the avatars, drawn only in
       frames where the person was observed.
    6. ``inpainter``: the person's dilated mask is filled from the
       background, so the old silhouette is gone even where the avatar
       does not cover it.
    7. ``compositor``: depth-aware blend of the avatars over that
       background.
    8. ``refiner`` (optional, off by default): diffusion refinement of the
       rendered avatars, on a neutral grey background (never on real
       pixels), before the blend.

    The privacy mask ``non_sensitive`` is True exactly where an avatar is
    visible: everything else (the inpainted background included, which is
    made of real pixels) stays sensitive.

    Args:
        pose (dict | object): Pose estimator config.
        segmenter (dict | str | object): Segmenter config or
            ``'from_pose'``.
        body_model (dict | object): :class:`~.body_model.SMPLHBodyModel`
            kwargs (``model_path`` of the official SMPL-H files, or None for
            the license-free default body) or an instance.
        fitter (dict | object): Body fitter config (gets ``body_model``).
        renderer (dict | object): Renderer config.
        inpainter (dict | object): Inpainter config.
        compositor (dict | object): Compositor config.
        refiner (dict | object, optional): Refiner config; None = off.
        seed (int): Seed of the avatars' appearance. Combined with the
            per-video ``seed`` passed to :meth:`__call__`, if any.
        person_dilate (int): Pixels the person mask grows before
            inpainting (segmentation edges carry the person's colours).
        beta_std (float): Spread of the avatars' drawn body shapes.
    """

    def __init__(self,
                 pose: Any = DEFAULT_STAGES['pose'],
                 segmenter: Any = DEFAULT_STAGES['segmenter'],
                 body_model: Any = DEFAULT_STAGES['body_model'],
                 fitter: Any = DEFAULT_STAGES['fitter'],
                 renderer: Any = DEFAULT_STAGES['renderer'],
                 inpainter: Any = DEFAULT_STAGES['inpainter'],
                 compositor: Any = DEFAULT_STAGES['compositor'],
                 refiner: Any = DEFAULT_STAGES['refiner'],
                 seed: int = 0,
                 person_dilate: int = 4,
                 beta_std: float = 0.8) -> None:
        from .body_model import (AvatarAppearance, SMPLHBodyModel,
                                 build_body_fitter)
        from .compositing import build_compositor
        from .inpainting import build_inpainter
        from .pose import build_pose_estimator
        from .renderer import build_renderer
        from .segmentation import build_segmenter

        if person_dilate < 0:
            raise ValueError(f'person_dilate must be >= 0, got '
                             f'{person_dilate}.')
        self.pose = build_pose_estimator(pose)
        self.segmenter = segmenter if segmenter == 'from_pose' else \
            build_segmenter(segmenter)
        self.body_model = body_model if isinstance(
            body_model, SMPLHBodyModel) else SMPLHBodyModel(
                **dict(body_model or {}))
        if isinstance(fitter, dict):
            fitter = dict(fitter, body_model=self.body_model)
        self.fitter = build_body_fitter(fitter)
        self.appearance = AvatarAppearance(self.body_model, beta_std)
        self.renderer = build_renderer(renderer)
        self.inpainter = build_inpainter(inpainter)
        self.compositor = build_compositor(compositor)
        self.refiner = None
        if refiner is not None:
            from .refinement import build_refiner
            self.refiner = build_refiner(refiner)
        self.seed = int(seed)
        self.person_dilate = int(person_dilate)

    @contextmanager
    def _timed(self, times: Dict[str, float], stage: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        times[stage] = times.get(stage, 0.0) + time.perf_counter() - start

    def person_masks(self, frames: np.ndarray, pose: Any,
                     source: Optional[str]) -> np.ndarray:
        """The real people's pixels, bool (T, H, W)."""
        if self.segmenter == 'from_pose':
            if pose.segmentation is None:
                raise ValueError(
                    "segmenter='from_pose' needs a pose backend that "
                    'segments (MediaPipePoseEstimator with '
                    'enable_segmentation=True); configure a segmenter, e.g. '
                    "dict(type='MediaPipeSelfieSegmenter').")
            return pose.segmentation >= 0.5
        return self.segmenter(frames, source)

    def avatar_meshes(self, pose: Any, seed: int,
                      times: Dict[str, float]) -> List[List[Any]]:
        """Fit every person and build their avatar meshes per frame."""
        import torch

        from .renderer import RenderMesh
        num_frames = pose.valid.shape[1]
        meshes: List[List[Any]] = [[] for _ in range(num_frames)]
        faces = self.body_model.faces
        for person in range(pose.valid.shape[0]):
            if not pose.valid[person].any():
                continue
            with self._timed(times, 'fit'):
                fit = self.fitter(pose.joints3d[person], pose.layout,
                                  confidence=pose.confidence[person],
                                  valid=pose.valid[person])
            with self._timed(times, 'avatar'):
                betas, colors = self.appearance(seed, person)
                n = fit.num_frames
                with torch.no_grad():
                    verts, joints = self.body_model(
                        torch.as_tensor(np.tile(betas, (n, 1))),
                        torch.as_tensor(fit.global_orient),
                        torch.as_tensor(fit.body_pose),
                        torch.as_tensor(fit.transl))
                rot = np.asarray(fit.camera_from_world, np.float64)
                verts = verts.double().numpy() @ rot.T
                pelvis = joints[:, 0].double().numpy() @ rot.T
                # Same pelvis as the fitted body: a drawn shape with other
                # leg lengths would otherwise float or sink.
                verts += (fit.joints[:, 0] - pelvis)[:, None]
            for t in np.flatnonzero(pose.valid[person]):
                meshes[t].append(
                    RenderMesh(verts[t].astype(np.float32), faces,
                               vertex_colors=colors))
        return meshes

    def __call__(self,
                 frames: np.ndarray,
                 fps: Optional[float] = None,
                 source: Optional[str] = None,
                 seed: Optional[int] = None) -> AnonymizedVideo:
        """Anonymize one clip.

        Args:
            frames (np.ndarray): (T, H, W, 3) uint8 RGB.
            fps (float, optional): Frame rate (unused by the default stages;
                kept for the batch tool's interface).
            source (str, optional): Clip identifier for dataset-skeleton and
                mask-file backends.
            seed (int, optional): Per-video seed of the avatars'
                appearance, mixed with the anonymizer's ``seed``.

        Returns:
            AnonymizedVideo: Frames, ``non_sensitive`` mask and stage times.
        """
        frames = np.asarray(frames)
        if frames.ndim != 4 or frames.shape[-1] != 3 or \
                frames.dtype != np.uint8:
            raise ValueError('frames must be a (T, H, W, 3) uint8 RGB array, '
                             f'got {frames.shape} {frames.dtype}.')
        times: Dict[str, float] = {}
        video_seed = self.seed if seed is None else int(
            np.random.SeedSequence([self.seed, int(seed)]).generate_state(1)
            [0])
        with self._timed(times, 'pose'):
            pose = self.pose(frames, source)
        with self._timed(times, 'segmentation'):
            people = self.person_masks(frames, pose, source)
        meshes = self.avatar_meshes(pose, video_seed, times)
        with self._timed(times, 'render'):
            render = self.renderer.render_sequence(meshes, pose.K,
                                                   frames.shape[1:3])
        with self._timed(times, 'inpaint'):
            hole = dilate_masks(people, self.person_dilate)
            background = self.inpainter(frames, hole)
        avatar_rgb = render.color
        if self.refiner is not None:
            with self._timed(times, 'refine'):
                # The refiner sees the avatars on neutral grey, never a real
                # pixel, so the refined avatar is still synthetic and the
                # privacy mask stays true.
                synthetic = np.where(render.mask[..., None], render.color,
                                     np.uint8(NEUTRAL_GREY))
                avatar_rgb = self.refiner(synthetic, render.mask,
                                          control=render.color)
        with self._timed(times, 'composite'):
            out, non_sensitive = self.compositor(background, avatar_rgb,
                                                 render.depth, render.mask)
        result = AnonymizedVideo(
            out, non_sensitive, times,
            extras=dict(person_mask=people, avatar_render=render.color,
                        avatar_mask=render.mask, pose=pose))
        result.check_matches(frames)
        return result
