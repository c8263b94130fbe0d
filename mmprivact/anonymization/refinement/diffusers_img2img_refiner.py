"""Diffusion refinement (diffusers img2img) from a local model directory."""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from ..diffusers_common import (batch_kwargs, check_sampling_args,
                                check_size, default_prompt, load_sd_pipeline,
                                prompt_call_kwargs, round8, uses_text_encoder)
from ..array_checks import check_non_negative_int
from ._crops import plan_crops, resize
from .base_refiner import BaseRefiner
from .registry import REFINERS


@REFINERS.register()
class DiffusersImg2ImgRefiner(BaseRefiner):
    """Refine the avatar with ``StableDiffusionImg2ImgPipeline``.

    The pipeline is loaded from a user-given *local* directory (the layout
    of ``pipeline.save_pretrained`` of any non-inpainting Stable Diffusion
    pipeline) with ``local_files_only=True``; nothing is downloaded and the
    safety checker is off.

    **Crops.** Each frame is refined in a crop around its (dilated) region:
    the region's bounding box padded by ``pad`` times its larger side. The
    crop size is the largest such box over the clip (widened to the aspect
    ratio of ``size`` if given) and each frame's crop is centred on its
    region, so a small avatar in a large frame is refined at the model's
    resolution and the model cost does not grow with the frame size. The
    crop is resized to ``size`` (or its own size rounded to a multiple of
    8), refined, resized back and blended in with the feathered weight of
    :class:`BaseRefiner`; pixels outside ``dilate(region, dilate)`` are
    exactly unchanged.

    **Frame-to-frame consistency.** Every frame runs at the same resolution
    with a generator re-seeded with ``seed``, so the VAE sample, the initial
    noise latents (and any scheduler noise) are bitwise identical for every
    frame of a clip and across calls: the noise is drawn once per
    (seed, run size) and reused, and identical crops give identical
    results. Optionally ``temporal_blend = a`` smooths the remaining
    flicker with an exponential moving average of the refined crops,
    ``r'_t = (1 - a) * r_t + a * r'_{t-1}``, taken in crop coordinates (the
    crop follows the region, which roughly compensates the avatar's
    translation) and restarted after a frame with an empty region.
    ``a = 0`` (default) disables it; large ``a`` trails fast motion.

    **Prompt.** Either ``prompt_embeds`` (a ``.pt``/``.pth`` tensor or a
    ``.npy`` array of shape (1, L, D) or (L, D); then no tokenizer or text
    encoder is needed) or a ``prompt`` string (then ``text_encoder/`` and
    ``tokenizer/`` must be in the directory). Classifier-free guidance
    (``guidance_scale > 1``) also needs a negative prompt: either
    ``negative_prompt_embeds`` or a text encoder and tokenizer.

    ``control`` is checked but not used (see :class:`ControlNetRefiner`).

    **Privacy note.** The model sees the whole crop, including real
    background around the avatar, so refined avatar pixels are no longer a
    function of the synthetic content alone. Callers that treat the avatar
    as non-sensitive (MaskDP) should keep that in mind (small ``pad``, low
    ``strength``) or mark the refined region accordingly.

    Args:
        model_dir (str): Local pipeline directory with ``model_index.json``,
            ``unet/``, ``vae/`` and ``scheduler/``.
        prompt (str, optional): Text prompt. Defaults to ``'a photo of a
            person'`` when no ``prompt_embeds`` is given.
        prompt_embeds (str, optional): File with precomputed embeddings.
        negative_prompt (str, optional): Negative text prompt.
        negative_prompt_embeds (str, optional): File with precomputed
            negative embeddings (same shape as ``prompt_embeds``).
        strength (float): In (0, 1]; how far the region may move away from
            the composite. Defaults to 0.3.
        num_inference_steps (int): Denoising steps for ``strength=1``; about
            ``strength * num_inference_steps`` run. Defaults to 20.
        guidance_scale (float): Classifier-free guidance; <= 1 disables it.
            Defaults to 7.5.
        seed (int): Noise seed, identical for every frame. Defaults to 0.
        size (tuple[int, int], optional): (height, width) the model runs
            at, multiples of 8 (e.g. (512, 512) for SD 1.5). None runs at
            the crop size rounded to a multiple of 8. Defaults to None.
        pad (float): Context around the region's box, as a fraction of its
            larger side. Defaults to 0.125.
        dilate (int): Grow the region by this many pixels. Defaults to 4.
        feather (int): Blend band width in pixels. Defaults to 4.
        temporal_blend (float): EMA weight of the previous refined crop, in
            [0, 1). Defaults to 0 (off).
        batch_size (int): Frames per pipeline call. Defaults to 1.
        device (str): Torch device. Defaults to ``'cpu'``.
        dtype (str): ``'float32'``, ``'float16'`` or ``'bfloat16'``.
            Defaults to ``'float32'``.
    """

    _pipeline_name = 'StableDiffusionImg2ImgPipeline'

    def __init__(self,
                 model_dir: str,
                 prompt: Optional[str] = None,
                 prompt_embeds: Optional[str] = None,
                 negative_prompt: Optional[str] = None,
                 negative_prompt_embeds: Optional[str] = None,
                 strength: float = 0.3,
                 num_inference_steps: int = 20,
                 guidance_scale: float = 7.5,
                 seed: int = 0,
                 size: Optional[Sequence[int]] = None,
                 pad: float = 0.125,
                 dilate: int = 4,
                 feather: int = 4,
                 temporal_blend: float = 0.0,
                 batch_size: int = 1,
                 device: str = 'cpu',
                 dtype: str = 'float32') -> None:
        super().__init__(dilate=dilate, feather=feather)
        import torch  # lazy: keep `import mmprivact.anonymization` light

        prompt = default_prompt(prompt, prompt_embeds, 'a photo of a person')
        check_sampling_args(strength, num_inference_steps, batch_size, dtype)
        if isinstance(temporal_blend, bool) or not isinstance(
                temporal_blend, (int, float)) or not 0 <= temporal_blend < 1:
            raise ValueError(f'`temporal_blend` must be in [0, 1) (0 = off); '
                             f'got {temporal_blend!r}.')
        if isinstance(pad, bool) or not isinstance(pad, (int, float)) \
                or pad < 0:
            raise ValueError(f'`pad` must be a non-negative fraction of the '
                             f'region box size; got {pad!r}.')
        self.model_dir = model_dir
        self.size = None if size is None else check_size(size)
        self.seed = check_non_negative_int('seed', seed)
        self.strength = float(strength)
        self.num_inference_steps = num_inference_steps
        self.guidance_scale = float(guidance_scale)
        self.pad = float(pad)
        self.temporal_blend = float(temporal_blend)
        self.batch_size = batch_size
        self.device = device
        self.torch_dtype = getattr(torch, dtype)

        self.pipe = self._load_pipeline(
            uses_text_encoder(prompt, self.guidance_scale,
                              negative_prompt_embeds))
        self._call_kwargs = prompt_call_kwargs(prompt, prompt_embeds,
                                               negative_prompt,
                                               negative_prompt_embeds,
                                               self.torch_dtype, device)

    def _load_pipeline(self, uses_text: bool) -> Any:
        """Load the pipeline (subclasses add components)."""
        return load_sd_pipeline(self._pipeline_name, self.model_dir,
                                uses_text, self.torch_dtype, self.device,
                                unet_in_channels=4)

    def _extra_kwargs(self, control_crops: Optional[List[np.ndarray]],
                      run_hw: Sequence[int]) -> Dict[str, Any]:
        """Per-call pipeline arguments beyond image, prompt and noise."""
        return {}

    def refine(self, frames: np.ndarray, grown: np.ndarray,
               control: Optional[np.ndarray]) -> np.ndarray:
        """Refine each frame's crop around its region (see the class doc).

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3).
            grown (np.ndarray): bool (T, H, W), the dilated region.
            control (np.ndarray, optional): uint8 (T, H, W, 3).

        Returns:
            np.ndarray: uint8 (T, H, W, 3), refined inside the crops.
        """
        crops = plan_crops(grown, self.pad, self.size)
        crop_hw = next(c for c in crops if c is not None)[2:]
        run_hw = self.size or (round8(crop_hw[0]), round8(crop_hw[1]))
        todo = [t for t, c in enumerate(crops) if c is not None]
        outputs: Dict[int, np.ndarray] = {}
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start:start + self.batch_size]
            images = [resize(_cut(frames[t], crops[t]), run_hw)
                      for t in batch]
            controls = None if control is None else [
                resize(_cut(control[t], crops[t]), run_hw) for t in batch
            ]
            for t, image in zip(batch, self._run(images, controls, run_hw)):
                outputs[t] = image

        out = frames.copy()
        ema = None
        for t, crop in enumerate(crops):
            if crop is None:
                ema = None  # the region left the frame: restart the average
                continue
            current = outputs[t]
            if self.temporal_blend > 0:
                ema = current if ema is None else (
                    (1 - self.temporal_blend) * current +
                    self.temporal_blend * ema)
                current = ema
            image = np.clip(np.rint(current * 255), 0, 255).astype(np.uint8)
            top, left, h, w = crop
            out[t, top:top + h, left:left + w] = resize(image, (h, w))
        return out

    def _run(self, images: List[np.ndarray],
             controls: Optional[List[np.ndarray]],
             run_hw: Sequence[int]) -> np.ndarray:
        """One pipeline call; float (B, h, w, 3) in [0, 1]."""
        import torch
        from PIL import Image

        n = len(images)
        kwargs = batch_kwargs(self._call_kwargs, n)
        kwargs.update(self._extra_kwargs(controls, run_hw))
        # One generator per image, all seeded alike: the same noise for
        # every frame (the run size is fixed per clip).
        generators = [
            torch.Generator(self.device).manual_seed(self.seed)
            for _ in range(n)
        ]
        with torch.no_grad():
            result = self.pipe(
                image=[Image.fromarray(im) for im in images],
                num_inference_steps=self.num_inference_steps,
                strength=self.strength, guidance_scale=self.guidance_scale,
                generator=generators, output_type='np', **kwargs).images
        result = np.asarray(result, dtype=np.float32)
        if result.shape != (n, run_hw[0], run_hw[1], 3):
            raise RuntimeError(
                f'{self._pipeline_name} returned images of shape '
                f'{result.shape}; expected {(n, *run_hw, 3)}. Choose `size` '
                f'as a multiple of the VAE scale factor.')
        return result

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(model_dir={self.model_dir!r}, '
                f'strength={self.strength}, num_inference_steps='
                f'{self.num_inference_steps}, guidance_scale='
                f'{self.guidance_scale}, seed={self.seed}, size={self.size}, '
                f'pad={self.pad}, dilate={self.dilate}, feather='
                f'{self.feather}, temporal_blend={self.temporal_blend})')


def _cut(image: np.ndarray, crop) -> np.ndarray:
    top, left, h, w = crop
    return np.ascontiguousarray(image[top:top + h, left:left + w])
