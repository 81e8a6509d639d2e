"""Card, still and art files through Django's storage (settings.STORAGES["default"]), so that the
data may live on a volume several machines share or in an object store (django-storages): no
code outside this module asks for a file's path on disk.

The renderer (cards/render/, pure) reads its pictures from local files. `local_path` gives one:
the file itself when the storage is a local or mounted folder, else a copy kept in the data
dir's cache (names carry their content's hash, so a kept copy never goes stale).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
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
