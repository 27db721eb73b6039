"""Conventions du projet vérifiées à chaque CI."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _code_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_readme_opens_with_run_and_test_commands():
    blocks = _code_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert "streamlit run dashboard.py" in blocks[0]
    assert "pytest" in blocks[1]


def test_ci_runs_exactly_the_readme_test_command():
    test_command = _code_blocks((ROOT / "README.md").read_text(encoding="utf-8"))[1].strip()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert test_command in ci_lines


def test_no_sql_is_built_by_string_formatting():
    """Les paramètres sont liés ; aucun SQL composé par f-string, % ou .format près d'un execute."""
    offenders = []
    sources = [*(ROOT / "insertion").rglob("*.py"), *(ROOT / "pages").rglob("*.py"), ROOT / "dashboard.py"]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\.(execute|executemany|sql|query)\(\s*(f[\"']|[^)]*%\s*\(|[^)]*\.format\()", text):
            offenders.append(f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}")
    assert offenders == []


def test_every_query_file_binds_its_parameters():
    for path in (ROOT / "queries").rglob("*.sql"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\{[a-z_]+\}", text), f"{path.name} contient un gabarit {{…}} à formater"
        assert not re.search(r"%\(|%s", text), f"{path.name} contient un marqueur de formatage"


def test_no_user_data_is_rendered_as_raw_html():
    sources = [*(ROOT / "insertion").rglob("*.py"), *(ROOT / "pages").rglob("*.py"), ROOT / "dashboard.py"]
    assert [p.name for p in sources if "unsafe_allow_html=True" in p.read_text(encoding="utf-8")] == []
