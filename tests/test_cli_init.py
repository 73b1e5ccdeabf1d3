"""``confiture init`` end to end."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from confiture.cli.main import app
from confiture.core.builder import SchemaBuilder

EXPECTED = [
    "db/.gitignore",
    "db/README.md",
    "db/environments/local.yaml",
    "db/environments/test.yaml",
    "db/migrations/.gitkeep",
    "db/schema/00_common/extensions.sql",
    "db/schema/10_tables/users.sql",
    "db/seeds/common/00_example.sql",
    "db/seeds/development/.gitkeep",
    "db/seeds/test/.gitkeep",
]


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_init_creates_a_layout_that_builds(tmp_path: Path, cli: CliRunner) -> None:
    root = tmp_path / "shop"
    result = cli.invoke(app, ["init", str(root)])
    assert result.exit_code == 0, result.output
    assert "Confiture project initialized successfully!" in result.stdout
    assert "confiture build --env local --apply" in result.stdout
    assert files_under(root) == EXPECTED
    local = (root / "db/environments/local.yaml").read_text()
    assert "${DATABASE_URL:-postgresql://localhost:5432/shop_local}" in local
    # build works straight away (the reference's init produced a config build could not load).
    assert SchemaBuilder("local", root).compute_hash()


def test_init_never_overwrites_without_asking(tmp_path: Path, cli: CliRunner) -> None:
    root = tmp_path / "p"
    assert cli.invoke(app, ["init", str(root)]).exit_code == 0
    mine = root / "db/schema/10_tables/users.sql"
    mine.write_text("-- mine\n")
    result = cli.invoke(app, ["init", str(root)])
    assert result.exit_code == 1
    assert "--force" in result.stderr and "db/schema/10_tables/users.sql" in result.stderr
    assert mine.read_text() == "-- mine\n"

    result = cli.invoke(app, ["init", str(root), "--skip-existing"])
    assert result.exit_code == 0 and mine.read_text() == "-- mine\n"
    (root / "db/README.md").unlink()
    assert cli.invoke(app, ["init", str(root), "--skip-existing"]).exit_code == 0
    assert (root / "db/README.md").exists() and mine.read_text() == "-- mine\n"

    result = cli.invoke(app, ["init", str(root), "--force"])
    assert result.exit_code == 0 and "CREATE TABLE users" in mine.read_text()


def run_in_pty(args: list[str], cwd: Path, answer: bytes) -> tuple[int, str]:
    """Runs the CLI with a terminal on stdin and answers its question."""
    leader, follower = pty.openpty()
    confiture = shutil.which("confiture") or os.path.join(os.path.dirname(sys.executable), "confiture")
    proc = subprocess.Popen([confiture, *args], cwd=cwd, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    chunks: list[bytes] = []
    answered = False
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
        if not answered and b"Overwrite them?" in b"".join(chunks):
            os.write(leader, answer)
            answered = True
    os.close(leader)
    return proc.wait(timeout=30), b"".join(chunks).decode()


def test_init_asks_on_a_terminal(tmp_path: Path) -> None:
    root = tmp_path / "p"
    subprocess.run(
        [sys.executable, "-m", "confiture.cli", "init", str(root)], check=True, capture_output=True
    )
    mine = root / "db/environments/local.yaml"
    mine.write_text("include_dirs: [db/schema]\n")
    code, out = run_in_pty(["init", "."], root, b"n\n")
    assert code == 1 and "Nothing was written." in out
    assert mine.read_text() == "include_dirs: [db/schema]\n"
    code, out = run_in_pty(["init", "."], root, b"y\n")
    assert code == 0 and "initialized successfully" in out
    assert "DATABASE_URL" in mine.read_text()
