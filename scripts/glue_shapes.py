"""Writes the request shapes of some Glue operations, as botocore publishes them, to a JSON fixture.

The integration tests run against moto, which ignores most job settings (ExecutionClass,
JobRunQueuingEnabled, ...) and accepts members AWS would refuse. The tests check every logged Glue
request of these operations against the shapes written here instead: member names, types, enums,
lengths, ranges and patterns.

    .venv/bin/python scripts/glue_shapes.py > test/integration/fixtures/glue-shapes.json

reads the Glue model of the botocore installed with moto (requirements.txt). Another service's
JSON-protocol operations, for the arrival start's requests:

    .venv/bin/python scripts/glue_shapes.py glue 2017-03-31 CreateTrigger > test/integration/fixtures/glue-trigger-shapes.json
    .venv/bin/python scripts/glue_shapes.py events 2015-10-07 PutRule PutTargets > test/integration/fixtures/events-shapes.json

and the Athena workgroup's and named queries' (Athena speaks the same JSON protocol):

    .venv/bin/python scripts/glue_shapes.py athena 2017-05-18 GetWorkGroup CreateWorkGroup UpdateWorkGroup DeleteWorkGroup \
        ListTagsForResource TagResource ListNamedQueries GetNamedQuery CreateNamedQuery DeleteNamedQuery \
        > test/integration/fixtures/athena-shapes.json
"""

import gzip
import json
import sys
from pathlib import Path
from typing import Any

import botocore  # type: ignore[import-untyped]  # no stubs; only its data files and version are read

OPERATIONS = ["CreateJob", "UpdateJob", "GetJob", "GetJobRuns", "GetWorkflowRuns", "ListCrawls"]

# Glue Studio's visual job graph: this tool never sends it, and its shapes are most of the model.
NOT_SENT = {"CodeGenConfigurationNodes"}


def load_model(service: str = "glue", version: str = "2017-03-31") -> dict[str, Any]:
    folder = Path(botocore.__file__).parent / "data" / service / version
    plain = folder / "service-2.json"
    if plain.exists():
        return dict(json.loads(plain.read_text()))
    with gzip.open(folder / "service-2.json.gz", "rt") as file:
        return dict(json.load(file))


def without_docs(shape: dict[str, Any]) -> dict[str, Any]:
    kept = {key: value for key, value in shape.items() if key != "documentation"}
    if "members" in kept:
        kept["members"] = {
            name: {key: value for key, value in member.items() if key != "documentation"}
            for name, member in kept["members"].items()
            if name not in NOT_SENT
        }
    for key in ("member", "key", "value"):
        if key in kept:
            kept[key] = {k: v for k, v in kept[key].items() if k != "documentation"}
    return kept


def main(argv: list[str]) -> None:
    service, version, names = (argv[0], argv[1], argv[2:]) if argv else ("glue", "2017-03-31", OPERATIONS)
    model = load_model(service, version)
    shapes: dict[str, Any] = model["shapes"]
    operations = {name: model["operations"][name]["input"]["shape"] for name in names}
    wanted: dict[str, Any] = {}
    pending = list(operations.values())
    while pending:
        name = pending.pop()
        if name in wanted:
            continue
        shape = without_docs(shapes[name])
        wanted[name] = shape
        if shape["type"] == "structure":
            pending.extend(member["shape"] for member in shape["members"].values())
        elif shape["type"] == "list":
            pending.append(shape["member"]["shape"])
        elif shape["type"] == "map":
            pending.extend([shape["key"]["shape"], shape["value"]["shape"]])
    fixture = {
        "source": f"botocore {botocore.__version__}, botocore/data/{service}/{version}/service-2.json, via scripts/glue_shapes.py",
        "notSent": sorted(NOT_SENT),
        "operations": operations,
        "shapes": dict(sorted(wanted.items())),
    }
    json.dump(fixture, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
