"""Every fixture through the whole extraction half: independent count, readpst, comparison."""

from pathlib import Path

import pytest

from mailferry_runner_pst.adapters.pst_counter import count_items
from mailferry_runner_pst.adapters.readpst import run_readpst
from mailferry_runner_pst.adapters.readpst_output import scan_output
from mailferry_runner_pst.counts import CountUnavailable, ItemKind
from mailferry_runner_pst.extraction import judge_exit
from mailferry_runner_pst.outcome import ExtractionOutcome, decide, not_supported

from .conftest import pst

pytestmark = pytest.mark.integration

PROTECTED = "the PST is password-protected; readpst opened it without the password"
NOT_REQUESTED = "items not extracted: Deleted Items was not requested"

# fixture, include_deleted, status, error_class, every report line
CASES = [
    ("aspose-Outlook.pst", False, "ok", None, []),
    ("aspose-SampleContacts.pst", False, "ok", None, []),
    ("aspose-SampleOstFile.ost", False, "ok", None, [f"Deleted Items: 10 {NOT_REQUESTED}"]),
    ("aspose-SampleOstFile.ost", True, "ok", None, []),
    (
        "aspose-SampleOstFile-truncated.pst",
        False,
        "partial",
        "partial",
        [
            "readpst did not extract everything",
            f"Deleted Items: 10 {NOT_REQUESTED}",
            "Inbox: expected 12, extracted 5, missing 7",
            "Sent Items: expected 6, extracted 0, missing 6",
            "Calendar: expected 1 calendar item, extracted 0, missing 1 (download only)",
            "Sync Issues: expected 9, extracted 6, missing 3",
            "index damaged (index page at 0x3e2400 lies beyond the end of the file); "
            "43 entries recovered from older index pages",
        ],
    ),
    (
        "aspose-Test_part1-corrupted.pst",
        False,
        "partial",
        "partial",
        [
            "readpst did not extract everything",
            "Sent Items: expected 31, extracted 20, missing 11",
            "Contacts: expected 21 contacts, extracted 19, missing 2 (download only)",
        ],
    ),
    (
        "aspose-Test_part1.pst",
        False,
        "ok",
        None,
        ["Contacts: expected 21 contacts, extracted 19, missing 2 (download only)"],
    ),
    (
        "aspose-Test_part1-truncated.pst",
        False,
        "failed",
        "file_unreadable",
        ["the PST is damaged: readpst could not read its root record"],
    ),
    (
        "aspose-AddingBulkMessagesWithImprovedPerformance.pst",
        False,
        "failed",
        "file_unreadable",
        ["the PST is damaged: readpst could not read its root record"],
    ),
    (
        "aspose-passwordprotectedPST.pst",
        False,
        "ok",
        None,
        [PROTECTED, f"Deleted Items: 14 {NOT_REQUESTED}"],
    ),
    ("aspose-passwordprotectedPST.pst", True, "ok", None, [PROTECTED]),
    ("gopst-32-bit-ansi.pst", False, "ok", None, []),
    ("gopst-support.pst", False, "ok", None, []),
    (
        "javalibpst-dist-list.pst",
        False,
        "ok",
        None,
        ["Contacts: 1 distribution list not importable by readpst"],
    ),
    (
        "javalibpst-passworded.pst",
        False,
        "ok",
        None,
        [PROTECTED, "Contacts: 1 distribution list not importable by readpst"],
    ),
    ("pstsdk-sample1.pst", False, "ok", None, []),
    ("pstsdk-sample2-ansi.pst", False, "ok", None, []),
    ("pstsdk-submessage.pst", False, "ok", None, []),
    (
        "pstsdk-test_ansi.pst",
        False,
        "ok",
        None,
        [PROTECTED, "Folder: 1 post not importable by readpst"],
    ),
    (
        "pstsdk-test_unicode.pst",
        False,
        "ok",
        None,
        [
            PROTECTED,
            "(store root): 1 post not importable by readpst",
            "Folder: 1 post not importable by readpst",
        ],
    ),
    ("rubymsg-200-recipients.pst", False, "ok", None, []),
    ("rubymsg-attachAndInline.pst", False, "ok", None, []),
    ("rubymsg-msgInMsg.pst", False, "ok", None, []),
    (
        "not-a-pst.pst",
        False,
        "failed",
        "file_not_supported",
        ["not a PST/OST file: no Outlook data file header (magic !BDN)"],
    ),
]


async def check(path: Path, work_dir: Path, readpst_bin: str, include_deleted: bool):
    count = count_items(path)
    if isinstance(count, CountUnavailable) and count.not_a_pst:
        return not_supported(count)
    run = await run_readpst(readpst_bin, path, work_dir, include_deleted=include_deleted)
    verdict = judge_exit(run.exit_code, run.stdout, run.stderr)
    return decide(count, verdict, scan_output(run.output_dir), include_deleted)


@pytest.mark.parametrize(
    ("fixture", "include_deleted", "status", "error_class", "lines"),
    CASES,
    ids=[f"{c[0]}{'-D' if c[1] else ''}" for c in CASES],
)
async def test_fixture_outcome(
    tmp_path, readpst_bin, fixture, include_deleted, status, error_class, lines
):
    outcome: ExtractionOutcome = await check(pst(fixture), tmp_path, readpst_bin, include_deleted)
    assert (outcome.status, outcome.error_class) == (status, error_class)
    assert outcome.lines() == lines


async def test_empty_file_is_not_supported(tmp_path, readpst_bin):
    empty = tmp_path / "empty.pst"
    empty.write_bytes(b"")
    outcome = await check(empty, tmp_path, readpst_bin, False)
    assert (outcome.status, outcome.error_class) == ("failed", "file_not_supported")


async def test_readpst_alone_refuses_a_non_pst_as_not_supported(tmp_path, readpst_bin):
    """The counter short-circuits non-PSTs; readpst's own verdict must agree if it runs."""
    run = await run_readpst(readpst_bin, pst("not-a-pst.pst"), tmp_path, include_deleted=False)
    assert run.exit_code == 1
    assert judge_exit(run.exit_code, run.stdout, run.stderr).error_class == "file_not_supported"


@pytest.mark.parametrize(
    "fixture", ["aspose-SampleOstFile-truncated.pst", "aspose-Test_part1-corrupted.pst"]
)
async def test_silent_data_loss_is_never_ok_even_though_readpst_exits_0(
    tmp_path, readpst_bin, fixture
):
    run = await run_readpst(readpst_bin, pst(fixture), tmp_path, include_deleted=False)
    assert run.exit_code == 0
    outcome = decide(
        count_items(pst(fixture)), judge_exit(0, run.stdout), scan_output(run.output_dir), False
    )
    assert outcome.status == "partial"
    assert outcome.comparison is not None
    comparison = outcome.comparison
    assert comparison.missing(ItemKind.MAIL) + comparison.missing(ItemKind.UNKNOWN) > 0
