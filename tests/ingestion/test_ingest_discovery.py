"""Which landing files are read: kind folders only, no hidden files, no links leaving the folder."""

from __future__ import annotations

from pathlib import Path

from ingestion_helpers import SENDS_HEADER, TZ, query, send_line, write

from orchestration.ingestion import ingest_kind, pending_files


def test_symlink_pointing_outside_the_landing_folder_is_refused(
    tmp_path: Path, landing: Path, warehouse: Path
) -> None:
    secret = write(tmp_path, "outside/secret.csv", f"{SENDS_HEADER}\n{send_line('s1', '2026-03-01')}\n")
    (landing / "sends").mkdir()
    (landing / "sends" / "link.csv").symlink_to(secret)

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert (load.status, load.rows_read, load.rows_loaded) == ("quarantined", 0, 0)
    assert load.message == f"refused: symbolic link pointing outside the landing folder (to {secret})"
    assert query(warehouse, "select count(*) from raw.sends") == [(0,)]
    assert query(warehouse, "select file_name, line_number, reason from raw.quarantine") == [
        ("sends/link.csv", None, load.message)
    ]
    # refused once, not again on every run
    assert ingest_kind(landing, warehouse, "sends", TZ) == []


def test_symlink_inside_the_landing_folder_is_read(landing: Path, warehouse: Path) -> None:
    target = write(landing, "archive/s.csv", f"{SENDS_HEADER}\n{send_line('s1', '2026-03-01')}\n")
    (landing / "sends").mkdir()
    (landing / "sends" / "link.csv").symlink_to(target)

    [load] = ingest_kind(landing, warehouse, "sends", TZ)

    assert (load.file_name, load.rows_loaded) == ("sends/link.csv", 1)


def test_hidden_files_and_unknown_folders_are_ignored(landing: Path, warehouse: Path) -> None:
    write(landing, "sends/.~lock.a.csv#", "garbage")
    write(landing, "sends/.partial/a.csv", "garbage")
    write(landing, "_expected/sends.csv", f"{SENDS_HEADER}\n")
    write(landing, "sends/a.csv", f"{SENDS_HEADER}\n{send_line('s1', '2026-03-01')}\n")

    loads = ingest_kind(landing, warehouse, "sends", TZ)

    assert [x.file_name for x in loads] == ["sends/a.csv"]
    assert [p.file_name for p in pending_files(landing, warehouse)] == []


def test_suppression_file_outside_an_application_folder_is_refused(landing: Path, warehouse: Path) -> None:
    write(landing, "suppressions/list.csv", "email\na@x.it\n")

    [load] = ingest_kind(landing, warehouse, "suppressions", TZ)

    assert load.status == "quarantined"
    assert load.message is not None and "suppressions/<application>/" in load.message
    assert query(warehouse, "select count(*) from raw.suppression_snapshots") == [(0,)]
