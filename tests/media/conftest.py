from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path) -> Iterator[Path]:
    """Each test stores local media in a directory of its own."""
    root = tmp_path / "media"
    media = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}}
    with override_settings(MEDIA_ROOT=str(root), STORAGES={**settings.STORAGES, "media": media}):
        yield root
