# The default, offline avatar anonymizer: nothing but installed packages.
#
#   python tools/anonymize_videos.py INPUT OUT_DIR \
#       --config configs/anonymization/avatar_mediapipe-pose_default-body.py
#
# pose: MediaPipe BlazePose (bundled in mediapipe 0.10.21; one person per
#       video), One-Euro smoothing, camera from a 60 degree field of view
# body: the license-free default SMPL-H-format body, fitted to the joints;
#       the avatar's shape and clothes are drawn per video from `seed`
# person mask: the pose model's segmentation, grown by `person_dilate`
# background: temporal median where the person is absent (static camera),
#       OpenCV inpainting where the pixel is never seen
# merge: depth-aware blend with a 2-pixel feathered edge; no refinement
#
# For the official SMPL-H model set body_model=dict(model_path='PATH')
# (a folder with SMPLH_NEUTRAL.npz / SMPLH_MALE.npz / ...).
anonymizer = dict(
    type='AvatarAnonymizer',
    pose=dict(type='MediaPipePoseEstimator',
              smoothing=dict(type='OneEuro', min_cutoff=1.0, beta=0.05)),
    segmenter='from_pose',
    body_model=dict(model_path=None),
    fitter=dict(type='JointFitter'),
    renderer=dict(type='PyrenderRenderer'),
    inpainter=dict(type='TemporalBackgroundInpainter',
                   fallback=dict(type='OpenCVInpainter')),
    compositor=dict(type='DepthAwareCompositor', feather=2),
    refiner=None,
    seed=0,
    person_dilate=4)
