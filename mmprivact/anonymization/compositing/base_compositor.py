"""The compositing stage interface: merge the avatar into the background."""
from abc import ABCMeta, abstractmethod
from typing import Optional, Tuple

import numpy as np

from ..array_checks import check_depth, check_frames, check_mask


class BaseCompositor(metaclass=ABCMeta):
    """Merge a rendered avatar into the person-free background.

    ``background`` must be the *inpainted* clip, i.e. with the real person
    already removed (see :mod:`mmprivact.anonymization.inpainting`). The
    compositor only decides where the avatar is drawn; wherever it is not,
    the background shows, so the old silhouette is replaced everywhere,
    including where the avatar's body does not cover it. Passing the
    original frames instead would leave the real person visible around the
    avatar.

    Subclasses implement :meth:`composite`; :meth:`__call__` checks shapes
    and dtypes first.
    """

    def __call__(
        self,
        background: np.ndarray,
        avatar_rgb: np.ndarray,
        avatar_depth: np.ndarray,
        avatar_mask: np.ndarray,
        scene_depth: Optional[np.ndarray] = None,
        occluder_mask: Optional[np.ndarray] = None,
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Composite the avatar over the background.

        Args:
            background (np.ndarray): uint8 (T, H, W, 3), person removed.
            avatar_rgb (np.ndarray): uint8 (T, H, W, 3) rendered avatar.
            avatar_depth (np.ndarray): float (T, H, W) avatar depth in metres,
                ``np.inf`` where nothing was rendered.
            avatar_mask (np.ndarray): bool (T, H, W), True where the avatar
                was rendered.
            scene_depth (np.ndarray, optional): float (T, H, W) depth of the
                scene in metres (``np.inf`` = far, NaN = unknown, no
                occlusion). None: no depth test.
            occluder_mask (np.ndarray, optional): bool (T, H, W), True where
                a scene object is known to be in front of the person.

        Returns:
            tuple[np.ndarray, np.ndarray]: anonymized frames uint8
            (T, H, W, 3) and ``non_sensitive`` bool (T, H, W), True where
            the synthetic avatar is shown.
        """
        check_frames('background', background)
        shape = background.shape[:3]
        check_frames('avatar_rgb', avatar_rgb)
        if avatar_rgb.shape != background.shape:
            raise ValueError(f'`avatar_rgb` must have the shape of '
                             f'`background` {background.shape}; got '
                             f'{avatar_rgb.shape}.')
        check_depth('avatar_depth', avatar_depth, shape)
        check_mask('avatar_mask', avatar_mask, shape)
        if scene_depth is not None:
            check_depth('scene_depth', scene_depth, shape)
        if occluder_mask is not None:
            check_mask('occluder_mask', occluder_mask, shape)
        return self.composite(background, avatar_rgb, avatar_depth,
                              avatar_mask, scene_depth, occluder_mask)

    @abstractmethod
    def composite(
        self,
        background: np.ndarray,
        avatar_rgb: np.ndarray,
        avatar_depth: np.ndarray,
        avatar_mask: np.ndarray,
        scene_depth: Optional[np.ndarray],
        occluder_mask: Optional[np.ndarray],
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Backend work on checked inputs; see :meth:`__call__`."""
