"""The body-model stage interface: 3D joints in, a posed body mesh out."""
from abc import ABCMeta, abstractmethod
from typing import Optional, Union

import numpy as np

from .body_fit_result import BodyFitResult
from .joint_maps import JointLayout


class BaseBodyFitter(metaclass=ABCMeta):
    """Fits a parametric body to a sequence of 3D joints."""

    @abstractmethod
    def __call__(self,
                 joints3d: np.ndarray,
                 layout: Union[str, JointLayout],
                 confidence: Optional[np.ndarray] = None,
                 valid: Optional[np.ndarray] = None) -> BodyFitResult:
        """Fit one person's joint sequence.

        Args:
            joints3d (np.ndarray): (T, J, 3) joints in OpenCV camera
                coordinates (metres).
            layout (str | JointLayout): The joints' layout, see
                :mod:`.joint_maps`.
            confidence (np.ndarray, optional): (T, J) per-joint confidence
                in [0, 1]; defaults to ones.
            valid (np.ndarray, optional): (T,) bool; frames marked False are
                interpolated from their neighbours. Defaults to all True.

        Returns:
            BodyFitResult: The fitted sequence.
        """
