"""What the diffusers backends (inpainting, refinement) share: loading
Stable Diffusion pipelines and ControlNets from local directories, checking
the sampling arguments, and the prompt arguments of a pipeline call."""
import json
import os
from typing import Any, Dict, Optional, Sequence, Tuple

import numpy as np

SD_REQUIRED = ('model_index.json', 'unet/config.json', 'vae/config.json',
               'scheduler/scheduler_config.json')
SD_FOR_PROMPT = ('text_encoder/config.json', 'tokenizer/')
CONTROLNET_REQUIRED = ('config.json', )
CONTROLNET_WEIGHTS = ('diffusion_pytorch_model.safetensors',
                      'diffusion_pytorch_model.bin')
# Pipeline components that may be absent (null in model_index.json).
_OPTIONAL = ('text_encoder', 'tokenizer', 'feature_extractor', 'image_encoder',
             'safety_checker')
#: UNet input channels: what each kind of checkpoint has.
_UNET_KINDS = {
    4: 'a plain text-to-image UNet with 4 (an inpainting UNet has 9). Use '
       'a non-inpainting checkpoint.',
    9: 'an inpainting UNet with 9 (latents + mask + masked-image latents). '
       'Use an inpainting checkpoint.',
}
DTYPES = ('float32', 'float16', 'bfloat16')


def check_dir(arg: str, path: Any, expected: Sequence[str],
              hint: str) -> None:
    """Raise unless ``path`` is a directory holding every ``expected`` entry.

    Args:
        arg (str): Argument name, for the message.
        path (str): The directory.
        expected (Sequence[str]): Relative paths that must exist.
        hint (str): What the directory should be, appended to errors.
    """
    if not isinstance(path, (str, os.PathLike)) or not os.path.isdir(path):
        raise FileNotFoundError(f'`{arg}` {path!r} is not a directory. '
                                f'{hint}')
    missing = [f for f in expected
               if not os.path.exists(os.path.join(path, f))]
    if missing:
        raise FileNotFoundError(f'`{arg}` {str(path)!r} lacks {missing}. '
                                f'{hint}')


def load_sd_pipeline(pipeline_name: str, model_dir: Any, uses_text: bool,
                     torch_dtype: Any, device: str, unet_in_channels: int,
                     **components: Any) -> Any:
    """Check a Stable Diffusion directory, then load a pipeline offline.

    Args:
        pipeline_name (str): diffusers pipeline class name.
        model_dir (str): Directory written by ``save_pretrained``.
        uses_text (bool): Whether the text encoder and tokenizer are needed.
        torch_dtype (torch.dtype): Weights dtype.
        device (str): Torch device.
        unet_in_channels (int): The UNet the pipeline needs: 4 (text-to-
            image, img2img) or 9 (inpainting).
        **components: Extra components (e.g. ``controlnet``).

    Returns:
        diffusers.DiffusionPipeline: The pipeline, progress bar off.
    """
    expected = SD_REQUIRED + (SD_FOR_PROMPT if uses_text else ())
    hint = (f'Expected a local {pipeline_name} directory (written by '
            f'save_pretrained) containing {list(expected)}' +
            ('' if uses_text else
             '; text_encoder/ and tokenizer/ are only needed for a text '
             'prompt or classifier-free guidance without '
             'negative_prompt_embeds') + '.')
    check_dir('model_dir', model_dir, expected, hint)
    with open(os.path.join(model_dir, 'model_index.json')) as f:
        index = json.load(f)
    # Components saved as null (or not saved) must be passed as None, or
    # from_pretrained refuses to build the pipeline.
    absent: Dict[str, Any] = {
        name: None
        for name in _OPTIONAL
        if not isinstance(index.get(name), list) or None in index[name]
    }
    absent['safety_checker'] = None
    if not uses_text:
        # Never load a text encoder that no call would use.
        absent.update(text_encoder=None, tokenizer=None)

    import diffusers
    pipeline_cls = getattr(diffusers, pipeline_name)
    try:
        pipe = pipeline_cls.from_pretrained(
            model_dir, local_files_only=True, dtype=torch_dtype,
            requires_safety_checker=False, **absent, **components)
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ValueError(f'Could not load a {pipeline_name} from '
                         f'{str(model_dir)!r}: {err}. {hint}') from err
    if pipe.unet.config.in_channels != unet_in_channels:
        raise ValueError(
            f'The UNet in {str(model_dir)!r} has in_channels='
            f'{pipe.unet.config.in_channels}; {pipeline_name} needs '
            f'{_UNET_KINDS[unet_in_channels]}')
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)


def load_controlnet(controlnet_dir: Any, torch_dtype: Any) -> Any:
    """Check a ControlNet directory, then load the model offline.

    Args:
        controlnet_dir (str): Directory written by
            ``ControlNetModel.save_pretrained``.
        torch_dtype (torch.dtype): Weights dtype.

    Returns:
        diffusers.ControlNetModel: The model.
    """
    hint = (f'Expected a local ControlNetModel directory (written by '
            f'save_pretrained) containing {list(CONTROLNET_REQUIRED)} and '
            f'one of {list(CONTROLNET_WEIGHTS)}.')
    check_dir('controlnet_dir', controlnet_dir, CONTROLNET_REQUIRED, hint)
    if not any(
            os.path.isfile(os.path.join(controlnet_dir, f))
            for f in CONTROLNET_WEIGHTS):
        raise FileNotFoundError(f'`controlnet_dir` {str(controlnet_dir)!r} '
                                f'has no weights file. {hint}')
    from diffusers import ControlNetModel
    try:
        return ControlNetModel.from_pretrained(controlnet_dir,
                                               local_files_only=True,
                                               dtype=torch_dtype)
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ValueError(f'Could not load a ControlNetModel from '
                         f'{str(controlnet_dir)!r}: {err}. {hint}') from err


def check_sampling_args(strength: Any, num_inference_steps: Any,
                        batch_size: Any, dtype: Any) -> None:
    """Raise on arguments no diffusers call can run with.

    Args:
        strength (float): In (0, 1].
        num_inference_steps (int): With ``num_inference_steps * strength >=
            1`` (at least one denoising step).
        batch_size (int): Positive.
        dtype (str): One of :data:`DTYPES`.
    """
    if isinstance(strength, bool) or not isinstance(
            strength, (int, float)) or not 0 < strength <= 1:
        raise ValueError(f'`strength` must be in (0, 1]; got '
                         f'{strength!r}.')
    if isinstance(num_inference_steps, bool) or not isinstance(
            num_inference_steps, int) or \
            num_inference_steps * strength < 1:
        raise ValueError(
            f'`num_inference_steps` must be an int with '
            f'num_inference_steps * strength >= 1 (at least one '
            f'denoising step); got {num_inference_steps!r} '
            f'(strength={strength}).')
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) \
            or batch_size < 1:
        raise ValueError(f'`batch_size` must be a positive int; got '
                         f'{batch_size!r}.')
    if dtype not in DTYPES:
        raise ValueError(f"`dtype` must be 'float32', 'float16' or "
                         f"'bfloat16'; got {dtype!r}.")


def default_prompt(prompt: Optional[str], prompt_embeds: Optional[str],
                   default: str) -> Optional[str]:
    """The text prompt to use: ``default`` when neither form is given.

    Args:
        prompt (str, optional): Text prompt.
        prompt_embeds (str, optional): Embeddings file.
        default (str): Prompt used when both are None.

    Returns:
        str | None: The prompt, or None when embeddings are used.
    """
    if prompt is not None and prompt_embeds is not None:
        raise ValueError('Give either `prompt` or `prompt_embeds`, not '
                         'both.')
    return default if prompt is None and prompt_embeds is None else prompt


def uses_text_encoder(prompt: Optional[str], guidance_scale: float,
                      negative_prompt_embeds: Optional[str]) -> bool:
    """Whether a call needs the text encoder and tokenizer: a text prompt,
    or guidance without precomputed negative embeddings."""
    return prompt is not None or (guidance_scale > 1
                                  and negative_prompt_embeds is None)


def prompt_call_kwargs(prompt: Optional[str], prompt_embeds: Optional[str],
                       negative_prompt: Optional[str],
                       negative_prompt_embeds: Optional[str],
                       torch_dtype: Any, device: str) -> Dict[str, Any]:
    """The prompt arguments of every pipeline call (embeddings loaded).

    Args:
        prompt (str, optional): Text prompt (after :func:`default_prompt`).
        prompt_embeds (str, optional): Embeddings file, used without
            ``prompt``.
        negative_prompt (str, optional): Negative text prompt.
        negative_prompt_embeds (str, optional): Negative embeddings file,
            preferred over ``negative_prompt``.
        torch_dtype (torch.dtype): Dtype of the loaded embeddings.
        device (str): Their device.

    Returns:
        dict: Keyword arguments for one image; see :func:`batch_kwargs`.
    """
    kwargs: Dict[str, Any] = {}
    if prompt is not None:
        kwargs['prompt'] = prompt
    else:
        kwargs['prompt_embeds'] = load_embeds('prompt_embeds', prompt_embeds,
                                              torch_dtype, device)
    if negative_prompt_embeds is not None:
        kwargs['negative_prompt_embeds'] = load_embeds(
            'negative_prompt_embeds', negative_prompt_embeds, torch_dtype,
            device)
    elif negative_prompt is not None:
        kwargs['negative_prompt'] = negative_prompt
    return kwargs


def batch_kwargs(kwargs: Dict[str, Any], n: int) -> Dict[str, Any]:
    """Prompt arguments repeated for a batch of ``n`` images.

    Args:
        kwargs (dict): Output of :func:`prompt_call_kwargs`.
        n (int): Batch size.

    Returns:
        dict: A new dict; the input is not changed.
    """
    kwargs = dict(kwargs)
    if 'prompt' in kwargs:
        kwargs['prompt'] = [kwargs['prompt']] * n
        if 'negative_prompt' in kwargs:
            kwargs['negative_prompt'] = [kwargs['negative_prompt']] * n
    else:
        kwargs['prompt_embeds'] = kwargs['prompt_embeds'].expand(n, -1, -1)
    if 'negative_prompt_embeds' in kwargs:
        kwargs['negative_prompt_embeds'] = kwargs[
            'negative_prompt_embeds'].expand(n, -1, -1)
    return kwargs


def round8(n: float) -> int:
    """Nearest positive multiple of 8 (the VAE's scale factor)."""
    return max(8, int(round(n / 8)) * 8)


def check_size(size: Sequence[int]) -> Tuple[int, int]:
    """``(height, width)``, positive multiples of 8, as ints."""
    if len(size) != 2 or any(
            isinstance(s, bool) or not isinstance(s, (int, np.integer))
            or s <= 0 or s % 8 for s in size):
        raise ValueError(f'`size` must be (height, width), positive '
                         f'multiples of 8; got {size!r}.')
    return int(size[0]), int(size[1])


def load_embeds(name: str, path: str, torch_dtype: Any, device: str) -> Any:
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
