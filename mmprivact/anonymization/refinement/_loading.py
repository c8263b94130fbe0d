"""Private loaders: Stable Diffusion (+ ControlNet) from local directories."""
import json
import os
from typing import Any, Dict

SD_REQUIRED = ('model_index.json', 'unet/config.json', 'vae/config.json',
               'scheduler/scheduler_config.json')
SD_FOR_PROMPT = ('text_encoder/config.json', 'tokenizer/')
CONTROLNET_REQUIRED = ('config.json', )
CONTROLNET_WEIGHTS = ('diffusion_pytorch_model.safetensors',
                      'diffusion_pytorch_model.bin')
# Pipeline components that may be absent (null in model_index.json).
_OPTIONAL = ('text_encoder', 'tokenizer', 'feature_extractor', 'image_encoder',
             'safety_checker')


def _check_dir(arg: str, path: Any, expected, hint: str) -> None:
    if not isinstance(path, (str, os.PathLike)) or not os.path.isdir(path):
        raise FileNotFoundError(f'`{arg}` {path!r} is not a directory. '
                                f'{hint}')
    missing = [f for f in expected
               if not os.path.exists(os.path.join(path, f))]
    if missing:
        raise FileNotFoundError(f'`{arg}` {str(path)!r} lacks {missing}. '
                                f'{hint}')


def load_sd_pipeline(pipeline_name: str, model_dir: Any, uses_text: bool,
                     torch_dtype: Any, device: str,
                     **components: Any) -> Any:
    """Check a Stable Diffusion directory, then load a pipeline offline.

    Args:
        pipeline_name (str): diffusers pipeline class name.
        model_dir (str): Directory written by ``save_pretrained`` of any
            Stable Diffusion pipeline with a 4-channel (non-inpainting) UNet.
        uses_text (bool): Whether the text encoder and tokenizer are needed.
        torch_dtype (torch.dtype): Weights dtype.
        device (str): Torch device.
        **components: Extra components (e.g. ``controlnet``).

    Returns:
        diffusers.DiffusionPipeline: The pipeline, progress bar off.
    """
    expected = SD_REQUIRED + (SD_FOR_PROMPT if uses_text else ())
    hint = (f'Expected a local Stable Diffusion pipeline directory (written '
            f'by save_pretrained) containing {list(expected)}' +
            ('' if uses_text else
             '; text_encoder/ and tokenizer/ are only needed for a text '
             'prompt or classifier-free guidance without '
             'negative_prompt_embeds') + '.')
    _check_dir('model_dir', model_dir, expected, hint)
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
    if pipe.unet.config.in_channels != 4:
        raise ValueError(
            f'The UNet in {str(model_dir)!r} has in_channels='
            f'{pipe.unet.config.in_channels}; refinement (img2img) needs a '
            f'plain text-to-image UNet with 4 (an inpainting UNet has 9). '
            f'Use a non-inpainting checkpoint.')
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
    _check_dir('controlnet_dir', controlnet_dir, CONTROLNET_REQUIRED, hint)
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
