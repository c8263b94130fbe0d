# The person-only f_B variant at B = 0.9, with f_B's frames also cropped to
# a square around the person (`privacy_region_crop`, RegionCropper: the
# mask's bounding box plus 10 %, resampled to 64 x 64) before its views.
#
# Why: with whole masked frames, f_B could tell frames apart by where the
# grey-surrounded silhouette stands, which f_A cannot change; and the
# figure is about 4 % of the frame, so its appearance reached f_B in few
# pixels. Cropped, f_B sees the person large and centred and has to use
# how they look. Not in the paper. See docs/penalty_minimax.md.
_base_ = ['./r3d_r18-w8_minimax-b0.9-wb5-lam10-lra0.0004-nocolour-person_1xb8-8x4x1-8e_synthetic.py']

model = dict(privacy_region_crop=True)
