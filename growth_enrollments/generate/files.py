"""The data lake's files: a day's lines laid out in hour folders and files, and written to disk."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import io
import math
import os
import random
import shutil
from collections.abc import Iterable

from growth_enrollments.generate.config import EXTENSIONS, GeneratorConfig
from growth_enrollments.generate.day import Record


@dataclasses.dataclass
class GeneratedFile:
    """One file: its path under the output folder and its lines."""

    path: str
    lines: list[str]
    expected: list[str]
    kinds: list[str]
    trailing_newline: bool = True

    @property
    def compressed(self) -> bool:
        return self.path.endswith(".gz")

    def text(self) -> str:
        body = "\n".join(self.lines)
        if self.trailing_newline or (self.lines and self.lines[-1] == ""):
            body += "\n"
        return body

    def data(self, compresslevel: int = 6) -> bytes:
        raw = self.text().encode("utf-8")
        for forbidden in (b"\x00", b"\x1f", b"\r"):
            if forbidden in raw:
                raise ValueError(f"{self.path}: forbidden byte {forbidden!r}")
        if not self.compressed:
            return raw
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=compresslevel, mtime=0) as archive:
            archive.write(raw)
        return buffer.getvalue()


def day_files(cfg: GeneratorConfig, day: dt.date, records: list[Record]) -> list[GeneratedFile]:
    """Split a day's lines into hour folders and files."""
    rng = random.Random(f"{cfg.seed}/{day.isoformat()}/files")
    by_hour: dict[tuple[str, int], list[Record]] = {}
    for record in records:
        by_hour.setdefault((record.datacenter, record.hour), []).append(record)
    files = []
    for (datacenter, hour) in sorted(by_hour):
        hour_records = by_hour[(datacenter, hour)]
        count = min(cfg.max_files_per_hour, max(1, math.ceil(len(hour_records) / cfg.lines_per_file)))
        if count < cfg.max_files_per_hour and rng.random() < 0.3:
            count += 1
        buckets: list[list[tuple[int, int, Record]]] = [[] for _ in range(count)]
        for position, record in enumerate(hour_records):
            buckets[record.slot % count].append((record.sort_ms, position, record))
        folder = f"datacenter={datacenter}/year={day.year}/month={day.month}/day={day.day}/hour={hour}"
        for number, bucket_records in enumerate(buckets):
            if not bucket_records:
                continue
            bucket_records.sort(key=lambda item: (item[0], item[1]))
            extension = rng.choices(EXTENSIONS, weights=cfg.extension_weights)[0]
            files.append(
                GeneratedFile(
                    path=f"{folder}/part-{number:02d}{extension}",
                    lines=[record.text for _, _, record in bucket_records],
                    expected=[record.expected for _, _, record in bucket_records],
                    kinds=[record.kind for _, _, record in bucket_records],
                    trailing_newline=rng.random() >= cfg.no_trailing_newline_rate,
                )
            )
    return files


def ensure_all_extensions(files: list[GeneratedFile]) -> None:
    """Give every extension at least one file (deterministically)."""
    present = {extension: 0 for extension in EXTENSIONS}
    for file in files:
        present[extension_of(file.path)] += 1
    for extension in EXTENSIONS:
        if present[extension]:
            continue
        for file in files:
            current = extension_of(file.path)
            if present[current] > 1:
                present[current] -= 1
                present[extension] += 1
                file.path = file.path[: -len(current)] + extension
                break


def extension_of(path: str) -> str:
    """The one of EXTENSIONS that `path` ends with (the longest that matches)."""
    for extension in sorted(EXTENSIONS, key=len, reverse=True):
        if path.endswith(extension):
            return extension
    raise ValueError(path)


def write_files(files: Iterable[GeneratedFile], out_dir: str, compresslevel: int = 6) -> tuple[int, int, int]:
    """Write files under out_dir; returns (files, lines, bytes written)."""
    count = lines = size = 0
    for file in files:
        path = os.path.join(out_dir, file.path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = file.data(compresslevel)
        with open(path, "wb") as handle:
            handle.write(data)
        count += 1
        lines += len(file.lines)
        size += len(data)
    return count, lines, size


def clean_output(out_dir: str) -> None:
    """Remove the data-lake folders (datacenter=*) a previous run wrote."""
    if not os.path.isdir(out_dir):
        return
    for name in os.listdir(out_dir):
        if name.startswith("datacenter="):
            shutil.rmtree(os.path.join(out_dir, name))
