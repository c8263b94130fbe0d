"""Fit SMPL-H to a sequence of 3D joints: Levenberg-Marquardt in torch."""
from typing import Mapping, Optional, Union

import numpy as np
import torch

from .base_body_fitter import BaseBodyFitter
from .body_fit_result import BodyFitResult
from .joint_maps import JointLayout, get_joint_layout
from .registry import BODY_FITTERS
from .smplh_body_model import SMPLHBodyModel

#: OpenCV camera (y down, z forward) <-> SMPL world (y up, body faces +z):
#: a 180 degree turn about x, its own inverse. A body with zero orientation
#: then stands upright facing the camera.
CAMERA_FROM_WORLD = np.diag([1.0, -1.0, -1.0])
_TORSO = (0, 1, 2, 3, 6, 9, 12, 13, 14, 16, 17)
_UNIT = 0.01  # the data term is measured in centimetres


def _kabsch(src: np.ndarray, dst: np.ndarray, w: np.ndarray):
    """Weighted rigid fit ``dst ~ R @ src + t``; None if degenerate."""
    if (w > 0).sum() < 3:
        return None
    w = w / w.sum()
    cs, cd = w @ src, w @ dst
    h = ((src - cs) * w[:, None]).T @ (dst - cd)
    u, s, vt = np.linalg.svd(h)
    if s[1] < 1e-6:  # collinear points: rotation undetermined
        return None
    d = np.sign(np.linalg.det(vt.T @ u.T))
    rot = vt.T @ np.diag([1.0, 1.0, d]) @ u.T
    return rot, cd - rot @ cs


def _slerp_axis_angle(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Interpolate rotations given as (..., 3) axis-angle arrays."""
    from scipy.spatial.transform import Rotation
    qa = Rotation.from_rotvec(a.reshape(-1, 3)).as_quat()
    qb = Rotation.from_rotvec(b.reshape(-1, 3)).as_quat()
    qb *= np.where((qa * qb).sum(1, keepdims=True) < 0, -1.0, 1.0)
    ang = np.arccos(np.clip((qa * qb).sum(1, keepdims=True), -1, 1))
    sin = np.sin(ang)
    small = sin < 1e-6
    wa = np.where(small, 1 - t,
                  np.sin((1 - t) * ang) / np.where(small, 1, sin))
    wb = np.where(small, t, np.sin(t * ang) / np.where(small, 1, sin))
    q = wa * qa + wb * qb
    return Rotation.from_quat(
        q / np.linalg.norm(q, axis=1, keepdims=True)).as_rotvec().reshape(
            a.shape)


@BODY_FITTERS.register()
class JointFitter(BaseBodyFitter):
    """SMPL-H fitted to 3D joints: joint error plus pose/shape priors.

    Per frame it optimises ``global_orient``, ``body_pose`` (axis-angle) and
    ``transl``; ``betas`` are shared by the sequence and fitted first on up
    to ``shape_frames`` frames. Frames are then fitted in order, in windows
    of ``window`` frames that start from the previous frame's solution
    (warm start; ``window=1`` is strictly frame by frame) with a temporal
    smoothness term to it. Loss per frame: confidence- and layout-weighted
    squared joint error (cm^2) + ``pose_weight * |theta|^2`` +
    ``limit_weight`` * squared violations of simple knee/elbow hinge limits
    + ``shape_weight * |beta|^2`` + ``smooth_weight`` * squared change from
    the previous frame.

    Args:
        body_model (SMPLHBodyModel | dict, optional): The body, or kwargs of
            :class:`SMPLHBodyModel`; ``None`` = the default body.
        window (int): Frames optimised together (warm-started from the last
            fitted frame).
        iters (int): Levenberg-Marquardt iterations per window.
        first_iters (int): Levenberg-Marquardt iterations of the first window.
        shape_iters (int): Iterations of the shape stage (0: keep ``betas``
            at zero).
        shape_frames (int): Frames used to fit the shape.
        pose_weight (float): Weight of the L2 pose prior.
        limit_weight (float): Weight of the joint-limit penalties.
        shape_weight (float): Weight of the L2 shape prior.
        smooth_weight (float): Weight of the temporal smoothness term.
        tol (float): Stop a window once an iteration lowers the loss by less
            than this fraction.
    """

    def __init__(self,
                 body_model: Union[SMPLHBodyModel, Mapping, None] = None,
                 window: int = 8,
                 iters: int = 5,
                 first_iters: int = 15,
                 shape_iters: int = 10,
                 shape_frames: int = 6,
                 pose_weight: float = 0.1,
                 limit_weight: float = 100.0,
                 shape_weight: float = 5.0,
                 smooth_weight: float = 1.0,
                 tol: float = 1e-3) -> None:
        if body_model is None or isinstance(body_model, Mapping):
            body_model = SMPLHBodyModel(**dict(body_model or {}))
        if not isinstance(body_model, SMPLHBodyModel):
            raise TypeError(f'body_model must be an SMPLHBodyModel, a dict of '
                            f'its arguments or None; got {type(body_model)}.')
        for name, val in dict(window=window,
                              iters=iters,
                              first_iters=first_iters,
                              shape_frames=shape_frames).items():
            if not isinstance(val, int) or val < 1:
                raise ValueError(
                    f'{name} must be a positive int; got {val!r}.')
        self.body_model = body_model
        self.window, self.iters, self.first_iters = window, iters, first_iters
        self.shape_iters, self.shape_frames = shape_iters, shape_frames
        self.tol = tol
        self.weights = dict(pose=pose_weight,
                            limit=limit_weight,
                            shape=shape_weight,
                            smooth=smooth_weight)
        with torch.no_grad():
            self._rest = body_model.keypoints(
                torch.zeros(1, body_model.num_betas), torch.zeros(1, 3),
                torch.zeros(1, 63), torch.zeros(1, 3))[0].numpy()

    # ------------------------------------------------------------ inputs
    @staticmethod
    def _inputs(joints3d, layout, confidence, valid):
        if not isinstance(joints3d, np.ndarray) or joints3d.ndim != 3 or \
                joints3d.shape[2] != 3 or joints3d.shape[1] != \
                layout.num_joints or joints3d.shape[0] == 0:
            got = getattr(joints3d, 'shape', type(joints3d))
            raise ValueError(f'joints3d must be an array of shape (T, '
                             f'{layout.num_joints}, 3) for layout '
                             f'{layout.name!r}; got {got}.')
        t, j = joints3d.shape[:2]
        conf = np.ones(
            (t, j)) if confidence is None else np.asarray(confidence,
                                                          dtype=np.float64)
        if conf.shape != (t, j):
            raise ValueError(f'confidence must have shape {(t, j)}; got '
                             f'{conf.shape}.')
        ok = np.ones(t, bool) if valid is None else np.asarray(valid)
        if ok.shape != (t, ) or ok.dtype != bool:
            raise ValueError(f'valid must be a bool array of shape ({t},); '
                             f'got {ok.dtype} {ok.shape}.')
        finite = np.isfinite(joints3d).all(2)
        w = np.clip(np.nan_to_num(conf), 0, None) * finite \
            * layout.weight_array[None]
        ok = ok & (w.sum(1) > 0)
        if not ok.any():
            raise ValueError('No frame has usable joints: every frame is '
                             'invalid or has zero confidence/NaN on all '
                             'mapped joints.')
        # Work in SMPL's world frame: y up, facing +z.
        world = np.nan_to_num(joints3d.astype(np.float64)) @ CAMERA_FROM_WORLD
        return world, w, ok

    # ------------------------------------------------------------ solver
    def _frame_residual(self, x, betas, target, w, idx):
        """Residuals of one frame: weighted joint error (cm), pose prior and
        hinge limits. ``x`` = (69,) orient, body pose, transl."""
        kp = self.body_model.keypoints(betas[None], x[None, :3], x[None, 3:66],
                                       x[None, 66:])[0]
        data = ((kp[idx] - target) / _UNIT * w.sqrt()[:, None]).reshape(-1)
        p = x[3:66].reshape(21, 3)
        # Knees (joints 4, 5) bend about +x; elbows (18, 19) about -y / +y.
        limits = torch.cat([
            torch.relu(-p[3:5, 0]), p[3:5, 1:].reshape(-1),
            torch.relu(p[17, 1:2]),
            torch.relu(-p[18, 1:2]), p[17:19, 2]
        ])
        return torch.cat([
            data, self.weights['pose']**0.5 * x[3:66],
            self.weights['limit']**0.5 * limits
        ])

    def _solve(self, x, betas, targets, w, idx, iters, prev, fit_betas):
        """Levenberg-Marquardt over a window's frames (and the shape).

        Per-frame Jacobians come from ``torch.func`` (forward mode, vmapped
        over frames); the normal equations couple frames only through the
        smoothness term (block tridiagonal) and the shared ``betas``.
        """
        from torch.func import jacfwd, vmap
        n, d, nb = x.shape[0], x.shape[1], betas.shape[0]
        idx_t = torch.as_tensor(idx)
        res = vmap(self._frame_residual, in_dims=(0, None, 0, 0, None))
        jac = vmap(jacfwd(self._frame_residual,
                          argnums=(0, 1) if fit_betas else 0),
                   in_dims=(0, None, 0, 0, None))
        scale = torch.ones(d, dtype=x.dtype)
        scale[66:] = 10.0  # 10 cm of translation ~ 1 rad in smoothness
        lam_s, lam_b = self.weights['smooth'], self.weights['shape']
        prev_x = None if prev is None else prev.to(x.dtype)

        def cost(x_, b_):
            c = res(x_, b_, targets, w, idx_t).pow(2).sum()
            seq = x_ if prev_x is None else torch.cat([prev_x[None], x_])
            c = c + lam_s * ((seq[1:] - seq[:-1]) * scale).pow(2).sum()
            return c + lam_b * b_.pow(2).sum() * fit_betas

        mu, cur = 1e-3, cost(x, betas)
        size = n * d + nb * fit_betas
        for _ in range(iters):
            r = res(x, betas, targets, w, idx_t)
            jx, jb = jac(x, betas, targets, w, idx_t) if fit_betas else (jac(
                x, betas, targets, w, idx_t), None)
            h = torch.zeros(size, size, dtype=x.dtype)
            g = torch.zeros(size, dtype=x.dtype)
            blocks = jx.transpose(1, 2) @ jx
            gx = (jx.transpose(1, 2) @ r[..., None])[..., 0]
            s2 = lam_s * scale**2
            for t in range(n):
                sl = slice(t * d, (t + 1) * d)
                h[sl, sl] = blocks[t]
                g[sl] = gx[t]
                if t > 0 or prev_x is not None:  # smoothness to frame t-1
                    other = x[t - 1] if t > 0 else prev_x
                    h[sl, sl] += torch.diag(s2)
                    g[sl] += s2 * (x[t] - other)
                    if t > 0:
                        ps = slice((t - 1) * d, t * d)
                        h[ps, ps] += torch.diag(s2)
                        h[sl, ps] -= torch.diag(s2)
                        h[ps, sl] -= torch.diag(s2)
                        g[ps] -= s2 * (x[t] - other)
            if fit_betas:
                jbt = jb.transpose(1, 2)
                h[n * d:, n * d:] = (jbt @ jb).sum(0) + lam_b * torch.eye(nb)
                g[n * d:] = (jbt @ r[..., None])[..., 0].sum(0) + lam_b * betas
                cross = (jx.transpose(1, 2) @ jb).reshape(n * d, nb)
                h[:n * d, n * d:] = cross
                h[n * d:, :n * d] = cross.T
            improved = False
            for _ in range(8):
                step = torch.linalg.solve(
                    h + mu * torch.diag(torch.diagonal(h) + 1e-6), -g)
                x_new = x + step[:n * d].reshape(n, d)
                b_new = betas + step[n * d:] if fit_betas else betas
                new = cost(x_new, b_new)
                if new < cur:
                    improved = cur - new > self.tol * cur
                    x, betas, cur, mu = x_new, b_new, new, max(mu / 3, 1e-9)
                    break
                mu *= 4
            if not improved:
                break
        return x, betas

    def _root_init(self, target: np.ndarray, w: np.ndarray, idx: np.ndarray):
        """Orientation and translation aligning the rest torso (Kabsch)."""
        from scipy.spatial.transform import Rotation
        torso = np.isin(idx, _TORSO) & (w > 0)
        fit = _kabsch(self._rest[idx[torso]], target[torso], w[torso])
        if fit is None:
            sel = w > 0
            return np.zeros(3), (
                w[sel] @ (target[sel] - self._rest[idx[sel]])) / w[sel].sum()
        rot, t = fit
        pelvis = self._rest[0]
        return Rotation.from_matrix(rot).as_rotvec(), t + rot @ pelvis - pelvis

    @staticmethod
    def _stack(orient, pose, transl) -> torch.Tensor:
        """(N, 69) float64 parameter rows: orient, body pose, transl."""
        return torch.as_tensor(np.concatenate(
            [np.asarray(orient),
             np.asarray(pose),
             np.asarray(transl)], 1),
                               dtype=torch.float64)

    # ------------------------------------------------------------ main
    def __call__(self,
                 joints3d: np.ndarray,
                 layout: Union[str, JointLayout],
                 confidence: Optional[np.ndarray] = None,
                 valid: Optional[np.ndarray] = None) -> BodyFitResult:
        """Fit a joint sequence; see :meth:`BaseBodyFitter.__call__`."""
        layout = get_joint_layout(layout)
        world, w, ok = self._inputs(joints3d, layout, confidence, valid)
        mapped = layout.smplh_indices >= 0
        idx = layout.smplh_indices[mapped]
        world, w = world[:, mapped], w[:, mapped]
        frames = np.flatnonzero(ok)
        nb = self.body_model.num_betas
        targets = torch.as_tensor(world, dtype=torch.float64)
        wt = torch.as_tensor(w, dtype=torch.float64)
        betas = torch.zeros(nb, dtype=torch.float64)
        if self.shape_iters > 0:
            keys = frames[np.unique(
                np.linspace(0,
                            len(frames) - 1,
                            min(self.shape_frames,
                                len(frames))).round().astype(int))]
            init = [self._root_init(world[f], w[f], idx) for f in keys]
            x = self._stack([r[0] for r in init], np.zeros((len(keys), 63)),
                            [r[1] for r in init])
            _, betas = self._solve(x, betas, targets[keys], wt[keys], idx,
                                   self.shape_iters, None, True)
        t_all = len(world)
        params = np.zeros((t_all, 69))
        prev, last = None, None
        for start in range(0, len(frames), self.window):
            win = frames[start:start + self.window]
            if last is None:
                o, tr = self._root_init(world[win[0]], w[win[0]], idx)
                x = self._stack(np.repeat(o[None], len(win), 0),
                                np.zeros((len(win), 63)),
                                np.repeat(tr[None], len(win), 0))
            else:
                # Warm start: the last fitted frame, shifted by how far the
                # confident joints moved since then.
                both = np.minimum(w[win], w[last][None])
                shift = np.einsum('tj,tjc->tc', both, world[win] - world[last])
                shift /= np.maximum(both.sum(1, keepdims=True), 1e-9)
                x = torch.as_tensor(np.repeat(params[last][None], len(win), 0),
                                    dtype=torch.float64)
                x[:, 66:] += torch.as_tensor(shift)
            x, _ = self._solve(
                x, betas, targets[win], wt[win], idx,
                self.first_iters if last is None else self.iters, prev, False)
            params[win] = x.numpy()
            prev, last = x[-1], int(win[-1])
        orient, pose = params[:, :3], params[:, 3:66]
        transl = params[:, 66:]
        betas = betas[None]
        self._interpolate(ok, orient, pose, transl)
        return self._result(betas, orient, pose, transl, world, w, idx, ok)

    @staticmethod
    def _interpolate(ok, orient, pose, transl) -> None:
        """Fill frames with ``ok == False`` from the nearest fitted ones."""
        good = np.flatnonzero(ok)
        for f in np.flatnonzero(~ok):
            after = good[good > f]
            before = good[good < f]
            if len(before) == 0 or len(after) == 0:
                src = after[0] if len(before) == 0 else before[-1]
                orient[f], pose[f], transl[f] = orient[src], pose[src], \
                    transl[src]
                continue
            a, b = before[-1], after[0]
            t = (f - a) / (b - a)
            orient[f] = _slerp_axis_angle(orient[a], orient[b], t)
            pose[f] = _slerp_axis_angle(pose[a], pose[b], t)
            transl[f] = (1 - t) * transl[a] + t * transl[b]

    def _result(self, betas, orient, pose, transl, world, w, idx, ok):
        bm = self.body_model
        dtype = bm.v_template.dtype
        n = len(orient)
        verts, joints, keyp = [], [], []
        with torch.no_grad():
            for s in range(0, n, 64):
                sl = slice(s, min(s + 64, n))
                args = [betas.expand(sl.stop - s, -1)] + [
                    torch.as_tensor(x[sl], dtype=dtype)
                    for x in (orient, pose, transl)
                ]
                v, j = bm(*args)
                verts.append(v.numpy())
                joints.append(j.numpy())
                keyp.append(bm.keypoints(*args).numpy())
        betas = betas.to(dtype)
        keyp = np.concatenate(keyp)[:, idx]
        err = np.linalg.norm(keyp - world, axis=2)
        used = w > 0
        residual = np.where(ok,
                            (err * used).sum(1) / np.maximum(used.sum(1), 1),
                            np.nan)
        cam = CAMERA_FROM_WORLD.T  # row vectors: x_cam = x_world @ R^T
        return BodyFitResult(
            vertices=(np.concatenate(verts) @ cam).astype(np.float32),
            joints=(np.concatenate(joints) @ cam).astype(np.float32),
            faces=bm.faces,
            betas=betas[0].numpy().astype(np.float64),
            global_orient=orient,
            body_pose=pose,
            transl=transl,
            camera_from_world=CAMERA_FROM_WORLD.copy(),
            residual=residual,
            fitted=ok.copy())
