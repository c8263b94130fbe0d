# The offline avatar anonymizer for clips with several people: every person
# MediaPipe finds (up to `max_people` per frame) gets their own avatar.
#
#   python tools/anonymize_videos.py INPUT OUT_DIR \
#       --config configs/anonymization/avatar_mediapipe-multipose_default-body.py
#
# Differs from avatar_mediapipe-pose_default-body.py only in the pose stage:
# MediaPipe Tasks' PoseLandmarker (the same bundled BlazePose networks, made
# into a Tasks bundle offline) finds several people per frame, and
# PoseTracker links them into tracks; each track gets an avatar of its own
# (shape and clothes drawn from `seed` and the track's index). Detection
# thresholds are lower than MediaPipe's 0.5, which misses a second person
# in many frames. About 12 ms per frame slower than the single-person pose.
anonymizer = dict(
    type='AvatarAnonymizer',
    pose=dict(type='MediaPipeMultiPoseEstimator',
              max_people=4,
              min_detection_confidence=0.3,
              min_presence_confidence=0.3,
              min_track_frames=3,
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
