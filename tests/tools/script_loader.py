"""Import a script from ``tools/`` as a module, so tests call its functions
directly (the scripts are not a package)."""
import importlib.util
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[2]


def load_script(path: Path, name: str = None) -> ModuleType:
    """Execute ``path`` and return it as a module.

    Args:
        path (Path): The script, absolute or relative to the repository.
        name (str, optional): Module name; defaults to the file's stem.
            Give distinct names to same-named scripts (e.g. the datasets'
            ``build_annotations.py``).

    Returns:
        ModuleType: The imported script.
    """
    path = Path(path)
    if not path.is_absolute():
        path = REPO / path
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
