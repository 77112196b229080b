"""Issue 3's Done-when, on the whole stack and two real Dovecot servers, driven over HTTP."""

import asyncio
import uuid
from typing import Any

import pytest

from mailferry_contracts.runs import RunAttemptFailed, RunFinished
from mailferry_devstack.corpus import CorpusSpec
from tests.e2e import operator as op
from tests.e2e.secrets_scan import bus_text, read_models_text, sample_command_lines
from tests.fixtures.dovecot_pair import EXCHANGE_NAMES, MailboxPair, by_folder
from tests.fixtures.runner_jobs import max_concurrent, of_type, run_events_of
from tests.fixtures.waiting import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
SMALL = CorpusSpec(messages=150, total_bytes=3_000_000)
TINY = CorpusSpec(messages=20, total_bytes=200_000)
LARGE = CorpusSpec(messages=2500, total_bytes=100_000_000)


def pair_for(dovecot_pair, account: op.Account, *, quota: int | None = None) -> MailboxPair:
    source = dovecot_pair.source.add_user(account.source_user, account.source_password)
    destination = dovecot_pair.destination.add_user(
        account.target_user, account.target_password, quota_bytes=quota
    )
    return MailboxPair(dovecot_pair, source, destination)


def identical(pair: MailboxPair) -> bool:
    """Same messages per folder, with the same flags, internal dates and sizes."""
    return by_folder(pair.read_destination()) == by_folder(pair.read_source(), EXCHANGE_NAMES)


async def job_with(http, dovecot_pair, accounts, **options) -> tuple[str, list[str]]:
    job_id = await op.create_job(http, dovecot_pair.source, dovecot_pair.destination, **options)
    return job_id, await op.upload(http, job_id, accounts)


async def sync(http, job_id, mailbox_ids, mode: str) -> dict[str, dict[str, Any]]:
    request = await op.ask(http, job_id, "sync", {"mode": mode, "mailbox_ids": mailbox_ids})
    return await op.finished_runs(http, mailbox_ids, request)


class TestFiveMailboxes:
    async def test_preflight_initial_delta_verify_with_a_wrong_password_and_a_full_quota(
        self, http, stack_bus, dovecot_pair
    ):
        good = [op.new_account("good") for _ in range(3)]
        wrong, full = op.new_account("wrongpw"), op.new_account("quota")
        pairs = [pair_for(dovecot_pair, a) for a in good]
        pair_for(dovecot_pair, wrong).servers.source.remove_user(wrong.source_user)
        dovecot_pair.source.add_user(wrong.source_user, "not-the-password-in-the-csv")
        quota_pair = pair_for(dovecot_pair, full, quota=100_000)
        for pair in [*pairs, quota_pair]:
            pair.fill_source(SMALL)
        job_id, ids = await job_with(http, dovecot_pair, [*good, wrong, full])
        good_ids, wrong_id, full_id = ids[:3], ids[3], ids[4]

        preflight = await op.finished_runs(http, ids, await op.ask(http, job_id, "preflight"))
        initial = await sync(http, job_id, ids, "initial")
        delta = await sync(http, job_id, ids, "delta")
        verify = await op.finished_runs(http, ids, await op.ask(http, job_id, "verify"))

        for runs in (preflight, initial, delta, verify):
            assert [runs[m]["status"] for m in good_ids] == ["success"] * 3
        assert [initial[m]["stats"]["transferred"] for m in good_ids] == [150] * 3
        assert [delta[m]["stats"]["transferred"] for m in good_ids] == [0] * 3
        assert all(identical(pair) for pair in pairs)
        assert (preflight[wrong_id]["error_class"], initial[wrong_id]["error_class"]) == (
            "auth_failed_source",
            "auth_failed_source",
        )
        assert initial[wrong_id]["attempt"] == 1
        events = await run_events_of(stack_bus, {uuid.UUID(job_id)})
        assert [e for e in of_type(events, RunAttemptFailed) if str(e.mailbox_id) == wrong_id] == []
        assert preflight[full_id]["error_class"] == "over_quota"
        assert initial[full_id]["error_class"] == "over_quota"
        assert (await op.mailbox(http, full_id))["last_error_class"] == "over_quota"
        verification = await http.get(f"{op.API}/jobs/{job_id}/verify")
        items = {i["mailbox_id"]: i for i in verification.json()["items"]}
        for mailbox_id in good_ids:
            assert items[mailbox_id]["verify_ratio"] == 1.0
            folders = items[mailbox_id]["verification"]["folders"]
            assert all(f["source_messages"] == f["destination_messages"] for f in folders)
            assert {f["role"] for f in folders} >= {"inbox", "sent"}


class TestDelta:
    async def test_a_delta_copies_exactly_the_50_new_messages_and_a_second_one_nothing(
        self, http, dovecot_pair
    ):
        account = op.new_account("delta")
        pair = pair_for(dovecot_pair, account)
        pair.fill_source(SMALL)
        job_id, ids = await job_with(http, dovecot_pair, [account])
        await sync(http, job_id, ids, "initial")

        pair.append_new(50)
        first = await sync(http, job_id, ids, "delta")
        second = await sync(http, job_id, ids, "delta")

        assert first[ids[0]]["stats"]["transferred"] == 50
        assert second[ids[0]]["stats"]["transferred"] == 0
        assert identical(pair)


class TestKilledRunner:
    async def test_kill_9_mid_mailbox_another_runner_finishes_it_without_duplicates(
        self, http, stack, dovecot_pair
    ):
        account = op.new_account("large")
        pair = pair_for(dovecot_pair, account)
        pair.fill_source(LARGE)
        job_id, ids = await job_with(http, dovecot_pair, [account])
        request = await op.ask(http, job_id, "sync", {"mode": "initial"})

        victim = await wait_for(
            lambda: _copying_runner(http, job_id, ids[0]), timeout=120, what="copy under way"
        )
        stack.kill(victim)
        stack.start_runner(f"{victim}-again")
        [run] = (await op.finished_runs(http, ids, request, timeout=300)).values()

        assert run["status"] == "success"
        assert run["attempt"] >= 2
        assert run["runner_id"] != victim
        source = by_folder(pair.read_source(), EXCHANGE_NAMES)
        destination = by_folder(pair.read_destination())
        assert {k: v.total() for k, v in destination.items()} == {
            k: v.total() for k, v in source.items()
        }
        assert destination == source


async def _copying_runner(http, job_id: str, mailbox_id: str) -> str | None:
    """The runner copying the mailbox, once it is between 5 and 60 % done."""
    progress = (await http.get(f"{op.API}/jobs/{job_id}/progress")).json()
    if not progress["items"] or not 5 <= progress["items"][0]["percent"] <= 60:
        return None
    [run] = await op.runs_of(http, mailbox_id)
    return run["runner_id"] if run["status"] == "running" else None


class TestLimits:
    async def test_limit_2_with_10_mailboxes_across_3_runner_processes(
        self, http, stack_bus, dovecot_pair
    ):
        accounts = [op.new_account("lim") for _ in range(10)]
        for account in accounts:
            pair_for(dovecot_pair, account).fill_source(TINY)
        job_id, ids = await job_with(
            http, dovecot_pair, accounts, concurrency_limit=2, per_host_limit=10
        )

        runs = await sync(http, job_id, ids, "initial")

        events = await run_events_of(stack_bus, {uuid.UUID(job_id)})
        assert max_concurrent(events) <= 2
        assert {r["status"] for r in runs.values()} == {"success"}
        assert len(of_type(events, RunFinished)) == 10


class TestSecrets:
    async def test_no_password_in_command_lines_logs_events_read_models_or_responses(
        self, http, stack, stack_bus, dovecot_pair
    ):
        """Both engines: the native one, and imapsync (the stand-in, which gets its passwords
        through files and shows its command line to /proc like the real one)."""
        accounts = [op.new_account("sec") for _ in range(4)]
        for account in accounts:
            pair_for(dovecot_pair, account).fill_source(SMALL)
        native = await job_with(http, dovecot_pair, accounts[:2])
        imapsync = await job_with(http, dovecot_pair, accounts[2:], engine="imapsync")
        secrets = [p for a in accounts for p in (a.source_password, a.target_password)]

        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_command_lines(secrets, stop))
        try:
            runs = await asyncio.gather(
                sync(http, *native, "initial"), sync(http, *imapsync, "initial")
            )
        finally:
            stop.set()
        seen = await sampler
        assert seen.samples > 3
        assert seen.imapsync_seen > 0  # an imapsync command line was there to be read
        ids = native[1] + imapsync[1]
        for mailbox_id in ids:
            await http.get(f"{op.API}/mailboxes/{mailbox_id}/logs", params={"download": True})
            await http.get(f"{op.API}/mailboxes/{mailbox_id}")
        for job_id, _ in (native, imapsync):
            await http.get(f"{op.API}/jobs/{job_id}/progress")

        assert {r["status"] for done in runs for r in done.values()} == {"success"}
        everything = "\n".join(
            [
                await bus_text(stack_bus),
                read_models_text(stack.database_url),
                stack.service_output(),
                *http.bodies,
            ]
        )
        assert "copied" in everything  # the logs were read
        assert "Transfer started" in everything  # imapsync's own log too
        for secret in secrets:
            assert secret not in everything
