"""Stable Diffusion inpainting (diffusers) from a local model directory."""
from typing import Optional, Sequence

import cv2
import numpy as np

from ..diffusers_common import (batch_kwargs, check_sampling_args,
                                check_size, default_prompt, load_sd_pipeline,
                                prompt_call_kwargs, round8, uses_text_encoder)
from ..array_checks import check_non_negative_int
from .base_inpainter import BaseInpainter
from .registry import INPAINTERS


@INPAINTERS.register()
class DiffusersInpainter(BaseInpainter):
    """Inpaint each frame with ``StableDiffusionInpaintPipeline``.

    The pipeline is loaded from a user-given *local* directory (the layout
    written by ``pipeline.save_pretrained``) with ``local_files_only=True``;
    nothing is downloaded and the safety checker is off. Frames are resized
    to a multiple of 8 (or to ``size``), inpainted and resized back, and the
    result is copied only into the hole, so all other pixels are unchanged.
    Every frame uses the same noise (a generator re-seeded with ``seed`` per
    frame), which keeps a static background consistent from frame to frame.

    The prompt is either ``prompt_embeds`` (a ``.pt``/``.pth`` tensor or a
    ``.npy`` array of shape (1, L, D) or (L, D); then no tokenizer or text
    encoder is needed) or a ``prompt`` string (then ``text_encoder/`` and
    ``tokenizer/`` must be in the directory). Classifier-free guidance
    (``guidance_scale > 1``) also needs a negative prompt: either
    ``negative_prompt_embeds`` or a text encoder and tokenizer.

    Args:
        model_dir (str): Local pipeline directory with ``model_index.json``,
            ``unet/``, ``vae/`` and ``scheduler/``.
        prompt (str, optional): Text prompt. Defaults to ``'background'``
            when no ``prompt_embeds`` is given.
        prompt_embeds (str, optional): File with precomputed embeddings.
        negative_prompt (str, optional): Negative text prompt.
        negative_prompt_embeds (str, optional): File with precomputed
            negative embeddings (same shape as ``prompt_embeds``).
        seed (int): Noise seed, identical for every frame. Defaults to 0.
        num_inference_steps (int): Denoising steps. Defaults to 25.
        strength (float): In (0, 1]; 1 ignores the hole's original content.
            Defaults to 1.0.
        guidance_scale (float): Classifier-free guidance; <= 1 disables it.
            Defaults to 7.5.
        size (tuple[int, int], optional): (height, width) the model runs at,
            multiples of 8. None rounds the frame size to the nearest
            multiple of 8. Defaults to None.
        batch_size (int): Frames per pipeline call. Defaults to 1.
        device (str): Torch device. Defaults to ``'cpu'``.
        dtype (str): ``'float32'``, ``'float16'`` or ``'bfloat16'``.
            Defaults to ``'float32'``.
        dilate (int): Grow the hole by this many pixels first. Defaults to 0.
    """

    def __init__(self,
                 model_dir: str,
                 prompt: Optional[str] = None,
                 prompt_embeds: Optional[str] = None,
                 negative_prompt: Optional[str] = None,
                 negative_prompt_embeds: Optional[str] = None,
                 seed: int = 0,
                 num_inference_steps: int = 25,
                 strength: float = 1.0,
                 guidance_scale: float = 7.5,
                 size: Optional[Sequence[int]] = None,
                 batch_size: int = 1,
                 device: str = 'cpu',
                 dtype: str = 'float32',
                 dilate: int = 0) -> None:
        super().__init__(dilate=dilate)
        import torch  # lazy: keep `import mmprivact.anonymization` light

        prompt = default_prompt(prompt, prompt_embeds, 'background')
        check_sampling_args(strength, num_inference_steps, batch_size, dtype)
        self.size = None if size is None else check_size(size)
        self.model_dir = model_dir
        self.seed = check_non_negative_int('seed', seed)
        self.num_inference_steps = num_inference_steps
        self.strength = float(strength)
        self.guidance_scale = float(guidance_scale)
        self.batch_size = batch_size
        self.device = device
        self.torch_dtype = getattr(torch, dtype)

        self.pipe = load_sd_pipeline(
            'StableDiffusionInpaintPipeline', model_dir,
            uses_text_encoder(prompt, self.guidance_scale,
                              negative_prompt_embeds), self.torch_dtype,
            device, unet_in_channels=9)
        self._call_kwargs = prompt_call_kwargs(prompt, prompt_embeds,
                                               negative_prompt,
                                               negative_prompt_embeds,
                                               self.torch_dtype, device)

    def inpaint(self, frames: np.ndarray, hole: np.ndarray) -> np.ndarray:
        """Run the pipeline on every frame that has a hole.

        Args:
            frames (np.ndarray): uint8 (T, H, W, 3).
            hole (np.ndarray): bool (T, H, W).

        Returns:
            np.ndarray: uint8 (T, H, W, 3).
        """
        import torch
        from PIL import Image

        height, width = frames.shape[1:3]
        run_h, run_w = self.size or (round8(height), round8(width))
        out = frames.copy()
        todo = [t for t in range(frames.shape[0]) if hole[t].any()]
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start:start + self.batch_size]
            images = [
                Image.fromarray(cv2.resize(frames[t], (run_w, run_h),
                                           interpolation=cv2.INTER_AREA))
                for t in batch
            ]
            # Area resize + "any coverage" threshold: a model pixel is in the
            # hole if any hole pixel maps to it, so no part of the person is
            # handed to the model as known content (nearest could drop thin
            # parts of the hole).
            masks = [
                Image.fromarray(
                    (cv2.resize(hole[t].astype(np.float32), (run_w, run_h),
                                interpolation=cv2.INTER_AREA) > 0).astype(
                                    np.uint8) * 255) for t in batch
            ]
            kwargs = batch_kwargs(self._call_kwargs, len(batch))
            # One generator per image, all with the same seed: identical
            # initial noise for every frame.
            generators = [
                torch.Generator(self.device).manual_seed(self.seed)
                for _ in batch
            ]
            with torch.no_grad():
                result = self.pipe(
                    image=images, mask_image=masks, height=run_h,
                    width=run_w, num_inference_steps=self.num_inference_steps,
                    strength=self.strength, guidance_scale=self.guidance_scale,
                    generator=generators, output_type='np', **kwargs).images
            for t, image in zip(batch, result):
                image = np.clip(np.rint(image * 255), 0, 255).astype(np.uint8)
                out[t] = cv2.resize(image, (width, height),
                                    interpolation=cv2.INTER_CUBIC)
        return out

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(model_dir={self.model_dir!r}, '
                f'seed={self.seed}, num_inference_steps='
                f'{self.num_inference_steps}, strength={self.strength}, '
                f'guidance_scale={self.guidance_scale}, size={self.size}, '
                f'dilate={self.dilate})')
