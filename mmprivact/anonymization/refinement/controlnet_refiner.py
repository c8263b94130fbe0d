"""Diffusion refinement guided by a ControlNet (e.g. on the avatar render)."""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from ..diffusers_common import load_controlnet, load_sd_pipeline
from .diffusers_img2img_refiner import DiffusersImg2ImgRefiner
from .registry import REFINERS


@REFINERS.register()
class ControlNetRefiner(DiffusersImg2ImgRefiner):
    """Refine with ``StableDiffusionControlNetImg2ImgPipeline``.

    Like :class:`DiffusersImg2ImgRefiner` (same crops, noise, temporal
    blend, prompt handling and paste-back), plus a ``ControlNetModel``
    loaded from the local ``controlnet_dir`` (the layout of
    ``ControlNetModel.save_pretrained``). ``__call__`` then requires
    ``control``: a uint8 (T, H, W, 3) sequence such as the avatar's colour
    render or its depth map as RGB, in the format the ControlNet was
    trained on. It is cut with the same crop as the frame and resized to
    the model resolution.

    Args:
        model_dir (str): Local Stable Diffusion pipeline directory.
        controlnet_dir (str): Local ControlNet directory with
            ``config.json`` and ``diffusion_pytorch_model.safetensors`` (or
            ``.bin``); its ``cross_attention_dim`` must match the UNet's.
        controlnet_conditioning_scale (float): Weight of the ControlNet
            residuals. Defaults to 1.0.
        **kwargs: Any other argument of :class:`DiffusersImg2ImgRefiner`.
    """

    requires_control = True
    _pipeline_name = 'StableDiffusionControlNetImg2ImgPipeline'

    def __init__(self, model_dir: str, controlnet_dir: str,
                 controlnet_conditioning_scale: float = 1.0,
                 **kwargs: Any) -> None:
        if isinstance(controlnet_conditioning_scale, bool) or not isinstance(
                controlnet_conditioning_scale, (int, float)):
            raise ValueError(f'`controlnet_conditioning_scale` must be a '
                             f'number; got {controlnet_conditioning_scale!r}.')
        self.controlnet_dir = controlnet_dir
        self.controlnet_conditioning_scale = float(
            controlnet_conditioning_scale)
        super().__init__(model_dir, **kwargs)

    def _load_pipeline(self, uses_text: bool) -> Any:
        # Check the ControlNet first: it is the cheaper load.
        controlnet = load_controlnet(self.controlnet_dir, self.torch_dtype)
        pipe = load_sd_pipeline(self._pipeline_name, self.model_dir,
                                uses_text, self.torch_dtype, self.device,
                                unet_in_channels=4, controlnet=controlnet)
        got = controlnet.config.cross_attention_dim
        want = pipe.unet.config.cross_attention_dim
        if got != want:
            raise ValueError(
                f'The ControlNet in {str(self.controlnet_dir)!r} has '
                f'cross_attention_dim={got} but the UNet in '
                f'{str(self.model_dir)!r} has {want}; use a ControlNet '
                f'trained for this base model.')
        return pipe

    def _extra_kwargs(self, control_crops: Optional[List[np.ndarray]],
                      run_hw: Sequence[int]) -> Dict[str, Any]:
        from PIL import Image
        return dict(
            control_image=[Image.fromarray(c) for c in control_crops],
            height=run_hw[0], width=run_hw[1],
            controlnet_conditioning_scale=self.controlnet_conditioning_scale)

    def __repr__(self) -> str:
        return (super().__repr__()[:-1] +
                f', controlnet_dir={self.controlnet_dir!r}, '
                f'controlnet_conditioning_scale='
                f'{self.controlnet_conditioning_scale})')
