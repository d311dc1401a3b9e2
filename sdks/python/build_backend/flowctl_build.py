"""The package's build backend (PEP 517 and PEP 660), in the standard library alone.

Why not setuptools: the setuptools that Python 3.9 - 3.11 venvs bundle cannot build a
wheel without the separate ``wheel`` package, which venvs do not ship, and 3.12+ venvs
bundle no setuptools at all; either way ``pip install ./sdks/python`` would need the
network. This backend needs nothing, so the install works offline on any Python >= 3.9,
with or without build isolation. Metadata comes from pyproject.toml's [project] table,
mirrored here because tomllib only exists from Python 3.11 on (a test keeps the two equal).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "flowctl_worker"
NAME = "flowctl-worker"
SUMMARY = "Run flowctl workflow tasks from Python: a worker that speaks flowctl's HTTP worker protocol."
REQUIRES_PYTHON = ">=3.9"
LICENSE = "Apache-2.0"
CLASSIFIERS = [
    "Programming Language :: Python :: 3",
    "Programming Language :: Python :: 3 :: Only",
    "Typing :: Typed",
]
TAG = "py3-none-any"


def version() -> str:
    text = (ROOT / "src" / PACKAGE / "version.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if not found:
        raise RuntimeError("src/flowctl_worker/version.py has no __version__")
    return found.group(1)


def metadata() -> str:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {NAME}",
        f"Version: {version()}",
        f"Summary: {SUMMARY}",
        f"License: {LICENSE}",
        f"Requires-Python: {REQUIRES_PYTHON}",
        *[f"Classifier: {classifier}" for classifier in CLASSIFIERS],
        "Description-Content-Type: text/markdown",
        "",
        (ROOT / "README.md").read_text(encoding="utf-8"),
    ]
    return "\n".join(lines)


def _dist_info() -> str:
    return f"{PACKAGE}-{version()}.dist-info"


def _dist_info_files() -> Dict[str, bytes]:
    wheel = f"Wheel-Version: 1.0\nGenerator: flowctl_build\nRoot-Is-Purelib: true\nTag: {TAG}\n"
    return {
        f"{_dist_info()}/METADATA": metadata().encode("utf-8"),
        f"{_dist_info()}/WHEEL": wheel.encode("utf-8"),
        f"{_dist_info()}/top_level.txt": f"{PACKAGE}\n".encode("utf-8"),
    }


def _package_files() -> Dict[str, bytes]:
    source = ROOT / "src" / PACKAGE
    return {
        f"{PACKAGE}/{path.relative_to(source).as_posix()}": path.read_bytes()
        for path in sorted(source.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo")
    }


def _write_wheel(directory: str, files: Dict[str, bytes]) -> str:
    name = f"{PACKAGE}-{version()}-{TAG}.whl"
    files = {**files, **_dist_info_files()}
    record: List[str] = []
    with zipfile.ZipFile(os.path.join(directory, name), "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, content in files.items():
            wheel.writestr(_entry(path), content)
            digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode("ascii")
            record.append(f"{path},sha256={digest},{len(content)}")
        record_path = f"{_dist_info()}/RECORD"
        record.append(f"{record_path},,")
        wheel.writestr(_entry(record_path), "\n".join(record) + "\n")
    return name


def _entry(path: str) -> zipfile.ZipInfo:
    # A fixed time makes the wheel reproducible.
    info = zipfile.ZipInfo(path, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


# -- PEP 517 -----------------------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: Optional[Dict[str, Any]] = None) -> str:
    for path, content in _dist_info_files().items():
        target = Path(metadata_directory) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return _dist_info()


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None, metadata_directory: Optional[str] = None) -> str:
    return _write_wheel(wheel_directory, _package_files())


def build_editable(wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None, metadata_directory: Optional[str] = None) -> str:
    """A wheel holding only a .pth file that puts src/ on sys.path (PEP 660)."""
    return _write_wheel(wheel_directory, {f"_{PACKAGE}_editable.pth": f"{ROOT / 'src'}\n".encode("utf-8")})


def build_sdist(sdist_directory: str, config_settings: Optional[Dict[str, Any]] = None) -> str:
    base = f"{PACKAGE}-{version()}"
    members: List[Tuple[str, bytes]] = [("PKG-INFO", metadata().encode("utf-8"))]
    for relative in ("pyproject.toml", "README.md"):
        members.append((relative, (ROOT / relative).read_bytes()))
    for folder in ("src", "build_backend", "tests"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                members.append((path.relative_to(ROOT).as_posix(), path.read_bytes()))
    name = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz", format=tarfile.PAX_FORMAT) as sdist:
        for relative, content in members:
            info = tarfile.TarInfo(f"{base}/{relative}")
            info.size = len(content)
            info.mode = 0o644
            info.mtime = 1767225600
            sdist.addfile(info, io.BytesIO(content))
    return name
