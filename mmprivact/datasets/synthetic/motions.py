"""Actions of the synthetic benchmark: joint trajectories that differ only by
motion.

Every action is a function of time and of per-video nuisance parameters
(speed, phase, amplitude, position, facing direction) drawn from a seeded
generator, so the class cannot be read off any single appearance cue.
"""
from dataclasses import dataclass
from typing import Dict

import numpy as np

from .skeleton import JOINT_INDEX, JOINT_NAMES, BodyProportions

ACTION_NAMES = ('wave', 'clap', 'jump', 'squat', 'walk_left', 'walk_right',
                'turn_around', 'bow')


@dataclass(frozen=True)
class MotionParams:
    """Per-video nuisance parameters of a motion.

    Args:
        freq (float): Cycles per second of the periodic part of the motion.
        phase (float): Phase offset in radians.
        amplitude (float): Multiplier of the motion's angles and heights.
        yaw (float): Facing direction in radians (0 = facing the camera).
        x (float): Lateral position of the pelvis in metres at ``t = 0``.
        depth (float): Distance from the camera in metres.
        turn_sign (float): +1 or -1, turning direction for ``turn_around``.
    """

    freq: float
    phase: float
    amplitude: float
    yaw: float
    x: float
    depth: float
    turn_sign: float


def limb_direction(side: float, abduct: float, flex: float) -> np.ndarray:
    """Unit vector of a limb in the body frame (left, up, forward).

    Args:
        side (float): +1 for the left limb, -1 for the right one.
        abduct (float): Angle away from the body in the frontal plane (rad);
            0 hangs down, pi points up.
        flex (float): Angle towards the front in the sagittal plane (rad);
            negative values point backwards.

    Returns:
        np.ndarray: Shape (3,).
    """
    return np.array([side * np.sin(abduct) * np.cos(flex),
                     -np.cos(abduct) * np.cos(flex), np.sin(flex)])


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


def _rest(side):
    """Relaxed limb directions: (upper arm, forearm, thigh, shin)."""
    return (limb_direction(side, 0.12, 0.0), limb_direction(side, 0.1, 0.1),
            limb_direction(side, 0.03, 0.0), limb_direction(side, 0.03, 0.0))


def _pose(t: float, p: MotionParams, action: str) -> dict:
    """Pose parameters of ``action`` at time ``t`` (seconds)."""
    w = 2 * np.pi * p.freq * t + p.phase
    a = p.amplitude
    pose = dict(x=p.x, jump=0.0, yaw=p.yaw, pitch=0.0,
                limbs={s: list(_rest(s)) for s in (1, -1)})
    limbs = pose['limbs']
    if action == 'wave':
        limbs[-1][0] = limb_direction(-1, np.radians(140), 0.15)
        limbs[-1][1] = limb_direction(
            -1, np.radians(175 + 28 * a * np.sin(w)), 0.1)
    elif action == 'clap':
        spread = 0.55 + 0.45 * a * np.sin(w)
        for s in (1, -1):
            limbs[s][0] = _unit([s * 0.35, -0.55, 0.75])
            limbs[s][1] = _unit([-s * (1.0 - spread), 0.15, 0.9])
    elif action == 'jump':
        up = max(0.0, np.sin(w))
        crouch = max(0.0, -np.sin(w))
        pose['jump'] = 0.3 * a * up
        for s in (1, -1):
            limbs[s][0] = limb_direction(s, np.radians(20 + 130 * up), 0.2)
            limbs[s][1] = limb_direction(s, np.radians(25 + 140 * up), 0.3)
            limbs[s][2] = limb_direction(s, 0.03, np.radians(50 * crouch))
            limbs[s][3] = limb_direction(s, 0.03, -np.radians(45 * crouch))
    elif action == 'squat':
        c = a * 0.5 * (1 - np.cos(w))
        pose['pitch'] = np.radians(25 * c)
        for s in (1, -1):
            limbs[s][0] = limb_direction(s, 0.15, np.radians(85 * c))
            limbs[s][1] = limb_direction(s, 0.1, np.radians(90 * c))
            limbs[s][2] = limb_direction(s, 0.1, np.radians(95 * c))
            limbs[s][3] = limb_direction(s, 0.05, -np.radians(30 * c))
    elif action in ('walk_left', 'walk_right'):
        direction = -1.0 if action == 'walk_left' else 1.0
        pose['x'] = p.x + direction * 0.75 * p.freq / 1.8 * t
        swing = np.radians(28 * a) * np.sin(w)
        for s in (1, -1):
            phase = swing * s
            limbs[s][0] = limb_direction(s, 0.08, -phase * 0.8)
            limbs[s][1] = limb_direction(s, 0.08, -phase * 0.8 + 0.35)
            limbs[s][2] = limb_direction(s, 0.02, phase)
            knee = np.radians(40 * a) * max(0.0, np.sin(w * s + np.pi / 2))
            limbs[s][3] = limb_direction(s, 0.02, phase - knee)
        pose['jump'] = 0.02 * abs(np.sin(w))
    elif action == 'turn_around':
        pose['yaw'] = p.yaw + p.turn_sign * 2 * np.pi * p.freq * 0.45 * t
        for s in (1, -1):
            limbs[s][0] = limb_direction(s, np.radians(30), 0.0)
            limbs[s][1] = limb_direction(s, np.radians(35), 0.2)
    elif action == 'bow':
        pose['pitch'] = np.radians(65 * a) * 0.5 * (1 - np.cos(w))
    else:
        raise ValueError(f'Unknown action {action!r}; expected one of '
                         f'{ACTION_NAMES}.')
    return pose


def _joints_from_pose(body: BodyProportions, pose: dict) -> np.ndarray:
    """World joints (J, 3), y up, of one pose; feet rest on the floor."""
    J = np.zeros((len(JOINT_NAMES), 3))
    ix = JOINT_INDEX
    pitch = pose['pitch']
    up_t = np.array([0.0, np.cos(pitch), np.sin(pitch)])
    J[ix['spine']] = up_t * body.pelvis_to_spine
    J[ix['neck']] = J[ix['spine']] + up_t * body.spine_to_neck
    J[ix['head']] = J[ix['neck']] + up_t * body.neck_to_head
    for s, name in ((1, 'left'), (-1, 'right')):
        upper, fore, thigh, shin = pose['limbs'][s]
        sh = (J[ix['neck']] + np.array([s * body.shoulder_half_width, 0, 0])
              - up_t * body.shoulder_drop)
        J[ix[f'{name}_shoulder']] = sh
        J[ix[f'{name}_elbow']] = sh + upper * body.upper_arm
        J[ix[f'{name}_wrist']] = J[ix[f'{name}_elbow']] + fore * body.forearm
        hip = np.array([s * body.hip_half_width, 0, 0])
        J[ix[f'{name}_hip']] = hip
        J[ix[f'{name}_knee']] = hip + thigh * body.thigh
        J[ix[f'{name}_ankle']] = J[ix[f'{name}_knee']] + shin * body.shin
    ankles = J[[ix['left_ankle'], ix['right_ankle']], 1]
    pelvis_height = body.ankle_height - ankles.min() + pose['jump']
    yaw = pose['yaw']
    # Body frame (left, up, forward) -> world; yaw 0 faces the camera (-z).
    left = np.array([np.cos(yaw), 0.0, -np.sin(yaw)])
    fwd = np.array([-np.sin(yaw), 0.0, -np.cos(yaw)])
    rot = np.stack([left, [0.0, 1.0, 0.0], fwd], axis=0)  # rows: basis
    world = J @ rot
    world += np.array([pose['x'], pelvis_height, 0.0])
    return world


def simulate_action(action: str, body: BodyProportions, params: MotionParams,
                    num_frames: int, fps: float) -> Dict[str, np.ndarray]:
    """Joint trajectories of one performance of ``action``.

    Args:
        action (str): One of :data:`ACTION_NAMES`.
        body (BodyProportions): The figure's proportions.
        params (MotionParams): Per-video nuisance parameters.
        num_frames (int): Number of frames.
        fps (float): Frames per second.

    Returns:
        dict: ``joints`` (T, J, 3) world coordinates in metres (x right, y up,
        z away from the camera; the figure stands at ``z = params.depth``),
        ``yaw`` (T,) facing angle in radians and ``pitch`` (T,) trunk lean.
    """
    joints, yaws, pitches = [], [], []
    for f in range(num_frames):
        pose = _pose(f / fps, params, action)
        world = _joints_from_pose(body, pose)
        world[:, 2] += params.depth
        joints.append(world)
        yaws.append(pose['yaw'])
        pitches.append(pose['pitch'])
    return dict(joints=np.asarray(joints, dtype=np.float64),
                yaw=np.asarray(yaws), pitch=np.asarray(pitches))


def sample_motion_params(action: str, rng: np.random.Generator) -> MotionParams:
    """Draw nuisance parameters for one video of ``action``.

    Args:
        action (str): One of :data:`ACTION_NAMES`.
        rng (np.random.Generator): Source of randomness.

    Returns:
        MotionParams: The sampled parameters.
    """
    if action not in ACTION_NAMES:
        raise ValueError(f'Unknown action {action!r}; expected one of '
                         f'{ACTION_NAMES}.')
    base_freq = {'wave': 1.6, 'clap': 1.8, 'jump': 1.2, 'squat': 0.7,
                 'walk_left': 1.8, 'walk_right': 1.8, 'turn_around': 1.0,
                 'bow': 0.7}[action]
    x = rng.uniform(-0.7, 0.7)
    yaw = np.radians(rng.uniform(-25, 25))
    if action == 'walk_left':
        x, yaw = rng.uniform(0.3, 0.8), np.pi / 2 + yaw * 0.4
    elif action == 'walk_right':
        x, yaw = -rng.uniform(0.3, 0.8), -np.pi / 2 + yaw * 0.4
    elif action == 'turn_around':
        yaw = rng.uniform(-np.pi, np.pi)
    return MotionParams(
        freq=base_freq * rng.uniform(0.8, 1.25),
        phase=rng.uniform(0, 2 * np.pi),
        amplitude=rng.uniform(0.85, 1.15),
        yaw=float(yaw), x=float(x), depth=rng.uniform(5.0, 6.0),
        turn_sign=float(rng.choice([-1.0, 1.0])))


