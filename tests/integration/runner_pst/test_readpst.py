"""readpst itself: options, work directory, exit codes and what it writes per folder."""

import pytest

from mailferry_runner_pst.adapters.readpst import (
    ToolMissingError,
    build_argv,
    resolve_binary,
    run_readpst,
)
from mailferry_runner_pst.adapters.readpst_output import output_files, scan_output
from mailferry_runner_pst.counts import OutputFile
from mailferry_runner_pst.extraction import parse_progress

from .conftest import pst

pytestmark = pytest.mark.integration

MBOX, CAL, VCF = OutputFile.MBOX, OutputFile.CALENDAR, OutputFile.CONTACTS

# fixture, include_deleted, exit code, store directory, folders -> counts (fixture README table)
CASES = [
    ("pstsdk-sample1.pst", False, 0, "sample1", {("Sample1",): {MBOX: 1}}),
    ("pstsdk-test_ansi.pst", False, 0, "Personal Folders", {}),  # the post is skipped
    ("gopst-32-bit-ansi.pst", False, 0, "Personal Folders", {("Calendar",): {CAL: 1}}),
    ("gopst-support.pst", False, 0, "support",
     {("Drafts",): {MBOX: 6}, ("Sent Messages",): {MBOX: 11}}),
    ("javalibpst-dist-list.pst", False, 0, "Personal Folders",
     {("Calendar",): {CAL: 1}, ("Contacts",): {VCF: 1}}),
    ("aspose-passwordprotectedPST.pst", False, 0, "Personal folders", {("Inbox",): {MBOX: 4}}),
    ("aspose-passwordprotectedPST.pst", True, 0, "Personal folders",
     {("Inbox",): {MBOX: 4}, ("Deleted Items",): {MBOX: 14}}),
    ("aspose-Outlook.pst", False, 0, "Outlook",
     {("Inbox",): {MBOX: 8}, ("Sent Items",): {MBOX: 6}, ("Calendar",): {CAL: 1},
      ("Contacts",): {VCF: 1}}),
    ("aspose-SampleOstFile.ost", False, 0, "aspose-SampleOstFile.ost",
     {("Inbox",): {MBOX: 12}, ("Inbox", "sub1"): {MBOX: 25}, ("Inbox", "sub2"): {MBOX: 29},
      ("Sent Items",): {MBOX: 6}, ("Sync Issues",): {MBOX: 9}, ("Calendar",): {CAL: 1}}),
    ("aspose-SampleOstFile.ost", True, 0, "aspose-SampleOstFile.ost",
     {("Inbox",): {MBOX: 12}, ("Inbox", "sub1"): {MBOX: 25}, ("Inbox", "sub2"): {MBOX: 29},
      ("Sent Items",): {MBOX: 6}, ("Sync Issues",): {MBOX: 9}, ("Calendar",): {CAL: 1},
      ("Deleted Items",): {MBOX: 6, CAL: 4}}),
    ("aspose-SampleOstFile-truncated.pst", False, 0, "aspose-SampleOstFile-truncated.pst",
     {("Inbox",): {MBOX: 5}, ("Inbox", "sub1"): {MBOX: 25}, ("Inbox", "sub2"): {MBOX: 29},
      ("Sync Issues",): {MBOX: 6}}),
    ("aspose-Test_part1-corrupted.pst", False, 0, "Personal folders",
     {("Sent Items",): {MBOX: 20}, ("Calendar",): {CAL: 9}, ("Contacts",): {VCF: 19}}),
    ("rubymsg-attachAndInline.pst", False, 0, "attachAndInline", {(): {MBOX: 1}}),
    ("rubymsg-200-recipients.pst", False, 0, "200 recipients.msg", {(): {MBOX: 1}}),
    ("aspose-Test_part1-truncated.pst", False, 1, None, {}),
    ("aspose-AddingBulkMessagesWithImprovedPerformance.pst", False, 1, None, {}),
    ("not-a-pst.pst", False, 1, None, {}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("fixture", "include_deleted", "exit_code", "store", "folders"),
    CASES,
    ids=[f"{c[0]}{'-D' if c[1] else ''}" for c in CASES],
)
async def test_what_readpst_writes(
    tmp_path, readpst_bin, fixture, include_deleted, exit_code, store, folders
):
    # readpst lost one Inbox message of the OST once in CI (11 of 12, exit 0) and never here in
    # thousands of runs: the silent loss the independent count exists for. A run may fall
    # short, never over; one of three must give the fixture README's table.
    seen = []
    for attempt in range(3):
        work_dir = tmp_path / str(attempt)
        work_dir.mkdir()
        run = await run_readpst(
            readpst_bin, pst(fixture), work_dir, include_deleted=include_deleted
        )
        extracted = scan_output(run.output_dir)
        assert run.exit_code == exit_code
        assert extracted.store_dir == store
        assert extracted.stray_files == ()
        counts = {f.path: dict(f.counts) for f in extracted.folders}
        over = [(path, kind) for path, kinds in counts.items() for kind, n in kinds.items()
                if n > folders.get(path, {}).get(kind, 0)]  # fmt: skip
        assert over == [], counts
        if counts == folders:
            return
        seen.append(counts)
    pytest.fail(f"readpst never wrote the expected counts {folders}: {seen}")


def test_argv_is_explicit_and_never_parallel(tmp_path):
    argv = build_argv(
        "/usr/bin/readpst", tmp_path / "in.pst", tmp_path / "out",
        include_deleted=False, keep_rtf_body=True,
    )  # fmt: skip
    assert argv == ("/usr/bin/readpst", "-r", "-8", "-o", str(tmp_path / "out"), "--",
                    str(tmp_path / "in.pst"))  # fmt: skip
    with_options = build_argv(
        "readpst", tmp_path / "in.pst", tmp_path / "out", include_deleted=True, keep_rtf_body=False
    )
    assert {"-D", "-b"} <= set(with_options)
    assert "-j" not in with_options


def test_a_missing_binary_is_tool_missing(tmp_path):
    with pytest.raises(ToolMissingError) as caught:
        resolve_binary(str(tmp_path / "no-readpst"))
    assert caught.value.error_class == "tool_missing"


def test_the_configured_binary_wins(readpst_bin):
    assert resolve_binary(readpst_bin) == readpst_bin


async def test_the_work_directory_must_be_fresh(tmp_path, readpst_bin):
    await run_readpst(readpst_bin, pst("pstsdk-sample1.pst"), tmp_path, include_deleted=False)
    with pytest.raises(FileExistsError):
        await run_readpst(readpst_bin, pst("pstsdk-sample1.pst"), tmp_path, include_deleted=False)


async def test_progress_lines_are_streamed_and_parsed(tmp_path, readpst_bin):
    seen: list[str] = []
    run = await run_readpst(
        readpst_bin, pst("aspose-Outlook.pst"), tmp_path, include_deleted=False,
        on_line=seen.append,
    )  # fmt: skip
    assert seen == list(run.stdout)
    progress = {p.name: p for p in map(parse_progress, run.stdout) if p is not None}
    assert (progress["Sent Items"].done, progress["Sent Items"].skipped) == (6, 0)


async def test_calendars_and_contacts_are_kept_for_download(tmp_path, readpst_bin):
    run = await run_readpst(
        readpst_bin, pst("aspose-Test_part1.pst"), tmp_path, include_deleted=False
    )
    calendars = output_files(run.output_dir, CAL)
    contacts = output_files(run.output_dir, VCF)
    assert [p.relative_to(run.output_dir).as_posix() for p in calendars + contacts] == [
        "Personal folders/Calendar/calendar",
        "Personal folders/Contacts/contacts",
    ]
