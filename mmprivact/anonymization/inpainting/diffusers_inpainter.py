"""Stable Diffusion inpainting (diffusers) from a local model directory."""
import json
import os
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

from ._masks import check_non_negative_int
from .base_inpainter import BaseInpainter
from .registry import INPAINTERS

_REQUIRED = ('model_index.json', 'unet/config.json', 'vae/config.json',
             'scheduler/scheduler_config.json')
_FOR_PROMPT = ('text_encoder/config.json', 'tokenizer/')
# Pipeline components that may be absent (null in model_index.json).
_OPTIONAL = ('text_encoder', 'tokenizer', 'feature_extractor', 'image_encoder',
             'safety_checker')


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

        if prompt is not None and prompt_embeds is not None:
            raise ValueError('Give either `prompt` or `prompt_embeds`, not '
                             'both.')
        if prompt_embeds is None and prompt is None:
            prompt = 'background'
        if not (isinstance(strength, (int, float)) and 0 < strength <= 1):
            raise ValueError(f'`strength` must be in (0, 1]; got '
                             f'{strength!r}.')
        if isinstance(num_inference_steps, bool) or not isinstance(
                num_inference_steps, int) or \
                num_inference_steps * strength < 1:
            raise ValueError(
                f'`num_inference_steps` must be an int with '
                f'num_inference_steps * strength >= 1; got '
                f'{num_inference_steps!r} (strength={strength}).')
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) \
                or batch_size < 1:
            raise ValueError(f'`batch_size` must be a positive int; got '
                             f'{batch_size!r}.')
        if dtype not in ('float32', 'float16', 'bfloat16'):
            raise ValueError(f"`dtype` must be 'float32', 'float16' or "
                             f"'bfloat16'; got {dtype!r}.")
        self.size = None if size is None else _check_size(size)
        self.model_dir = model_dir
        self.seed = check_non_negative_int('seed', seed)
        self.num_inference_steps = num_inference_steps
        self.strength = float(strength)
        self.guidance_scale = float(guidance_scale)
        self.batch_size = batch_size
        self.device = device
        self.torch_dtype = getattr(torch, dtype)

        uses_text = prompt is not None or (
            self.guidance_scale > 1 and negative_prompt_embeds is None)
        self.pipe = _load_pipeline(model_dir, uses_text, self.torch_dtype,
                                   device)
        self._call_kwargs = {}
        if prompt is not None:
            self._call_kwargs['prompt'] = prompt
        else:
            self._call_kwargs['prompt_embeds'] = _load_embeds(
                'prompt_embeds', prompt_embeds, self.torch_dtype, device)
        if negative_prompt_embeds is not None:
            self._call_kwargs['negative_prompt_embeds'] = _load_embeds(
                'negative_prompt_embeds', negative_prompt_embeds,
                self.torch_dtype, device)
        elif negative_prompt is not None:
            self._call_kwargs['negative_prompt'] = negative_prompt

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
        run_h, run_w = self.size or (_round8(height), _round8(width))
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
            kwargs = dict(self._call_kwargs)
            if 'prompt' in kwargs:
                kwargs['prompt'] = [kwargs['prompt']] * len(batch)
                if 'negative_prompt' in kwargs:
                    kwargs['negative_prompt'] = \
                        [kwargs['negative_prompt']] * len(batch)
            else:
                kwargs['prompt_embeds'] = kwargs['prompt_embeds'].expand(
                    len(batch), -1, -1)
            if 'negative_prompt_embeds' in kwargs:
                kwargs['negative_prompt_embeds'] = kwargs[
                    'negative_prompt_embeds'].expand(len(batch), -1, -1)
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


def _round8(n: int) -> int:
    return max(8, int(round(n / 8)) * 8)


def _check_size(size: Sequence[int]) -> Tuple[int, int]:
    if len(size) != 2 or any(
            isinstance(s, bool) or not isinstance(s, (int, np.integer))
            or s <= 0 or s % 8 for s in size):
        raise ValueError(f'`size` must be (height, width), positive '
                         f'multiples of 8; got {size!r}.')
    return int(size[0]), int(size[1])


def _load_pipeline(model_dir: str, uses_text: bool, torch_dtype, device: str):
    """Check the directory layout, then load the pipeline offline."""
    expected = _REQUIRED + (_FOR_PROMPT if uses_text else ())
    hint = (f'Expected a local StableDiffusionInpaintPipeline directory '
            f'(written by save_pretrained) containing {list(expected)}'
            + ('' if uses_text else
               '; text_encoder/ and tokenizer/ are only needed for a text '
               'prompt or classifier-free guidance without '
               'negative_prompt_embeds') + '.')
    if not isinstance(model_dir, (str, os.PathLike)) or \
            not os.path.isdir(model_dir):
        raise FileNotFoundError(
            f'`model_dir` {model_dir!r} is not a directory. {hint}')
    missing = [f for f in expected
               if not os.path.exists(os.path.join(model_dir, f))]
    if missing:
        raise FileNotFoundError(f'`model_dir` {str(model_dir)!r} lacks '
                                f'{missing}. {hint}')
    with open(os.path.join(model_dir, 'model_index.json')) as f:
        index = json.load(f)
    # Components saved as null (or not saved) must be passed as None, or
    # from_pretrained refuses to build the pipeline.
    absent = {
        name: None
        for name in _OPTIONAL
        if not isinstance(index.get(name), list) or None in index[name]
    }
    absent['safety_checker'] = None

    from diffusers import StableDiffusionInpaintPipeline
    try:
        pipe = StableDiffusionInpaintPipeline.from_pretrained(
            model_dir, local_files_only=True, dtype=torch_dtype,
            requires_safety_checker=False, **absent)
    except (OSError, ValueError, KeyError) as err:
        raise ValueError(f'Could not load a StableDiffusionInpaintPipeline '
                         f'from {str(model_dir)!r}: {err}. {hint}') from err
    if pipe.unet.config.in_channels != 9:
        raise ValueError(
            f'The UNet in {str(model_dir)!r} has in_channels='
            f'{pipe.unet.config.in_channels}; an inpainting UNet has 9 '
            f'(latents + mask + masked-image latents). Use an inpainting '
            f'checkpoint.')
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)


def _load_embeds(name: str, path: str, torch_dtype, device: str):
    """Load (1, L, D) prompt embeddings from a .pt/.pth or .npy file."""
    import torch
    if not isinstance(path, (str, os.PathLike)) or not os.path.isfile(path):
        raise FileNotFoundError(f'`{name}` file {path!r} does not exist; '
                                f'expected a .pt/.pth tensor or .npy array '
                                f'of shape (1, L, D).')
    if str(path).endswith('.npy'):
        embeds = torch.from_numpy(np.load(path))
    elif str(path).endswith(('.pt', '.pth')):
        embeds = torch.load(path, map_location='cpu', weights_only=True)
    else:
        raise ValueError(f'`{name}` file {path!r} must end in .pt, .pth or '
                         f'.npy.')
    if not isinstance(embeds, torch.Tensor) or embeds.ndim not in (2, 3) or \
            (embeds.ndim == 3 and embeds.shape[0] != 1):
        got = tuple(embeds.shape) if isinstance(embeds, torch.Tensor) \
            else type(embeds).__name__
        raise ValueError(f'`{name}` in {path!r} must be a tensor of shape '
                         f'(1, L, D) or (L, D); got {got}.')
    if embeds.ndim == 2:
        embeds = embeds[None]
    return embeds.to(device=device, dtype=torch_dtype)
