"""SMPL-H through ``smplx``: the official files from a user path, or our
license-free default body (:mod:`.default_body`)."""
import contextlib
import io
import logging
import os.path as osp
from typing import List, Optional, Tuple

import numpy as np
import torch

from .default_body import DefaultBodyGenerator, default_cache_dir
from .smplh_pickle import convert_smplh_pickle
from .smplh_topology import (LANDMARK_VERTEX_IDS, NUM_BODY_JOINTS, NUM_JOINTS,
                             SMPLH_PARENTS)

logger = logging.getLogger(__name__)

_GENDERS = ('neutral', 'male', 'female')


def _candidate_files(root: str, gender: str) -> List[str]:
    """Files we accept for ``gender`` under a folder, in preference order."""
    g = gender.upper()
    names = [
        f'SMPLH_{g}.npz', f'SMPLH_{g}.pkl', f'smplh/SMPLH_{g}.npz',
        f'smplh/SMPLH_{g}.pkl', f'{gender}/model.npz',
        f'smplh/{gender}/model.npz'
    ]
    return [osp.join(root, n) for n in names]


def _rodrigues(aa: torch.Tensor) -> torch.Tensor:
    """(..., 3) axis-angle -> (..., 3, 3) rotation matrices."""
    angle = torch.sqrt((aa * aa).sum(-1, keepdim=True) + 1e-16)
    axis = aa / angle
    x, y, z = axis.unbind(-1)
    zero = torch.zeros_like(x)
    k = torch.stack([zero, -z, y, z, zero, -x, -y, x, zero],
                    -1).reshape(aa.shape[:-1] + (3, 3))
    s, c = torch.sin(angle)[..., None], torch.cos(angle)[..., None]
    eye = torch.eye(3, dtype=aa.dtype, device=aa.device)
    return eye + s * k + (1 - c) * (k @ k)


class SMPLHBodyModel(torch.nn.Module):
    """An SMPL-H body (52 joints) posed with axis-angle parameters.

    Args:
        model_path (str, optional): The official SMPL-H model: a file
            (``.npz``/``.pkl``) or a folder holding ``SMPLH_{GENDER}.npz``
            (or ``.pkl``, possibly under ``smplh/``) or the AMASS layout
            ``{gender}/model.npz``; a ``.pkl`` is read without chumpy
            (:mod:`.smplh_pickle`). ``None`` uses the license-free default
            body, generated into ``cache_dir`` on first use.
        gender (str): ``'neutral'``, ``'male'`` or ``'female'``. The
            default body has one (neutral) shape.
        num_betas (int): Shape coefficients used (at most what the file has;
            ``smplx`` caps at 10 for models with fewer than 300).
        device (str | torch.device): Where the buffers live.
        cache_dir (str, optional): Cache folder of the default body.

    World frame: SMPL's (metres, y up, the rest body faces +z, +x is the
    body's left).
    """

    def __init__(self,
                 model_path: Optional[str] = None,
                 gender: str = 'neutral',
                 num_betas: int = 10,
                 device='cpu',
                 cache_dir: Optional[str] = None) -> None:
        super().__init__()
        if gender not in _GENDERS:
            raise ValueError(f'gender must be one of {_GENDERS}; got '
                             f'{gender!r}.')
        if not isinstance(num_betas, int) or num_betas < 1:
            raise ValueError(f'num_betas must be a positive int; got '
                             f'{num_betas!r}.')
        if model_path is None:
            if gender != 'neutral':
                logger.warning(
                    'The default body is gender-neutral; ignoring '
                    'gender=%r (give model_path for the official '
                    'SMPL-H).', gender)
            path = DefaultBodyGenerator(cache_dir).ensure()
        else:
            path = self._resolve(model_path, gender)
        self.model_file = path
        self.is_default_body = model_path is None
        if path.endswith('.pkl'):
            # The official pickles need chumpy; read them safely without it.
            path = convert_smplh_pickle(
                path, osp.join(cache_dir or default_cache_dir(), 'converted'))
            logger.info('Read %s without chumpy, as %s.', self.model_file,
                        path)
        import smplx  # lazy: heavy optional dependency
        ext = 'npz'
        # smplx prints (not logs) a warning for models with < 300 betas.
        with contextlib.redirect_stdout(io.StringIO()):
            self.smplx_model = smplx.SMPLH(path,
                                           ext=ext,
                                           gender=gender,
                                           num_betas=num_betas,
                                           use_pca=False,
                                           flat_hand_mean=True,
                                           batch_size=1)
        self.num_betas = self.smplx_model.num_betas
        self._prepare_fast_path()
        self.to(device)

    @staticmethod
    def _resolve(model_path: str, gender: str) -> str:
        if not isinstance(model_path, str) or not model_path:
            raise TypeError(f'model_path must be a path string or None; got '
                            f'{model_path!r}.')
        if osp.isfile(model_path):
            return model_path
        if osp.isdir(model_path):
            for cand in _candidate_files(model_path, gender):
                if osp.isfile(cand):
                    return cand
        expected = [
            osp.relpath(c, model_path)
            for c in _candidate_files(model_path, gender)
        ]
        raise FileNotFoundError(
            f'model_path={model_path!r}: no SMPL-H model found for gender '
            f'{gender!r}. Give the model file itself, or a folder containing '
            f'one of {expected} (the official SMPL-H from '
            f'https://mano.is.tue.mpg.de, converted to .npz if it needs '
            f'chumpy), or model_path=None for the license-free default body.')

    def _prepare_fast_path(self) -> None:
        """Precompute what :meth:`keypoints` needs (joints and landmarks).

        With flat hands every hand joint moves rigidly with its wrist, so
        only the 22 body joints need forward kinematics and the landmarks'
        hand weights fold into the wrists (exact, not an approximation).
        """
        m = self.smplx_model
        # float64: the fitter's Gauss-Newton steps need the precision.
        jreg, vt = m.J_regressor.double(), m.v_template.double()
        sd = m.shapedirs.double()
        self.register_buffer('j_template', jreg @ vt, False)
        self.register_buffer('j_shapedirs',
                             torch.einsum('jv,vcs->jcs', jreg, sd), False)
        ids = torch.as_tensor(LANDMARK_VERTEX_IDS)
        self.register_buffer('lm_template', vt[ids], False)
        self.register_buffer('lm_shapedirs', sd[ids], False)
        cols = (ids[:, None] * 3 + torch.arange(3)[None]).reshape(-1)
        nb = NUM_BODY_JOINTS - 1
        self.register_buffer('lm_posedirs', m.posedirs[:9 * nb, cols].double(),
                             False)
        w = m.lbs_weights[ids].double()
        body_w = w[:, :NUM_BODY_JOINTS].clone()
        body_w[:, 20] += w[:, 22:37].sum(1)
        body_w[:, 21] += w[:, 37:52].sum(1)
        self.register_buffer('lm_weights', body_w, False)
        wrist = torch.as_tensor([20] * 15 + [21] * 15)
        self.register_buffer('_hand_wrist', wrist, False)
        depth = [0] * NUM_BODY_JOINTS
        for j in range(1, NUM_BODY_JOINTS):
            depth[j] = depth[SMPLH_PARENTS[j]] + 1
        self._levels = [[j for j in range(NUM_BODY_JOINTS) if depth[j] == d]
                        for d in range(max(depth) + 1)]

    @property
    def faces(self) -> np.ndarray:
        """np.ndarray: (F, 3) int64 triangle vertex indices."""
        return np.asarray(self.smplx_model.faces, dtype=np.int64)

    @property
    def num_vertices(self) -> int:
        """int: Number of mesh vertices V."""
        return int(self.smplx_model.v_template.shape[0])

    @property
    def lbs_weights(self) -> torch.Tensor:
        """torch.Tensor: (V, 52) skinning weights."""
        return self.smplx_model.lbs_weights

    @property
    def v_template(self) -> torch.Tensor:
        """torch.Tensor: (V, 3) rest vertices (mean shape)."""
        return self.smplx_model.v_template

    def _check(self, betas, global_orient, body_pose, transl):
        b = global_orient.shape[0]
        shapes = dict(betas=(betas, self.num_betas),
                      global_orient=(global_orient, 3),
                      body_pose=(body_pose, 3 * (NUM_BODY_JOINTS - 1)),
                      transl=(transl, 3))
        for name, (t, n) in shapes.items():
            if not torch.is_tensor(t) or t.ndim != 2 or t.shape[1] != n or \
                    t.shape[0] != b:
                got = tuple(t.shape) if torch.is_tensor(t) else type(t)
                raise ValueError(f'{name} must be a tensor of shape ({b}, {n})'
                                 f'; got {got}.')

    def _cast(self, *tensors: torch.Tensor, dtype=None) -> List[torch.Tensor]:
        dtype = dtype or self.smplx_model.v_template.dtype
        return [t.to(dtype) for t in tensors]

    def forward(
        self,
        betas: torch.Tensor,
        global_orient: torch.Tensor,
        body_pose: torch.Tensor,
        transl: torch.Tensor,
        hand_pose: Optional[torch.Tensor] = None
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Posed mesh and joints.

        Args:
            betas (torch.Tensor): (B, num_betas) shape.
            global_orient (torch.Tensor): (B, 3) root axis-angle, rotating
                about the rest pelvis.
            body_pose (torch.Tensor): (B, 63) axis-angle of joints 1..21.
            transl (torch.Tensor): (B, 3) translation.
            hand_pose (torch.Tensor, optional): (B, 90) axis-angle of the left
                then right hand joints; ``None`` = flat hands.

        Returns:
            tuple[torch.Tensor, torch.Tensor]: vertices (B, V, 3) and joints
            (B, 52, 3) in SMPL's world frame.
        """
        self._check(betas, global_orient, body_pose, transl)
        betas, global_orient, body_pose, transl = self._cast(
            betas, global_orient, body_pose, transl)
        b = betas.shape[0]
        if hand_pose is None:
            hand_pose = betas.new_zeros(b, 90)
        hand_pose = hand_pose.to(betas.dtype)
        if hand_pose.shape != (b, 90):
            raise ValueError(f'hand_pose must have shape ({b}, 90); got '
                             f'{tuple(hand_pose.shape)}.')
        out = self.smplx_model(betas=betas,
                               global_orient=global_orient,
                               body_pose=body_pose,
                               left_hand_pose=hand_pose[:, :45],
                               right_hand_pose=hand_pose[:, 45:],
                               transl=transl)
        return out.vertices, out.joints[:, :NUM_JOINTS]

    def keypoints(self, betas: torch.Tensor, global_orient: torch.Tensor,
                  body_pose: torch.Tensor,
                  transl: torch.Tensor) -> torch.Tensor:
        """The 52 joints and 21 landmarks (flat hands), without the mesh.

        Equal to ``forward``'s joints plus smplx's landmark vertices, but
        only the kinematic chain and 21 vertices are computed (in float64,
        differentiable and ``torch.func``-transformable), which makes
        fitting fast.

        Args:
            betas (torch.Tensor): (B, num_betas).
            global_orient (torch.Tensor): (B, 3).
            body_pose (torch.Tensor): (B, 63).
            transl (torch.Tensor): (B, 3).

        Returns:
            torch.Tensor: (B, 73, 3) float64 keypoints (see
            :data:`~.smplh_topology.KEYPOINT_NAMES`).
        """
        self._check(betas, global_orient, body_pose, transl)
        betas, global_orient, body_pose, transl = self._cast(
            betas, global_orient, body_pose, transl, dtype=torch.float64)
        b, nb = betas.shape[0], NUM_BODY_JOINTS
        joints = self.j_template + torch.einsum('jcs,bs->bjc',
                                                self.j_shapedirs, betas)
        pose = torch.cat([global_orient, body_pose], 1)
        rot = _rodrigues(pose.reshape(b, nb, 3))
        parents = torch.as_tensor(SMPLH_PARENTS[1:nb], device=betas.device)
        rel = torch.cat([joints[:, :1], joints[:, 1:nb] - joints[:, parents]],
                        1)
        # Forward kinematics one tree level at a time (8 steps, not 22).
        g_rot: List[torch.Tensor] = [rot[:, 0]]
        g_pos: List[torch.Tensor] = [rel[:, 0]]
        slots = [0] * nb
        for lvl in self._levels[1:]:
            par = [slots[SMPLH_PARENTS[j]] for j in lvl]
            pr = torch.stack([g_rot[i] for i in par], 1)
            pp = torch.stack([g_pos[i] for i in par], 1)
            r = pr @ rot[:, lvl]
            p = pp + (pr @ rel[:, lvl, :, None])[..., 0]
            for k, j in enumerate(lvl):
                slots[j] = len(g_rot) + k
            g_rot += list(r.unbind(1))
            g_pos += list(p.unbind(1))
        g_rot = torch.stack([g_rot[slots[j]] for j in range(nb)], 1)
        g_pos = torch.stack([g_pos[slots[j]] for j in range(nb)], 1)
        # Flat hands: hand joints are rigid offsets of their wrist.
        w_rot = g_rot[:, self._hand_wrist]
        hand = g_pos[:, self._hand_wrist] + (w_rot @ (
            joints[:, nb:] - joints[:, self._hand_wrist])[..., None])[..., 0]
        joints = joints[:, :nb]
        # Landmarks: linear blend skinning of 21 vertices.
        eye = torch.eye(3, dtype=rot.dtype, device=rot.device)
        feat = (rot[:, 1:] - eye).reshape(b, -1)
        lm = (self.lm_template +
              torch.einsum('lcs,bs->blc', self.lm_shapedirs, betas) +
              (feat @ self.lm_posedirs).reshape(b, -1, 3))
        t = g_pos - (g_rot @ joints[..., None])[..., 0]
        rw = torch.einsum('lj,bjcd->blcd', self.lm_weights, g_rot)
        tw = torch.einsum('lj,bjc->blc', self.lm_weights, t)
        lm = (rw @ lm[..., None])[..., 0] + tw
        return torch.cat([g_pos, hand, lm], 1) + transl[:, None]
