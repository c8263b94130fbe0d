"""Diffusion refiners with tiny random-weight models saved to disk."""
import json
import string

import numpy as np
import pytest

from mmprivact.anonymization.array_checks import dilate_masks
from mmprivact.anonymization.refinement import ControlNetRefiner, \
    DiffusersImg2ImgRefiner, build_refiner

# Every test needs the tiny models; building them imports diffusers (~3-6 s
# on the CI CPU, charged to the first test that runs).
pytestmark = pytest.mark.slow

EMBED_DIM = 16
FAST = dict(num_inference_steps=4, strength=0.5, guidance_scale=1.0)


@pytest.fixture(scope='module')
def tiny_dirs(tmp_path_factory):
    """An img2img pipeline directory without text encoder or tokenizer, a
    matching ControlNet directory and a prompt-embeddings file."""
    torch = pytest.importorskip('torch')
    diffusers = pytest.importorskip('diffusers')
    torch.manual_seed(0)
    blocks = dict(block_out_channels=(8, 16), layers_per_block=1,
                  down_block_types=('DownBlock2D', 'CrossAttnDownBlock2D'),
                  cross_attention_dim=EMBED_DIM, norm_num_groups=4,
                  attention_head_dim=4)
    unet = diffusers.UNet2DConditionModel(
        sample_size=8, in_channels=4, out_channels=4,
        up_block_types=('CrossAttnUpBlock2D', 'UpBlock2D'), **blocks)
    vae = diffusers.AutoencoderKL(
        block_out_channels=[8, 16], in_channels=3, out_channels=3,
        down_block_types=['DownEncoderBlock2D'] * 2,
        up_block_types=['UpDecoderBlock2D'] * 2, latent_channels=4,
        norm_num_groups=4, sample_size=16)
    pipe = diffusers.StableDiffusionImg2ImgPipeline(
        vae=vae, text_encoder=None, tokenizer=None, unet=unet,
        scheduler=diffusers.DDIMScheduler(steps_offset=1, clip_sample=False),
        safety_checker=None,
        feature_extractor=None, requires_safety_checker=False)
    # The VAE downsamples by 2, so the ControlNet's conditioning embedding
    # must too (two stages).
    controlnet = diffusers.ControlNetModel(
        in_channels=4, conditioning_embedding_out_channels=(4, 8), **blocks)
    # ControlNet's output convolutions start at zero (no effect on the
    # UNet); randomise them so the control image matters.
    with torch.no_grad():
        for param in controlnet.parameters():
            if not param.any():
                param.normal_(0, 0.5)
    root = tmp_path_factory.mktemp('sd_refine')
    pipe.save_pretrained(str(root / 'model'))
    controlnet.save_pretrained(str(root / 'controlnet'))
    torch.save(torch.randn(1, 5, EMBED_DIM), str(root / 'prompt.pt'))
    # The same pipeline with a tiny character-level CLIP tokenizer and text
    # encoder, for text prompts (transformers 5 needs from_pretrained(dir)).
    transformers = pytest.importorskip('transformers')
    tok_dir = root / 'vocab'
    tok_dir.mkdir()
    tokens = ['<|startoftext|>', '<|endoftext|>'] + list(
        string.ascii_lowercase) + [c + '</w>' for c in string.ascii_lowercase]
    vocab = {token: i for i, token in enumerate(tokens)}
    (tok_dir / 'vocab.json').write_text(json.dumps(vocab))
    (tok_dir / 'merges.txt').write_text('#version: 0.2\n')
    pipe.tokenizer = transformers.CLIPTokenizer.from_pretrained(
        str(tok_dir), model_max_length=16)
    pipe.text_encoder = transformers.CLIPTextModel(
        transformers.CLIPTextConfig(
            vocab_size=len(vocab), hidden_size=EMBED_DIM,
            intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
            max_position_embeddings=16, bos_token_id=0, eos_token_id=1,
            pad_token_id=1))
    pipe.register_to_config(
        tokenizer=('transformers', 'CLIPTokenizer'),
        text_encoder=('transformers', 'CLIPTextModel'))
    pipe.save_pretrained(str(root / 'model_text'))
    return root


def img2img(root, **kwargs):
    cfg = dict(type='DiffusersImg2ImgRefiner', model_dir=str(root / 'model'),
               prompt_embeds=str(root / 'prompt.pt'), **FAST)
    cfg.update(kwargs)
    return build_refiner(cfg)


def clip():
    """Frames 0 and 1 identical; frame 2 is frame 0 shifted by (3, 5),
    region included; frame 3 has no region."""
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    region = np.zeros((48, 64), bool)
    region[18:30, 24:34] = True
    frames = np.stack([frame, frame, np.roll(frame, (3, 5), (0, 1)), frame])
    regions = np.stack([region, region, np.roll(region, (3, 5), (0, 1)),
                        np.zeros_like(region)])
    return frames, regions


def test_outside_unchanged_deterministic_consistent(tiny_dirs):
    refiner = img2img(tiny_dirs, seed=3, dilate=2, feather=2)
    frames, region = clip()
    out = refiner(frames, region)
    assert out.dtype == np.uint8 and out.shape == frames.shape
    grown = dilate_masks(region, 2)
    np.testing.assert_array_equal(out[~grown], frames[~grown])
    assert (out[region] != frames[region]).mean() > 0.5
    # Same seed -> same output, also from a freshly loaded model.
    np.testing.assert_array_equal(out, refiner(frames, region))
    np.testing.assert_array_equal(out, img2img(tiny_dirs, seed=3, dilate=2,
                                               feather=2)(frames, region))
    # Same noise for every frame: identical frames give identical results,
    # and since the crop follows the region, a shifted frame gives the
    # same refined pixels, shifted.
    np.testing.assert_array_equal(out[0], out[1])
    np.testing.assert_array_equal(out[2][grown[2]], out[0][grown[0]])
    # Batching does not change the noise.
    np.testing.assert_array_equal(
        out, img2img(tiny_dirs, seed=3, dilate=2, feather=2,
                     batch_size=3)(frames, region))
    # A different seed gives a different result.
    other = img2img(tiny_dirs, seed=4, dilate=2, feather=2)(frames, region)
    assert (other[region] != out[region]).any()
    np.testing.assert_array_equal(other[~grown], frames[~grown])


def test_small_region_in_large_frame_runs_at_size(tiny_dirs):
    refiner = img2img(tiny_dirs, size=(32, 24), dilate=1, feather=1)
    calls = []
    run = refiner._run
    refiner._run = lambda images, *a: calls.append(images[0].shape) or run(
        images, *a)
    frames = np.full((1, 240, 320, 3), 90, np.uint8)
    region = np.zeros((1, 240, 320), bool)
    region[0, 100:112, 200:206] = True
    out = refiner(frames, region)
    assert calls == [(32, 24, 3)]  # the crop, not the 240x320 frame
    grown = dilate_masks(region, 1)
    np.testing.assert_array_equal(out[~grown], frames[~grown])
    assert (out[region] != 90).any()


def test_temporal_blend_is_an_ema_of_refined_crops(tiny_dirs):
    rng = np.random.default_rng(1)
    # The crop covers the whole 32x32 frame: no resizing, so the EMA can be
    # checked against the unblended outputs (up to uint8 rounding).
    frames = rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    region = np.zeros((3, 32, 32), bool)
    region[:, 4:28, 4:28] = True
    plain = img2img(tiny_dirs, dilate=0, feather=0)(frames, region)
    a = 0.4
    blended = img2img(tiny_dirs, dilate=0, feather=0,
                      temporal_blend=a)(frames, region)
    np.testing.assert_array_equal(blended[0], plain[0])
    expected = plain[0].astype(float)
    for t in (1, 2):
        expected = (1 - a) * plain[t] + a * expected
        err = np.abs(blended[t][region[t]] - expected[region[t]])
        assert err.max() <= 1.5, err.max()
    assert (blended[2] != plain[2]).any()
    np.testing.assert_array_equal(blended[~region], frames[~region])


def test_empty_region_never_runs_the_model(tiny_dirs):
    refiner = img2img(tiny_dirs)

    def fail(*args, **kwargs):
        raise AssertionError('the pipeline must not run')

    refiner.pipe = fail
    frames, region = clip()
    out = refiner(frames, np.zeros_like(region))
    np.testing.assert_array_equal(out, frames)
    assert out is not frames
    with pytest.raises(AssertionError, match='must not run'):
        refiner(frames, region)


def test_controlnet_runs_and_follows_control(tiny_dirs):
    cfg = dict(type='ControlNetRefiner', model_dir=str(tiny_dirs / 'model'),
               controlnet_dir=str(tiny_dirs / 'controlnet'),
               prompt_embeds=str(tiny_dirs / 'prompt.pt'), seed=1, **FAST)
    refiner = build_refiner(cfg)
    frames, region = clip()
    frames, region = frames[:2], region[:2]
    control = np.zeros_like(frames)
    control[region] = 255
    out = refiner(frames, region, control)
    grown = dilate_masks(region, refiner.dilate)
    np.testing.assert_array_equal(out[~grown], frames[~grown])
    assert (out[region] != frames[region]).any()
    np.testing.assert_array_equal(out, refiner(frames, region, control))
    np.testing.assert_array_equal(out[0], out[1])
    other_control = np.random.default_rng(2).integers(
        0, 256, frames.shape, dtype=np.uint8)
    other = refiner(frames, region, other_control)
    assert (other[region] != out[region]).any()
    with pytest.raises(ValueError, match=r'needs `control`.*got None'):
        refiner(frames, region)
    with pytest.raises(ValueError, match='control'):
        refiner(frames, region, control[:, :10])


def test_errors_name_paths_and_expected_files(tiny_dirs, tmp_path):
    embeds = str(tiny_dirs / 'prompt.pt')
    with pytest.raises(FileNotFoundError,
                       match=r"nowhere.*model_index\.json.*unet/config"):
        DiffusersImg2ImgRefiner(str(tmp_path / 'nowhere'),
                                prompt_embeds=embeds, guidance_scale=1.0)
    # A text prompt (the default) needs the text encoder and tokenizer.
    with pytest.raises(FileNotFoundError,
                       match=r"lacks \['text_encoder/config.json', "
                       r"'tokenizer/'\]"):
        DiffusersImg2ImgRefiner(str(tiny_dirs / 'model'))
    with pytest.raises(FileNotFoundError, match='tokenizer'):
        DiffusersImg2ImgRefiner(str(tiny_dirs / 'model'),
                                prompt_embeds=embeds, guidance_scale=7.5)
    with pytest.raises(FileNotFoundError,
                       match=r"`controlnet_dir` .*nocn.*config\.json.*"
                       r"diffusion_pytorch_model"):
        ControlNetRefiner(str(tiny_dirs / 'model'), str(tmp_path / 'nocn'),
                          prompt_embeds=embeds, guidance_scale=1.0)
    (tmp_path / 'empty_cn').mkdir()
    (tmp_path / 'empty_cn' / 'config.json').write_text('{}')
    with pytest.raises(FileNotFoundError, match='empty_cn.*no weights'):
        ControlNetRefiner(str(tiny_dirs / 'model'), str(tmp_path / 'empty_cn'),
                          prompt_embeds=embeds, guidance_scale=1.0)
    with pytest.raises(FileNotFoundError, match='prompt_embeds'):
        DiffusersImg2ImgRefiner(str(tiny_dirs / 'model'),
                                prompt_embeds=str(tmp_path / 'x.pt'),
                                guidance_scale=1.0)
    for bad in (dict(strength=0), dict(temporal_blend=1.0), dict(pad=-1),
                dict(size=(30, 32)), dict(num_inference_steps=1,
                                          strength=0.5)):
        with pytest.raises(ValueError, match=next(iter(bad))):
            DiffusersImg2ImgRefiner(str(tiny_dirs / 'model'),
                                    prompt_embeds=embeds,
                                    guidance_scale=1.0, **bad)


def test_text_prompt_with_guidance(tiny_dirs):
    model_dir = str(tiny_dirs / 'model_text')
    frames, region = clip()
    frames, region = frames[:2], region[:2]
    # Default prompt ('a photo of a person'), classifier-free guidance.
    refiner = DiffusersImg2ImgRefiner(model_dir, num_inference_steps=4,
                                      strength=0.5, guidance_scale=5.0)
    assert refiner.pipe.tokenizer('ab').input_ids == [0, 2, 29, 1]
    out = refiner(frames, region)
    grown = dilate_masks(region, refiner.dilate)
    np.testing.assert_array_equal(out[~grown], frames[~grown])
    np.testing.assert_array_equal(out[0], out[1])
    np.testing.assert_array_equal(out, refiner(frames, region))
    other = DiffusersImg2ImgRefiner(model_dir, prompt='a statue',
                                    negative_prompt='blur',
                                    num_inference_steps=4, strength=0.5,
                                    guidance_scale=5.0)(frames, region)
    assert (other[region] != out[region]).any()
