"""One path for reading input files and checking output paths.

Every input file (regimen, trial, scenario) is read by :func:`read_document`: it must exist, be
a file (not a folder), be at most :data:`MAX_FILE_BYTES` (``$COLEY_MAX_FILE_MB`` raises it),
hold UTF-8 text (no NUL bytes, which mark a binary file) and parse as TOML (``.toml``) or YAML
(``.yaml``/``.yml``) with a table at the top level. Every output path is checked by
:func:`output_folder` or :func:`output_file` *before* any simulation: a folder must be
creatable and writable, a file must not be a folder and its folder must be creatable. Each
failure raises one :class:`~coley.errors.InvalidArgumentError` line: the path, what is wrong,
what to do.
"""

from __future__ import annotations

import codecs
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from coley.errors import InvalidArgumentError

#: Largest input file read (bytes): trial and regimen files are a few kilobytes; a larger one is
#: almost certainly the wrong file. ``$COLEY_MAX_FILE_MB`` sets another limit.
MAX_FILE_BYTES = 10 * 2**20

#: File endings :func:`read_document` parses, and their formats.
FORMATS = {".toml": "TOML", ".yaml": "YAML", ".yml": "YAML"}


#: Byte-order marks of the encodings a text editor may save instead of UTF-8 (UTF-32 first:
#: its little-endian mark starts with UTF-16's).
_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
         (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def _limit() -> int:
    env = os.environ.get("COLEY_MAX_FILE_MB")
    if env is None:
        return MAX_FILE_BYTES
    try:
        mb = float(env)
    except ValueError:
        raise InvalidArgumentError(f"$COLEY_MAX_FILE_MB must be a number of megabytes, got "
                                   f"{env!r}; unset it or write e.g. COLEY_MAX_FILE_MB=50."
                                   ) from None
    return int(mb * 2**20)


def check_input_file(path: str | os.PathLike[str], *, what: str = "file",
                     limit: int | None = None) -> Path:
    """``path`` as a Path, after checking it exists, is a regular file (not a folder) and is
    at most ``limit`` bytes (default :data:`MAX_FILE_BYTES` or ``$COLEY_MAX_FILE_MB``)."""
    p = Path(path)
    if not p.exists():
        raise InvalidArgumentError(f"{what} {str(p)!r} does not exist; check the path.")
    if p.is_dir():
        raise InvalidArgumentError(f"{what} {str(p)!r} is a folder, not a file; give the path "
                                   "of the file inside it.")
    if not p.is_file():
        raise InvalidArgumentError(f"{what} {str(p)!r} is not a regular file (a device or a "
                                   "pipe); give the path of a file.")
    if limit is None:
        limit = _limit()
    elif "COLEY_MAX_FILE_MB" in os.environ:  # the variable raises a kind's own limit too
        limit = max(limit, _limit())
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InvalidArgumentError(f"{what} {str(p)!r} cannot be read ({exc.strerror or exc}); "
                                   "check its permissions.") from None
    if size > limit:
        raise InvalidArgumentError(
            f"{what} {str(p)!r} is {size / 2**20:.1f} MB, more than the {limit / 2**20:g} MB "
            "limit for input files; check it is the right file (set COLEY_MAX_FILE_MB to raise "
            "the limit).")
    return p


def read_text(path: str | os.PathLike[str], *, what: str = "file") -> str:
    """The UTF-8 text of input file ``path`` (``what`` names it in errors: "trial file")."""
    p = check_input_file(path, what=what)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InvalidArgumentError(f"{what} {str(p)!r} cannot be read ({exc.strerror or exc}); "
                                   "check its permissions.") from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise InvalidArgumentError(f"{what} {str(p)!r} is {name} text, not UTF-8; save it "
                                       "as UTF-8.")
    if b"\x00" in data:
        raise InvalidArgumentError(f"{what} {str(p)!r} is a binary file (it holds NUL bytes), "
                                   "not text; give a .toml or .yaml text file.")
    try:
        return data.decode("utf-8-sig")  # a UTF-8 byte-order mark is fine
    except UnicodeDecodeError as exc:
        raise InvalidArgumentError(
            f"{what} {str(p)!r} is not UTF-8 text (byte {exc.start}: {data[exc.start]:#04x}); "
            "save it as UTF-8.") from None


def read_document(path: str | os.PathLike[str], *, what: str = "file") -> dict[str, Any]:
    """The top-level table of a TOML or YAML input file (see the module docstring)."""
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise InvalidArgumentError(f"{what} {str(p)!r}: unknown file type {p.suffix!r}; use "
                                   ".toml, .yaml or .yml.")
    text = read_text(p, what=what)
    try:
        data = tomllib.loads(text) if fmt == "TOML" else _yaml(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as exc:
        raise InvalidArgumentError(f"{what} {str(p)!r}: not valid {fmt}: "
                                   f"{_one_line(exc)}") from None
    if not isinstance(data, dict):
        raise InvalidArgumentError(f"{what} {str(p)!r}: the top level must be a table of "
                                   f"keys, got {type(data).__name__}.")
    return data


def _yaml(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def output_folder(path: str | os.PathLike[str], *, what: str = "output folder") -> Path:
    """Create output folder ``path`` if needed and check that files can be written in it."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise InvalidArgumentError(f"{what} {str(p)!r} is an existing file, not a folder; "
                                   "give a folder path (it is created if needed).")
    for parent in p.parents:
        if parent.exists() and not parent.is_dir():
            raise InvalidArgumentError(f"{what} {str(p)!r} is under {str(parent)!r}, which is "
                                       "a file; give a path under a folder.")
    try:
        p.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=p):
            pass
    except OSError as exc:
        raise InvalidArgumentError(f"{what} {str(p)!r} cannot be created or written "
                                   f"({exc.strerror or exc}); choose a folder you can write "
                                   "to.") from None
    return p


def output_file(path: str | os.PathLike[str], *, what: str = "output file",
                suffixes: tuple[str, ...] | None = None) -> Path:
    """Check output file ``path`` before any work: not a folder, an allowed ending (``suffixes``,
    lower case with the dot), and a folder that can be created and written."""
    p = Path(path)
    if p.is_dir():
        raise InvalidArgumentError(f"{what} {str(p)!r} is a folder; give a file path inside "
                                   "it.")
    if suffixes is not None and p.suffix.lower() not in suffixes:
        raise InvalidArgumentError(f"{what} {str(p)!r}: unsupported ending {p.suffix!r}; use "
                                   f"one of {', '.join(suffixes)}.")
    output_folder(p.parent if str(p.parent) else Path("."), what=f"folder of {what}")
    return p


__all__ = ["FORMATS", "MAX_FILE_BYTES", "check_input_file", "output_file", "output_folder",
           "read_document", "read_text"]
