"""The synthetic figure's skeleton: named joints, bones and proportions.

Joints are given in metres. World coordinates are y-up with the camera looking
along +z; see :mod:`.renderer` for the camera convention of the saved joints.
"""
from dataclasses import dataclass

JOINT_NAMES = (
    'pelvis', 'spine', 'neck', 'head',
    'left_shoulder', 'left_elbow', 'left_wrist',
    'right_shoulder', 'right_elbow', 'right_wrist',
    'left_hip', 'left_knee', 'left_ankle',
    'right_hip', 'right_knee', 'right_ankle',
)
JOINT_INDEX = {name: i for i, name in enumerate(JOINT_NAMES)}

#: (parent, child) pairs, e.g. for drawing a stick figure of the joints.
BONES = (
    ('pelvis', 'spine'), ('spine', 'neck'), ('neck', 'head'),
    ('neck', 'left_shoulder'), ('left_shoulder', 'left_elbow'),
    ('left_elbow', 'left_wrist'),
    ('neck', 'right_shoulder'), ('right_shoulder', 'right_elbow'),
    ('right_elbow', 'right_wrist'),
    ('pelvis', 'left_hip'), ('left_hip', 'left_knee'),
    ('left_knee', 'left_ankle'),
    ('pelvis', 'right_hip'), ('right_hip', 'right_knee'),
    ('right_knee', 'right_ankle'),
)


@dataclass(frozen=True)
class BodyProportions:
    """Segment lengths and radii of a figure, derived from height and build.

    Args:
        height (float): Standing height in metres.
        build (float): Width factor (1.0 = average); scales shoulder and hip
            width and limb thickness.
    """

    height: float
    build: float = 1.0

    # Fractions of the height (classic anthropometric proportions).
    @property
    def ankle_height(self) -> float:
        return 0.04 * self.height

    @property
    def thigh(self) -> float:
        return 0.245 * self.height

    @property
    def shin(self) -> float:
        return 0.245 * self.height

    @property
    def pelvis_to_spine(self) -> float:
        return 0.15 * self.height

    @property
    def spine_to_neck(self) -> float:
        return 0.14 * self.height

    @property
    def neck_to_head(self) -> float:
        return 0.10 * self.height

    @property
    def head_radius(self) -> float:
        return 0.065 * self.height

    @property
    def shoulder_half_width(self) -> float:
        return 0.115 * self.height * self.build

    @property
    def shoulder_drop(self) -> float:
        return 0.025 * self.height

    @property
    def hip_half_width(self) -> float:
        return 0.055 * self.height * self.build

    @property
    def upper_arm(self) -> float:
        return 0.17 * self.height

    @property
    def forearm(self) -> float:
        return 0.16 * self.height

    @property
    def limb_radius(self) -> float:
        return 0.028 * self.height * self.build

    @property
    def torso_radius(self) -> float:
        return 0.085 * self.height * self.build
