"""The docs a newcomer reads: a short README that points to the French user guide, the English
developer guide, the benchmarks and the changelog in docs/; every relative link leads to a file;
the benchmark runner's blocks live in docs/benchmarks.md."""

from __future__ import annotations

import re
from pathlib import Path

from atlas import settings

REPO = settings.REPO_DIR
DOCS = REPO / "docs"
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_readme_is_short_and_points_to_the_guides():
    text = _text(REPO / "README.md")
    assert len(text.encode("utf-8")) < 8_000  # was 74 KB: the rest lives in docs/
    assert "bash .ci/setup" in text and "bash .ci/run" in text  # the two set-up commands
    for page in ("docs/guide-utilisateur.md", "docs/developer-guide.md", "docs/benchmarks.md", "docs/CHANGELOG.md"):
        assert f"]({page})" in text, page
    assert "<!-- bench:" not in text


def test_every_relative_link_leads_to_a_file():
    pages = [REPO / "README.md", *sorted(DOCS.glob("*.md"))]
    assert len(pages) == 5
    broken = []
    for page in pages:
        for target in LINK.findall(_text(page)):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(REPO)} → {target}")
    assert not broken, broken


def test_the_user_guide_keeps_every_section_the_readme_had():
    guide = _text(DOCS / "guide-utilisateur.md")
    for heading in (
        "Les commandes",
        "Refaire les cartes quand le registre change",
        "Lire les cartes",
        "Le registre des acteurs",
        "Ce qui est montré au public : statut, visibilité et fraîcheur",
        "Géocoder son registre",
        "La cartographie des acteurs et les indicateurs de suivi",
        "Distances et zones blanches",
        "Données de référence",
    ):
        assert re.search(rf"^##+ {re.escape(heading)}$", guide, re.M), heading
    for command in (
        "build",
        "geocode",
        "contours",
        "web",
        "print",
        "gaps",
        "distances",
        "suggest",
        "actors",
        "indicators",
        "demo",
    ):
        assert f"`atlas {command}" in guide, command


def test_the_developer_guide_defines_the_vocabulary_and_how_to_add_a_command():
    guide = _text(DOCS / "developer-guide.md")
    vocabulary = guide.split("## Vocabulary", 1)[1].split("\n## ", 1)[0]
    for word in ("territory", "site", "actor", "threshold", "registry"):
        assert f"| **{word}**" in vocabulary, word
    assert "### Adding a command" in guide and "## Layout" in guide and "## Tests and checks" in guide


def test_every_benchmark_has_its_block_in_docs_benchmarks():
    names = set()
    for path in (REPO / "tests" / "benchmarks").glob("bench_*.py"):
        names |= set(re.findall(r'@bench\(\s*"([^"]+)"', _text(path)))
    page = _text(DOCS / "benchmarks.md")
    blocks = set(re.findall(r"<!-- bench:([\w-]+) -->", page))
    assert len(names) >= 7 and names <= blocks, sorted(names - blocks)
    for name in blocks - {"NAME"}:  # the page's own description of the markers
        assert f"<!-- /bench:{name} -->" in page, name
