"""The output of a body fitter."""
from dataclasses import dataclass

import numpy as np


@dataclass
class BodyFitResult:
    """SMPL-H fitted to a joint sequence, in camera and model coordinates.

    The pose parameters live in SMPL's world frame (y up); a point ``x``
    of the posed model maps to OpenCV camera coordinates as
    ``camera_from_world @ x`` (a fixed 180 degree rotation about x).

    Attributes:
        vertices (np.ndarray): (T, V, 3) float32 mesh, camera coordinates.
        joints (np.ndarray): (T, 52, 3) float32 SMPL-H joints, camera
            coordinates.
        faces (np.ndarray): (F, 3) int64 triangles.
        betas (np.ndarray): (num_betas,) shape shared by the sequence.
        global_orient (np.ndarray): (T, 3) root axis-angle (world frame).
        body_pose (np.ndarray): (T, 63) axis-angle of joints 1..21.
        transl (np.ndarray): (T, 3) translation (world frame).
        camera_from_world (np.ndarray): (3, 3) rotation world -> camera.
        residual (np.ndarray): (T,) mean distance in metres between the
            fitted and the given joints (mapped, confident ones); NaN for
            frames that were interpolated.
        fitted (np.ndarray): (T,) bool, True where the frame was fitted to
            data, False where it was interpolated from neighbours.
    """

    vertices: np.ndarray
    joints: np.ndarray
    faces: np.ndarray
    betas: np.ndarray
    global_orient: np.ndarray
    body_pose: np.ndarray
    transl: np.ndarray
    camera_from_world: np.ndarray
    residual: np.ndarray
    fitted: np.ndarray

    @property
    def num_frames(self) -> int:
        """int: Number of frames T."""
        return int(self.vertices.shape[0])
