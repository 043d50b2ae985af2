"""Copy SpiffWorkflow's test models listed in models.py from a SpiffWorkflow checkout, without diagrams.

    python tests/workflows/differential/spiff_models/vendor.py /path/to/SpiffWorkflow

The files are SpiffWorkflow's (LGPL-3.0, see COPYING here); the only change is that each model's
``bpmndi:BPMNDiagram`` (the drawing, which the engine does not read) is left out to keep them small.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
DIAGRAM = "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNDiagram"


def vendor(checkout: Path) -> None:
    sys.path.insert(0, str(HERE.parents[3]))
    from tests.workflows.differential.models import SPIFF_MODELS

    shutil.copy(checkout / "COPYING", HERE / "COPYING")
    for source in sorted({path for model in SPIFF_MODELS for path in model.paths}):
        tree = etree.parse(str(checkout / "tests" / "SpiffWorkflow" / source))  # noqa: S320 - a known checkout
        for diagram in tree.getroot().findall(DIAGRAM):
            tree.getroot().remove(diagram)
        target = HERE / source
        target.parent.mkdir(parents=True, exist_ok=True)
        tree.write(str(target), xml_declaration=True, encoding="UTF-8")


if __name__ == "__main__":
    vendor(Path(sys.argv[1]))
