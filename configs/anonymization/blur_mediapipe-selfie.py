# Baseline: Gaussian blur of the person (MediaPipe selfie segmentation).
# Blurred pixels are still computed from the real person, so the privacy
# mask is all False (nothing non-sensitive).
anonymizer = dict(
    type='ObfuscationAnonymizer',
    segmenter=dict(type='MediaPipeSelfieSegmenter'),
    obfuscator=dict(type='GaussianBlurObfuscator', sigma=8.0, dilate=4))
