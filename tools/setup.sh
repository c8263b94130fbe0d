#!/usr/bin/env bash
# One-step, idempotent setup of mmprivact on a fresh Debian machine (CPU).
#
#   bash tools/setup.sh          # creates ./.venv (override: MMPRIVACT_VENV)
#
# Order matters (see shared/ENVIRONMENT.md):
#   1. system libraries for offscreen OpenGL (apt, needs root or sudo);
#   2. torch==2.13.0 alone first: that pin resolves to the CPU wheel on disk,
#      any looser torch requirement resolved later pulls a multi-GB CUDA build;
#   3. the pinned stack (requirements/runtime.txt) and test tools;
#   4. requirements/mm.txt and mmprivact itself with --no-deps (their declared
#      dependencies pull competing OpenCV builds and jax).
# A stamp of the requirement files makes a re-run finish in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${MMPRIVACT_VENV:-.venv}
PYTHON=${PYTHON:-python3}
SYSTEM_PACKAGES=(libosmesa6 libegl1 libegl-mesa0 libgl1-mesa-dri)

log() { echo "[setup] $*"; }

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    log "installing system packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    log "WARNING: no apt-get; install OSMesa/EGL yourself for offscreen rendering: ${missing[*]}"
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)

stamp="$VENV/.mmprivact-setup"
want=$(cat requirements/*.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
   && "$VENV/bin/python" -c "import mmprivact" >/dev/null 2>&1; then
  log "environment up to date ($VENV)"
  exit 0
fi

log "installing torch (CPU) first"
"${PIP[@]}" install -q -r requirements/torch.txt
log "installing the pinned stack"
"${PIP[@]}" install -q -r requirements/runtime.txt -r requirements/tests.txt
log "installing OpenMMLab packages and mediapipe without their dependencies"
"${PIP[@]}" install -q --no-deps -r requirements/mm.txt
log "installing mmprivact (editable)"
# setuptools' chatter about the editable build goes to a log, kept on error.
"${PIP[@]}" install -q --no-deps --no-build-isolation -e . \
  >"$VENV/.mmprivact-editable.log" 2>&1 || { cat "$VENV/.mmprivact-editable.log"; exit 1; }
"$VENV/bin/python" -c "import mmprivact, mmaction.models; print('[setup] mmprivact', mmprivact.__version__, 'ready')" 2>/dev/null
echo "$want" > "$stamp"
