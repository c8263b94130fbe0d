# Baseline: pixelation of the person (MediaPipe selfie segmentation).
# Privacy mask all False: the blocks are averages of real pixels.
anonymizer = dict(
    type='ObfuscationAnonymizer',
    segmenter=dict(type='MediaPipeSelfieSegmenter'),
    obfuscator=dict(type='PixelateObfuscator', block_size=12, dilate=4))
