"""Choosing, exporting and releasing pyrender's offscreen GL platform."""
import os
import sys
from typing import Any, Optional

PLATFORMS = ('osmesa', 'egl')
# PyOpenGL's platform class name for each PYOPENGL_PLATFORM value.
_GL_PLATFORM_CLASSES = {'OSMesaPlatform': 'osmesa', 'EGLPlatform': 'egl'}
INSTALL_HINT = (
    'Install the system libraries for offscreen OpenGL (Debian/Ubuntu, as '
    'root): for OSMesa `apt-get install -y libosmesa6`; for EGL `apt-get '
    'install -y libegl1 libegl-mesa0 libgl1-mesa-dri` (or the NVIDIA '
    "driver's EGL on a GPU machine). Choose the platform with "
    "PyrenderRenderer(platform='osmesa' | 'egl') or the environment variable "
    'PYOPENGL_PLATFORM, set before anything imports OpenGL or pyrender.')


def _loaded_gl_platform() -> Optional[str]:
    """The platform PyOpenGL already bound to, or None if not imported."""
    module = sys.modules.get('OpenGL.platform')
    gl_platform = getattr(module, 'PLATFORM', None)
    if gl_platform is None:
        return None
    name = type(gl_platform).__name__
    return _GL_PLATFORM_CLASSES.get(name, name)


def activate_platform(platform: Optional[str]) -> str:
    """Choose the offscreen platform and export it for PyOpenGL / pyrender.

    PyOpenGL binds to a platform on first import and pyrender reads
    ``PYOPENGL_PLATFORM`` whenever it creates a context, so the variable
    must be right before either happens.

    Args:
        platform (str, optional): ``'osmesa'``, ``'egl'`` or None (the
            platform OpenGL already uses, else ``PYOPENGL_PLATFORM``, else
            ``'osmesa'``).

    Returns:
        str: The platform now exported in ``PYOPENGL_PLATFORM``.
    """
    loaded = _loaded_gl_platform()
    if platform is None:
        if loaded in PLATFORMS:
            platform = loaded
        else:
            platform = os.environ.get('PYOPENGL_PLATFORM') or 'osmesa'
    if not isinstance(platform, str) or platform.lower() not in PLATFORMS:
        raise ValueError(f'platform must be one of {PLATFORMS} (or None for '
                         'PYOPENGL_PLATFORM, else osmesa); got '
                         f'{platform!r}. ' + INSTALL_HINT)
    platform = platform.lower()
    if loaded is not None and loaded != platform:
        alternative = (f"or use platform='{loaded}'" if loaded in PLATFORMS
                       else '(it has no offscreen context)')
        raise RuntimeError(
            f'OpenGL was already imported with platform {loaded!r}, so '
            f'{platform!r} cannot be used in this process. Set '
            f'PYOPENGL_PLATFORM={platform} in the environment before anything '
            f'imports OpenGL or pyrender, {alternative}.')
    os.environ['PYOPENGL_PLATFORM'] = platform
    return platform


def delete_egl_offscreen(offscreen: Any) -> None:
    """Free a pyrender EGL renderer without ``eglTerminate``.

    ``OffscreenRenderer.delete`` terminates the EGL display, which every
    context on the same device shares, so other live renderers in the
    process would fail with EGL_BAD_DISPLAY. Only this context is destroyed.

    Args:
        offscreen (pyrender.OffscreenRenderer): A renderer on EGL.
    """
    from OpenGL.EGL import (EGL_NO_CONTEXT, EGL_NO_SURFACE,
                            eglDestroyContext, eglMakeCurrent)

    platform = offscreen._platform
    platform.make_current()
    offscreen._renderer.delete()
    eglMakeCurrent(platform._egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE,
                   EGL_NO_CONTEXT)
    eglDestroyContext(platform._egl_display, platform._egl_context)
    platform._egl_context = None
    platform._egl_display = None
    # Makes pyrender's own delete() in __del__ a harmless no-op failure.
    offscreen._renderer = None
    offscreen._platform = None
