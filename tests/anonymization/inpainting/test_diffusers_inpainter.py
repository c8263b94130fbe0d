"""DiffusersInpainter with a tiny random-weight pipeline saved to disk."""
import json
import os

import numpy as np
import pytest

from mmprivact.anonymization.inpainting import DiffusersInpainter, \
    build_inpainter

# Building the fixture imports diffusers (~5 s on the CI CPU).
pytestmark = pytest.mark.slow

EMBED_DIM = 16


@pytest.fixture(scope='module')
def tiny_model_dir(tmp_path_factory):
    """A StableDiffusionInpaintPipeline directory without text encoder or
    tokenizer (prompt given as embeddings), plus an embeddings file."""
    torch = pytest.importorskip('torch')
    diffusers = pytest.importorskip('diffusers')
    torch.manual_seed(0)
    unet = diffusers.UNet2DConditionModel(
        sample_size=8, in_channels=9, out_channels=4,
        block_out_channels=(8, 16), layers_per_block=1,
        down_block_types=('DownBlock2D', 'CrossAttnDownBlock2D'),
        up_block_types=('CrossAttnUpBlock2D', 'UpBlock2D'),
        cross_attention_dim=EMBED_DIM, norm_num_groups=4,
        attention_head_dim=4)
    vae = diffusers.AutoencoderKL(
        block_out_channels=[8, 16], in_channels=3, out_channels=3,
        down_block_types=['DownEncoderBlock2D'] * 2,
        up_block_types=['UpDecoderBlock2D'] * 2, latent_channels=4,
        norm_num_groups=4, sample_size=16)
    pipe = diffusers.StableDiffusionInpaintPipeline(
        vae=vae, text_encoder=None, tokenizer=None, unet=unet,
        scheduler=diffusers.DDIMScheduler(steps_offset=1), safety_checker=None,
        feature_extractor=None, requires_safety_checker=False)
    root = tmp_path_factory.mktemp('sd_inpaint')
    model_dir = root / 'model'
    pipe.save_pretrained(str(model_dir))
    embeds = root / 'prompt.pt'
    torch.save(torch.randn(1, 5, EMBED_DIM), str(embeds))
    np.save(str(root / 'prompt.npy'), np.random.RandomState(0).randn(
        5, EMBED_DIM).astype(np.float32))
    return model_dir, embeds, root / 'prompt.npy'


def clip_with_hole():
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)  # not x8
    frames = np.stack([frame, frame, frame[::-1]])
    hole = np.zeros(frames.shape[:3], bool)
    hole[:2, 6:14, 8:20] = True
    hole[2, 2:9, 3:12] = True
    return frames, hole


def test_outside_unchanged_deterministic_and_consistent(tiny_model_dir):
    model_dir, embeds, _ = tiny_model_dir
    cfg = dict(type='DiffusersInpainter', model_dir=str(model_dir),
               prompt_embeds=str(embeds), seed=3, num_inference_steps=2,
               guidance_scale=1.0, batch_size=2)
    inpainter = build_inpainter(cfg)
    frames, hole = clip_with_hole()
    out = inpainter(frames, hole)
    assert out.dtype == np.uint8 and out.shape == frames.shape
    np.testing.assert_array_equal(out[~hole], frames[~hole])
    assert (out[hole] != frames[hole]).any()
    # Same seed -> same result, also from a freshly loaded pipeline.
    np.testing.assert_array_equal(out, inpainter(frames, hole))
    np.testing.assert_array_equal(out, build_inpainter(cfg)(frames, hole))
    # Identical frames with identical holes get identical fills (same noise
    # for every frame, also across batches).
    np.testing.assert_array_equal(out[0], out[1])
    single = DiffusersInpainter(str(model_dir), prompt_embeds=str(embeds),
                                seed=3, num_inference_steps=2,
                                guidance_scale=1.0, batch_size=1)
    np.testing.assert_array_equal(single(frames[:1], hole[:1]), out[:1])
    # A different seed gives a different fill.
    other = DiffusersInpainter(str(model_dir), prompt_embeds=str(embeds),
                               seed=4, num_inference_steps=2,
                               guidance_scale=1.0)
    assert (other(frames[:1], hole[:1]) != out[:1]).any()


def test_npy_embeds_and_explicit_size(tiny_model_dir):
    model_dir, _, npy = tiny_model_dir
    inpainter = DiffusersInpainter(str(model_dir), prompt_embeds=str(npy),
                                   num_inference_steps=2, strength=0.5,
                                   guidance_scale=1.0, size=(16, 24))
    frames, hole = clip_with_hole()
    out = inpainter(frames[2:], hole[2:])
    np.testing.assert_array_equal(out[~hole[2:]], frames[2:][~hole[2:]])


def test_missing_or_incomplete_dir_names_path_and_files(tiny_model_dir,
                                                        tmp_path):
    model_dir, embeds, _ = tiny_model_dir
    missing = tmp_path / 'nowhere'
    with pytest.raises(FileNotFoundError,
                       match=r"nowhere.*model_index\.json.*unet/config"):
        DiffusersInpainter(str(missing), prompt_embeds=str(embeds))
    # A text prompt needs the text encoder and tokenizer, absent here.
    with pytest.raises(FileNotFoundError,
                       match=r"lacks \['text_encoder/config.json', "
                       r"'tokenizer/'\]"):
        DiffusersInpainter(str(model_dir), prompt='an empty room')
    # So does classifier-free guidance without negative embeddings.
    with pytest.raises(FileNotFoundError, match='tokenizer'):
        DiffusersInpainter(str(model_dir), prompt_embeds=str(embeds),
                           guidance_scale=7.5)
    broken = tmp_path / 'broken'
    broken.mkdir()
    (broken / 'model_index.json').write_text(json.dumps({}))
    with pytest.raises(FileNotFoundError, match=r"broken.*vae/config\.json"):
        DiffusersInpainter(str(broken), prompt_embeds=str(embeds))
    with pytest.raises(FileNotFoundError, match='prompt_embeds'):
        DiffusersInpainter(str(model_dir),
                           prompt_embeds=os.path.join(str(tmp_path), 'x.pt'),
                           guidance_scale=1.0)
    with pytest.raises(ValueError, match='strength'):
        DiffusersInpainter(str(model_dir), prompt_embeds=str(embeds),
                           strength=0)
