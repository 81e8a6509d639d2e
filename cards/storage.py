"""Card, still and art files through Django's storage (settings.STORAGES["default"]), so that the
data may live on a volume several machines share or in an object store (django-storages): no
code outside this module asks for a file's path on disk.

The renderer (cards/render/, pure) reads its pictures from local files. `local_path` gives one:
the file itself when the storage is a local or mounted folder, else a copy kept in the data
dir's cache (names carry their content's hash, so a kept copy never goes stale).
`content_hash` hashes a stored file by reading it through the storage, once per version of it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage


def local_path(name: str) -> str:
    """A path on this machine to read the stored file `name` from."""
    if isinstance(default_storage, FileSystemStorage):  # a local or mounted folder
        return default_storage.path(name)
    copy = Path(settings.DATA_DIR) / "cache" / "files" / name
    if not copy.is_file():
        copy.parent.mkdir(parents=True, exist_ok=True)
        partial = copy.with_name(f"{copy.name}.{os.getpid()}.part")
        with default_storage.open(name, "rb") as source, open(partial, "wb") as target:
            shutil.copyfileobj(source, target)
        partial.replace(copy)  # whole or not at all, with other processes copying too
    return str(copy)


def local_file(name: str, make: Callable[[str], object]) -> str:
    """A path on this machine to a file tcm makes itself (`make(path)` writes it), made once per
    machine in the data dir's cache: derived from code, not data, so it need not be shared."""
    made = Path(settings.DATA_DIR) / "cache" / "made" / name
    if not made.is_file():
        made.parent.mkdir(parents=True, exist_ok=True)
        # The suffix stays last: `make` may pick the file's format by it.
        partial = made.with_name(f"{made.stem}.{os.getpid()}.part{made.suffix}")
        make(str(partial))
        partial.replace(made)  # whole or not at all, with other processes making it too
    return str(made)


def content_hash(name: str) -> str | None:
    """The SHA-256 of the stored file `name` (None: there is no such file), read through the
    storage once per version of the file: the schedule works out fingerprints often, and an
    uploaded logo does not change between two looks. A version is told by what the storage
    offers: a local file's inode, modification time and size; else its size and modification
    time; a storage that keeps no modification time is read every time (a file replaced by one
    of the same size would otherwise keep its old hash)."""
    try:
        version = _version(name)
    except OSError:  # not there (FileNotFoundError)
        return None
    if version is None:
        return _read_hash(name)
    return _cached_hash(name, version)


def _version(name: str) -> tuple[object, ...] | None:
    if isinstance(default_storage, FileSystemStorage):
        path = default_storage.path(name)
        stat = Path(path).stat()
        return ("file", path, stat.st_ino, stat.st_mtime_ns, stat.st_size)
    size = default_storage.size(name)
    try:
        modified: datetime = default_storage.get_modified_time(name)
    except NotImplementedError:
        return None
    # The storage's class too: two storages may keep the same name (a test's in-memory one).
    return (type(default_storage).__qualname__, size, modified.isoformat())


@lru_cache(maxsize=256)
def _cached_hash(name: str, version: tuple[object, ...]) -> str | None:
    return _read_hash(name)


def _read_hash(name: str) -> str | None:
    try:
        with default_storage.open(name, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except FileNotFoundError:  # deleted between the look at its version and the read
        return None


def walk(folder: str) -> Iterator[str]:
    """The names of every stored file under `folder`, sorted."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for sub in sorted(folders):
        yield from walk(f"{folder}/{sub}")
