# Baseline: black out the person (MediaPipe selfie segmentation). The
# blacked-out region holds no real pixel: it is the non-sensitive part.
anonymizer = dict(
    type='ObfuscationAnonymizer',
    segmenter=dict(type='MediaPipeSelfieSegmenter'),
    obfuscator=dict(type='BlackoutObfuscator', dilate=4))
