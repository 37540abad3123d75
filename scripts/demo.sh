#!/usr/bin/env bash
# Installs the pinned dependencies and the project's command, builds every
# model on the shipped sample events (embedded DuckDB) and prints the
# headline variant counts. The build goes through `growth-enrollments build`,
# which builds a copy and swaps it in, so a BI tool reading the database
# neither blocks it nor sees it half built; then it writes the HTML report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_venv.sh requirements.txt
export PATH="$PWD/.venv/bin:$PATH"
growth-enrollments build
growth-enrollments headline
growth-enrollments report --out report.html
