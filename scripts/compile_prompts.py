"""Write prompts/interview.json, the compiled form of prompts/interview.yaml (run after editing the prompts).

The app reads the JSON when it was compiled from the YAML as it is (its SHA-256 says so), else the YAML: a stale
JSON costs the start PyYAML's import and parse (~30 ms), never a wrong question. tests/test_tui_start.py fails
while the JSON is stale.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wizard.interview.model import PROMPTS_DIR, compile_prompts, compiled_path  # noqa: E402


def main() -> int:
    source = PROMPTS_DIR / "interview.yaml"
    target = compiled_path(source)
    text = compile_prompts(source.read_text(encoding="utf-8"))
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".interview.", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
