"""Between the file side and the uploader: messages in, refused messages back as quarantine."""

from collections.abc import AsyncIterator, Iterator

from mailferry_imap import BytesMessage, RejectedMessage
from mailferry_runner_pst.adapters.mbox_files import aiter_messages
from mailferry_runner_pst.messages import LocalMessage
from mailferry_runner_pst.quarantine import QuarantineEntry


async def for_upload(messages: Iterator[LocalMessage]) -> AsyncIterator[BytesMessage]:
    """The uploader's messages, read from the file in a worker thread one at a time."""
    async for message in aiter_messages(messages):
        yield BytesMessage(
            folder=message.target.target_path,
            data=message.raw,
            flags=tuple(sorted(message.flags)),
            internal_date=message.internal_date,
            ref=message.origin,
        )


async def refused(rejected: RejectedMessage) -> QuarantineEntry:
    """A message the destination refused, with the server's reason."""
    data = b"".join([chunk async for chunk in rejected.message.chunks()])
    return QuarantineEntry(
        folder=rejected.destination_folder,
        reason=rejected.error_class,
        detail=rejected.detail,
        origin=rejected.message.ref,
        data=data,
        size=rejected.message.size,
    )
