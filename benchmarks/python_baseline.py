"""The notebook baseline: the two variant-count marts in plain Python.

Reads every file with the json module and counts with dictionaries, as an
analyst would without a warehouse: bad lines are skipped, not accounted for.
Usage: python benchmarks/python_baseline.py 'GLOB'
"""

import glob
import gzip
import json
import sys


def read_lines(pattern):
    for path in sorted(glob.glob(pattern, recursive=True)):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as handle:
            yield from handle


def main(pattern):
    seen_ids = set()
    first = {}  # (cohort, experiment, wiki, user) -> (time, meta id, variant)
    events = {}  # same key -> number of distinct events
    cohorts = {"LocalUserCreatedHook": "account_creation", "BeforePageDisplayHook": "page_impression"}
    for line in read_lines(pattern):
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if not isinstance(event, dict) or event.get("action") != "experiment_enrollment":
            continue
        meta = event.get("meta") or {}
        cohort = cohorts.get(event.get("action_source"))
        user_id = (event.get("performer") or {}).get("id")
        wiki = (event.get("mediawiki") or {}).get("database")
        when = event.get("dt") or meta.get("dt")
        meta_id = meta.get("id")
        if meta.get("domain") == "canary" or not cohort or not isinstance(user_id, int) or not wiki or not when:
            continue
        if meta_id is not None:
            if meta_id in seen_ids:
                continue
            seen_ids.add(meta_id)
        for experiment, variant in ((event.get("experiments") or {}).get("assigned") or {}).items():
            if not isinstance(variant, str) or not variant:
                continue
            key = (cohort, experiment, wiki, user_id)
            events[key] = events.get(key, 0) + 1
            candidate = (str(when), str(meta_id or ""), variant)
            if key not in first or candidate < first[key]:
                first[key] = candidate
    counts = {}
    for (cohort, experiment, wiki, user_id), (_, _, variant) in first.items():
        row = counts.setdefault((cohort, experiment, wiki, variant), [0, 0, 0])
        row[0] += 1
        if cohort == "page_impression":
            row[1] += (("account_creation", experiment, wiki, user_id) in first)
            row[2] += events[(cohort, experiment, wiki, user_id)]
    for key in sorted(counts):
        print(*key, *counts[key], sep="\t")


if __name__ == "__main__":
    main(sys.argv[1])
