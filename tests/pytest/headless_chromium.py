"""Headless Chromium for the report test: a screenshot and the DOM of a page.

Debian's `chromium` (scripts/install_chromium.sh installs it; $CHROMIUM
overrides the binary). Every run gets a fresh profile folder and the flags
this sandbox needs: no sandbox as root, no GPU, and no background network
(the machine's network is closed, so Chromium must not try to reach Google).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 120
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
)


def chromium_executable() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def _run(page: Path, *arguments: str) -> subprocess.CompletedProcess:
    executable = chromium_executable()
    if executable is None:
        raise FileNotFoundError("chromium is not installed: bash scripts/install_chromium.sh")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run(
            [executable, *FLAGS, f"--user-data-dir={profile}", *arguments, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=True,
        )


def dump_dom(page: Path, window_size: tuple[int, int] = (1280, 2000)) -> str:
    """The serialised DOM after the page loaded and its scripts ran."""
    return _run(page, f"--window-size={window_size[0]},{window_size[1]}", "--dump-dom").stdout


def screenshot(page: Path, png: Path, window_size: tuple[int, int] = (1280, 2000)) -> Path:
    """A PNG of the top `window_size` of the page."""
    _run(page, f"--window-size={window_size[0]},{window_size[1]}", f"--screenshot={png.resolve()}")
    if not png.exists():
        raise AssertionError(f"chromium wrote no screenshot to {png}")
    return png
