"""DuckDB functions the on-run-start hook uses to read raw event files without
letting one bad file stop a build (dbt-duckdb plugin, `plugins:` in
profiles.yml).

SQL alone cannot catch an error: a truncated gzip file, a file that is not
gzip although named `.gz`, or a file that vanished between the listing and
the read makes the whole `read_csv` fail. These functions run such a
statement on a cursor of the same database and return the error as text,
and recover the readable lines of a damaged gzip file.

- `growth_try_execute(sql)`: runs `sql` (one or more statements) in one
  transaction; returns '' on success, else the error message (and nothing
  of `sql` is kept). Used to read every chosen file in one
  native pass and, only when that fails, one file at a time.
- `growth_gzip_readable_lines(path)`: the complete lines that decompress
  before the damage (a line that is not UTF-8 comes with its bytes
  replaced and `is_valid_utf8` false), and the number of bytes of the
  incomplete line the damage cut; a file that is not gzip at all gives no
  lines.
- `growth_symlinked_folders(folder)`: folders below `folder` reached through
  a symbolic link, which DuckDB's `**` does not descend into; the hook lists
  them as not read.
"""

from __future__ import annotations

import os
import zlib

from dbt.adapters.duckdb.plugins import BasePlugin

CHUNK_BYTES = 1 << 20


def gzip_readable_lines(path: str) -> dict:
    """The complete lines that decompress from a possibly damaged gzip file."""
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
    data = bytearray()
    try:
        with open(path, "rb") as archive:
            while chunk := archive.read(CHUNK_BYTES):
                data += decompressor.decompress(chunk)
                while decompressor.eof and decompressor.unused_data:
                    # a further gzip member follows (concatenated gzip)
                    rest = decompressor.unused_data
                    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
                    data += decompressor.decompress(rest)
    except (OSError, zlib.error):
        pass
    *complete, partial = bytes(data).split(b"\n")
    text_lines = []
    for line in complete:
        line = line.removesuffix(b"\r")
        try:
            text_lines.append({"raw_line": line.decode("utf-8"), "is_valid_utf8": True})
        except UnicodeDecodeError:
            text_lines.append({"raw_line": line.decode("utf-8", errors="replace"), "is_valid_utf8": False})
    return {"lines": text_lines, "incomplete_bytes": len(partial)}


def symlinked_folders(folder: str) -> list[str]:
    """Every folder below `folder` that is a symbolic link (not followed)."""
    found = []
    for root, directories, _files in os.walk(folder):
        for name in directories:
            path = os.path.join(root, name)
            if os.path.islink(path):
                found.append(path)
    return sorted(found)


class Plugin(BasePlugin):
    def configure_connection(self, conn):
        def try_execute(sql: str) -> str:
            cursor = conn.cursor()
            try:
                cursor.execute("begin transaction")
                cursor.execute(sql)
                cursor.execute("commit")
                return ""
            except Exception as error:  # the error is the answer
                try:
                    cursor.execute("rollback")
                except Exception:  # nothing was begun
                    pass
                return f"{type(error).__name__}: {error}"
            finally:
                cursor.close()

        conn.create_function("growth_try_execute", try_execute, ["VARCHAR"], "VARCHAR", side_effects=True)
        conn.create_function(
            "growth_gzip_readable_lines",
            gzip_readable_lines,
            ["VARCHAR"],
            "STRUCT(lines STRUCT(raw_line VARCHAR, is_valid_utf8 BOOLEAN)[], incomplete_bytes BIGINT)",
            side_effects=True,
        )
        conn.create_function(
            "growth_symlinked_folders", symlinked_folders, ["VARCHAR"], "VARCHAR[]", side_effects=True
        )
