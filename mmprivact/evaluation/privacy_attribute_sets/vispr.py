"""VISPR (Orekondy et al., ICCV 2017): 68 multi-label privacy attributes.

Released layout (as read by the authors' ``vpa`` loader and by
VITA-Group/Privacy-AdversarialLearning's ``data-preparation/VISPR``)::

    root/images/{train2017,val2017,test2017}/2017_10001018.jpg
    root/annotations/{train2017,val2017,test2017}/2017_10001018.json

Each annotation is ``{"id": ..., "image_path": "images/train2017/...jpg",
"labels": ["a17_color", "a4_gender", ...]}``; ``image_path`` is relative to
``root``. An image without private content is labelled ``a0_safe``.

Attribute sets (``attributes``):

* ``'vispr7'`` (default): the 7 attributes used for privacy leakage on
  UCF101/HMDB51-VISPR by Wu et al. (TPAMI 2020) and SPAct (Dave et al.
  2022): a4_gender, a9_face_complete, a10_face_partial, a12_semi_nudity,
  a17_color, a64_rel_personal, a65_rel_social (per Wu et al.'s released
  ``attributes_pa_hmdb51.csv``).
* ``'pa_hmdb51'``: the same 7 merged into PA-HMDB51's 5 groups, as in
  that csv: gender, face (complete or partial), nudity, skin_color,
  relationship (personal or social). Use it to train on VISPR and test
  on PA-HMDB51 in one label space.
* ``'all'``: all 68 attributes, ordered by their number (a0 ... a104).
* a list of attribute ids: exactly those.

Unlike Wu et al.'s converter we do not set the first attribute for an
image with none of the chosen attributes: its target is all zeros.
"""
import glob
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import cv2
import numpy as np
from tqdm import tqdm

from .base import PrivacyAttributeSplit, square_resize

#: The 68 VISPR attribute ids, ordered by number.
VISPR_ATTRIBUTES = (
    'a0_safe a1_age_approx a2_weight_approx a3_height_approx a4_gender '
    'a5_eye_color a6_hair_color a7_fingerprint a8_signature '
    'a9_face_complete a10_face_partial a11_tattoo a12_semi_nudity '
    'a13_full_nudity a16_race a17_color a18_ethnic_clothing a19_name_full '
    'a20_name_first a21_name_last a23_birth_city a24_birth_date '
    'a25_nationality a26_handwriting a27_marital_status a29_ausweis '
    'a30_credit_card a31_passport a32_drivers_license a33_student_id '
    'a35_mail a37_receipt a38_ticket a39_disability_physical a41_injury '
    'a43_medicine a46_occupation a48_occassion_work a49_phone a55_religion '
    'a56_sexual_orientation a57_culture a58_hobbies a59_sports '
    'a60_occassion_personal a61_opinion_general a62_opinion_political '
    'a64_rel_personal a65_rel_social a66_rel_professional '
    'a67_rel_competitors a68_rel_spectators a69_rel_views '
    'a70_education_history a73_landmark a74_address_current_complete '
    'a75_address_current_partial a78_address_home_complete '
    'a79_address_home_partial a82_date_time a85_username a90_email '
    'a92_email_content a97_online_conversation a99_legal_involvement '
    'a102_vehicle_ownership a103_license_plate_complete '
    'a104_license_plate_partial').split()

VISPR7 = ('a4_gender', 'a9_face_complete', 'a10_face_partial',
          'a12_semi_nudity', 'a17_color', 'a64_rel_personal',
          'a65_rel_social')

#: PA-HMDB51's five attributes as unions of VISPR ids (Wu et al.).
PA_HMDB51_GROUPS = {
    'skin_color': ('a17_color', ),
    'face': ('a9_face_complete', 'a10_face_partial'),
    'gender': ('a4_gender', ),
    'nudity': ('a12_semi_nudity', ),
    'relationship': ('a64_rel_personal', 'a65_rel_social'),
}

_LAYOUT = ('expected root/annotations/<split>2017/*.json and '
           'root/images/<split>2017/*.jpg (the VISPR release)')


def attribute_groups(attributes: Union[str, Sequence[str]]
                     ) -> Dict[str, tuple]:
    """Output attribute name -> the VISPR ids whose union it is."""
    if isinstance(attributes, str):
        if attributes == 'vispr7':
            return {a: (a, ) for a in VISPR7}
        if attributes == 'pa_hmdb51':
            return dict(PA_HMDB51_GROUPS)
        if attributes == 'all':
            return {a: (a, ) for a in VISPR_ATTRIBUTES}
        raise ValueError(f"attributes must be 'vispr7', 'pa_hmdb51', 'all' "
                         f'or a list of VISPR ids; got {attributes!r}.')
    unknown = sorted(set(attributes) - set(VISPR_ATTRIBUTES))
    if unknown or not attributes:
        raise ValueError(f'unknown or no VISPR attribute ids: {unknown}; '
                         f'valid ids look like a4_gender.')
    return {a: (a, ) for a in attributes}


def _image_path(root: str, folder: str, ann_file: str, ann: Dict) -> str:
    rel = ann.get('image_path')
    candidates = [osp.join(root, rel)] if rel else []
    stem = osp.splitext(osp.basename(ann_file))[0]
    candidates.append(osp.join(root, 'images', folder, stem + '.jpg'))
    for path in candidates:
        if osp.isfile(path):
            return path
    raise FileNotFoundError(f'{ann_file}: image not found at '
                            f'{" or ".join(candidates)}; {_LAYOUT}.')


def load_split(root: str,
               split: str,
               size: int = 112,
               max_items: Optional[int] = None,
               frames_per_video: int = 1,
               attributes: Union[str, Sequence[str]] = 'vispr7'
               ) -> PrivacyAttributeSplit:
    """Load a VISPR split as square-resized images with multi-hot targets.

    Args:
        root (str): The VISPR folder.
        split (str): ``'train'``, ``'val'`` or ``'test'`` (``'train2017'``
            etc. also accepted).
        size (int): Centre-crop and resize to ``size`` x ``size``.
        max_items (int, optional): First images in sorted id order only.
        frames_per_video (int): Unused (images); kept for a uniform
            adapter signature.
        attributes (str | Sequence[str]): See the module docstring.

    Returns:
        PrivacyAttributeSplit: One frame per image; ``group`` = image row.
    """
    del frames_per_video
    groups = attribute_groups(attributes)
    folder = split if split.endswith('2017') else f'{split}2017'
    ann_dir = osp.join(root, 'annotations', folder)
    if not osp.isdir(ann_dir):
        raise FileNotFoundError(f'{ann_dir} not found; {_LAYOUT}.')
    ann_files = sorted(glob.glob(osp.join(ann_dir, '*.json')))
    if max_items is not None:
        ann_files = ann_files[:max_items]
    if not ann_files:
        raise FileNotFoundError(f'no annotation .json in {ann_dir}; '
                                f'{_LAYOUT}.')
    frames: List[np.ndarray] = []
    targets = np.zeros((len(ann_files), len(groups)), np.float32)
    for i, ann_file in enumerate(
            tqdm(ann_files, desc=f'VISPR {folder}', unit='image',
                 leave=False)):
        with open(ann_file) as f:
            ann = json.load(f)
        if 'labels' not in ann:
            raise KeyError(f'{ann_file}: no "labels" list; {_LAYOUT}.')
        path = _image_path(root, folder, ann_file, ann)
        image = cv2.imread(path, cv2.IMREAD_COLOR)  # grey/CMYK -> 3 channels
        if image is None:
            raise RuntimeError(f'cannot read image {path!r}.')
        frames.append(square_resize(cv2.cvtColor(image, cv2.COLOR_BGR2RGB),
                                    size))
        labels = set(ann['labels'])
        targets[i] = [bool(labels.intersection(src))
                      for src in groups.values()]
    return PrivacyAttributeSplit(
        frames=np.stack(frames), targets=targets,
        attribute_names=list(groups), single_label=False,
        group=np.arange(len(frames), dtype=np.int64))


__all__ = ['load_split', 'attribute_groups', 'VISPR_ATTRIBUTES', 'VISPR7',
           'PA_HMDB51_GROUPS']
